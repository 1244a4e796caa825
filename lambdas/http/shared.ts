import { SHARED_RESPONSE_HEADERS } from '../contract/share-links';
import { sharedAttachment, viewShared } from '../domain/share-links/shared';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { sharedDeps } from '../wiring/shared';

/** Public: the share link's token is the credential. Every answer, 200 or not, carries the same no-store, no-referrer, noindex headers. */
export const handler = httpFunction(
  'shared',
  {
    getShared: async (req: HttpRequest<unknown, unknown, { token: string }>) => ({ status: 200, body: await viewShared(sharedDeps(), req.params.token) }),
    getSharedAttachment: async (req: HttpRequest<unknown, unknown, { token: string; attachmentId: string }>) => {
      const { url } = await sharedAttachment(sharedDeps(), req.params.token, req.params.attachmentId);
      return { status: 302, headers: { location: url } };
    },
  },
  { responseHeaders: SHARED_RESPONSE_HEADERS },
);
