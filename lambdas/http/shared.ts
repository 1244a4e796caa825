import { METRIC } from '../contract/metrics';
import { SHARED_RESPONSE_HEADERS } from '../contract/share-links';
import { sharedAttachment, viewShared } from '../domain/share-links/shared';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { metrics } from '../wiring/metrics';
import { sharedDeps } from '../wiring/shared';

/** Public: the share link's token is the credential. Every answer, 200 or not, carries the same no-store, no-referrer, noindex headers. */
export const handler = httpFunction(
  'shared',
  {
    getShared: async (req: HttpRequest<unknown, unknown, { token: string }>) => {
      const document = await viewShared(sharedDeps(), req.params.token);
      metrics.count(METRIC.shareLinkViews);
      return { status: 200, body: document };
    },
    getSharedAttachment: async (req: HttpRequest<unknown, unknown, { token: string; attachmentId: string }>) => {
      const { url } = await sharedAttachment(sharedDeps(), req.params.token, req.params.attachmentId);
      return { status: 302, headers: { location: url } };
    },
  },
  { responseHeaders: SHARED_RESPONSE_HEADERS },
);
