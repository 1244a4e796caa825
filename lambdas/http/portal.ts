import type { DocumentType } from '../contract/document-types';
import { Unauthenticated } from '../contract/errors';
import type { PortalDocumentsQuery } from '../contract/schemas/documents';
import { downloadVisibleAttachment, visibleDocument } from '../domain/attachments/download';
import { startPortalRequest, type PortalCaller } from '../domain/portal-session';
import { portalDocuments, portalMe } from '../domain/visibility';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { sessionBeganAt, type Principal } from '../http-kit/principal';
import { portalDeps } from '../wiring/portal';

/** The portal's read-only routes; writes under /portal never reach here (the kit answers 405). */
type DocumentParams = { type: DocumentType; id: string };

/**
 * Every portal request starts here: the access record, not the token, decides — read on every
 * request, against the request's clock. The check runs while the request's own reads start; the
 * domain uses their results only once it has passed.
 */
async function viewer(principal: Principal): Promise<PortalCaller> {
  if (principal.kind !== 'customer') throw new Unauthenticated('A portal login is required.');
  const deps = portalDeps();
  return startPortalRequest(deps.session, principal.sub, sessionBeganAt(principal), deps.now());
}

/** The request's portal caller, as `viewer` started it. */
const callerOf = (req: HttpRequest): PortalCaller => req.caller as PortalCaller;

export const handler = httpFunction(
  'portal',
  {
    getPortalMe: async (req: HttpRequest) => ({ status: 200, body: await portalMe(portalDeps(), callerOf(req)) }),
    listPortalDocuments: async (req: HttpRequest<unknown, PortalDocumentsQuery>) => ({
      status: 200,
      body: await portalDocuments(portalDeps(), callerOf(req), req.query),
    }),
    getPortalDocument: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
      status: 200,
      body: await visibleDocument(portalDeps(), callerOf(req), req.params.type, req.params.id),
    }),
    downloadPortalAttachment: async (req: HttpRequest<unknown, unknown, DocumentParams & { attachmentId: string }>) => ({
      status: 200,
      body: await downloadVisibleAttachment(portalDeps(), callerOf(req), req.params.type, req.params.id, req.params.attachmentId),
    }),
  },
  { authorize: viewer },
);
