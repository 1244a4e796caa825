import type { DocumentType } from '../contract/document-types';
import { Unauthenticated } from '../contract/errors';
import type { PortalDocumentsQuery } from '../contract/schemas/documents';
import { downloadVisibleAttachment, visibleDocument } from '../domain/attachments/download';
import type { ContactRecord } from '../domain/contact-record';
import { portalUser } from '../domain/portal-session';
import { portalDocuments, portalMe } from '../domain/visibility';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import type { Principal } from '../http-kit/principal';
import { portalDeps } from '../wiring/portal';

/** The portal's read-only routes; writes under /portal never reach here (the kit answers 405). */
type DocumentParams = { type: DocumentType; id: string };

/** Every portal request starts here: the access record, not the token, decides. */
async function viewer(principal: Principal): Promise<ContactRecord> {
  if (principal.kind !== 'customer') throw new Unauthenticated('A portal login is required.');
  return portalUser(portalDeps().session, principal.sub, principal.issuedAt);
}

/** The caller's contact: `viewer` established it before the request's input was parsed. */
const callerOf = (req: HttpRequest): ContactRecord => req.caller as ContactRecord;

export const handler = httpFunction(
  'portal',
  {
    getPortalMe: async (req: HttpRequest) => ({ status: 200, body: await portalMe(portalDeps().documents, portalDeps().contacts, callerOf(req)) }),
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
