import type { DocumentType } from '../contract/document-types';
import type { CreateAttachmentInput } from '../contract/schemas/attachments';
import type { BatchInput, BatchResult, GrantInput, ListDocumentsQuery, PutDocumentInput } from '../contract/schemas/documents';
import type { CreateLinkInput } from '../contract/schemas/share-links';
import { documentAccess } from '../domain/access-report';
import { deleteAttachment, deleteDocumentAndAttachments } from '../domain/attachments/removal';
import { announceUpload, completeUpload, listAttachments } from '../domain/attachments/upload';
import { addGrant, getDocument, listDocuments, listGrants, putDocument, removeGrant } from '../domain/documents';
import { publishDocuments, type BatchOutcome } from '../domain/documents-batch';
import { createLink, listLinks, revokeLink } from '../domain/share-links/staff';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { actorOf } from '../http-kit/principal';
import { toProblem } from '../http-kit/problem';
import { log } from '../platform/log';
import { attachmentDeps, documentsDeps } from '../wiring/documents';
import { verifyStaffRights } from '../wiring/staff-rights';

/** The staff's documents, grants, attachments and share-links routes. */
type DocumentParams = { type: DocumentType; id: string };
type GrantParams = DocumentParams & { contactId: string };
type AttachmentParams = DocumentParams & { attachmentId: string };
type LinkParams = DocumentParams & { linkId: string };

/** A failed document carries the problem its own PUT would have answered (the one error mapping). */
function batchResultOf(line: BatchOutcome, requestId: string): BatchResult {
  if (line.outcome !== 'failed') return line;
  const { problem } = toProblem(line.error, requestId);
  if (problem.status >= 500) log.error('batch document failed', { requestId, type: line.type, id: line.id, error: line.error });
  return { type: line.type, id: line.id, outcome: 'failed', error: problem };
}

export const handler = httpFunction('documents', {
  putDocument: async (req: HttpRequest<PutDocumentInput, unknown, DocumentParams>) => {
    const { document, created } = await putDocument(documentsDeps(), req.params.type, req.params.id, req.body);
    return { status: created ? 201 : 200, body: document, ...(created ? { headers: { location: `/documents/${document.type}/${document.id}` } } : {}) };
  },
  publishDocuments: async (req: HttpRequest<BatchInput>) => ({
    status: 200,
    body: { results: (await publishDocuments(documentsDeps(), req.body.documents)).map((line) => batchResultOf(line, req.requestId)) },
  }),
  getDocument: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
    status: 200,
    body: await getDocument(documentsDeps(), req.params.type, req.params.id),
  }),
  // The document's attachments go with it (their files too).
  deleteDocument: async (req: HttpRequest<unknown, unknown, DocumentParams>) => {
    await deleteDocumentAndAttachments(attachmentDeps(), req.params.type, req.params.id);
    return { status: 204 };
  },
  listDocuments: async (req: HttpRequest<unknown, ListDocumentsQuery>) => ({
    status: 200,
    body: await listDocuments(documentsDeps(), req.query),
  }),
  addGrant: async (req: HttpRequest<GrantInput, unknown, DocumentParams>) => ({
    status: 201,
    body: await addGrant(documentsDeps(), req.params.type, req.params.id, req.body, actorOf(req.principal)),
  }),
  removeGrant: async (req: HttpRequest<unknown, unknown, GrantParams>) => {
    await removeGrant(documentsDeps(), req.params.type, req.params.id, req.params.contactId, actorOf(req.principal));
    return { status: 204 };
  },
  listDocumentAccess: async (req: HttpRequest<unknown, { cursor?: string; limit: number }, DocumentParams>) => ({
    status: 200,
    body: await documentAccess(documentsDeps().access, req.params.type, req.params.id, req.query),
  }),
  listGrants: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
    status: 200,
    body: { items: await listGrants(documentsDeps(), req.params.type, req.params.id) },
  }),
  createAttachment: async (req: HttpRequest<CreateAttachmentInput, unknown, DocumentParams>) => ({
    status: 201,
    body: await announceUpload(attachmentDeps(), req.params.type, req.params.id, req.body),
  }),
  completeAttachment: async (req: HttpRequest<unknown, unknown, AttachmentParams>) => ({
    status: 200,
    body: await completeUpload(attachmentDeps(), req.params.type, req.params.id, req.params.attachmentId),
  }),
  listAttachments: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
    status: 200,
    body: await listAttachments(attachmentDeps(), req.params.type, req.params.id),
  }),
  deleteAttachment: async (req: HttpRequest<unknown, unknown, AttachmentParams>) => {
    await deleteAttachment(attachmentDeps(), req.params.type, req.params.id, req.params.attachmentId);
    return { status: 204 };
  },
  createLink: async (req: HttpRequest<CreateLinkInput, unknown, DocumentParams>) => ({
    status: 201,
    body: await createLink(documentsDeps().links, req.params.type, req.params.id, req.body, actorOf(req.principal)),
  }),
  listLinks: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
    status: 200,
    body: { items: await listLinks(documentsDeps().links, req.params.type, req.params.id) },
  }),
  revokeLink: async (req: HttpRequest<unknown, unknown, LinkParams>) => {
    await revokeLink(documentsDeps().links, req.params.type, req.params.id, req.params.linkId, actorOf(req.principal));
    return { status: 204 };
  },
}, { staffRights: verifyStaffRights });
