import { httpFunction, type HttpRequest } from '../http-kit/handler';
import type { Principal } from '../http-kit/principal';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { dynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { dynamoPortalSessionStore } from '../adapters/dynamodb/portal-session-store';
import type { ContactRecord } from '../domain/contact-record';
import type { DocumentType } from '../domain/document-types';
import { Unauthenticated } from '../domain/errors';
import { portalUser, type PortalSessionStore } from '../domain/portal-session';
import { getVisible, listVisible, portalMe, type VisibilityStore } from '../domain/visibility';
import type { PortalDocumentsQuery } from '../schemas/documents';
// Attachments (issue 18).
import { dynamoAttachmentReader } from '../adapters/dynamodb/attachments-store';
import { s3AttachmentDownloads } from '../adapters/s3/attachment-objects';
import { downloadAttachment, visibleAttachments, type DownloadDeps } from '../domain/attachments';
import { envSeconds } from '../config';

/** The portal's read-only routes; writes under /portal never reach here (the kit answers 405). */
let deps: { session: PortalSessionStore; documents: VisibilityStore; contacts: DynamoContactStore } | undefined;
let attachmentDeps: DownloadDeps | undefined;

function portal() {
  deps ??= { session: dynamoPortalSessionStore(), documents: dynamoDocumentStore(), contacts: new DynamoContactStore() };
  return deps;
}

function attachments(): DownloadDeps {
  attachmentDeps ??= {
    attachments: dynamoAttachmentReader(),
    objects: s3AttachmentDownloads(),
    now: () => new Date(),
    downloadUrlSeconds: envSeconds('attachmentDownloadUrlSeconds'),
  };
  return attachmentDeps;
}

type DocumentParams = { type: DocumentType; id: string };

/** Every portal request starts here: the access record, not the token, decides. */
async function viewer(principal: Principal): Promise<ContactRecord> {
  if (principal.kind !== 'customer') throw new Unauthenticated('A portal login is required.');
  return portalUser(portal().session, principal.sub, principal.issuedAt);
}

/** The caller's contact: `viewer` established it before the request's input was parsed. */
const callerOf = (req: HttpRequest): ContactRecord => req.caller as ContactRecord;

export const handler = httpFunction(
  'portal',
  {
    getPortalMe: async (req: HttpRequest) => {
      const me = callerOf(req);
      return { status: 200, body: await portalMe(portal().documents, portal().contacts, me) };
    },
    listPortalDocuments: async (req: HttpRequest<unknown, PortalDocumentsQuery>) => {
      const me = callerOf(req);
      const { type, cursor, limit } = req.query;
      // Bound to the caller and the filter; the position itself can only skip within what the caller sees.
      const scope = `portal:${me.id}:${type ?? '*'}`;
      const page = await listVisible(portal().documents, me, type, orderCursor.decode(cursor, scope), limit);
      return { status: 200, body: { items: page.items, ...(page.last ? { nextCursor: orderCursor.encode(scope, page.last) } : {}) } };
    },
    getPortalDocument: async (req: HttpRequest<unknown, unknown, DocumentParams>) => {
      const me = callerOf(req);
      const { type, id } = req.params;
      // Read side by side; the attachments are only shown once the document is known to be visible.
      const [document, files] = await Promise.all([getVisible(portal().documents, me, type, id), visibleAttachments(attachments(), type, id)]);
      return { status: 200, body: { ...document, attachments: files } };
    },
    downloadPortalAttachment: async (req: HttpRequest<unknown, unknown, DocumentParams & { attachmentId: string }>) => {
      const me = callerOf(req);
      const { type, id, attachmentId } = req.params;
      const mayRead = () => getVisible(portal().documents, me, type, id);
      return { status: 200, body: await downloadAttachment(attachments(), type, id, attachmentId, mayRead) };
    },
  },
  { authorize: viewer },
);
