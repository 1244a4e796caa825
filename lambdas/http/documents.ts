import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { dynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import type { DocumentType } from '../domain/document-types';
import {
  addGrant,
  getDocument,
  listDocuments,
  listGrants,
  putDocument,
  removeGrant,
  type DocumentDeps,
} from '../domain/documents';
import type { ListDocumentsQuery, PutDocumentInput } from '../schemas/documents';
// Attachments (issue 18).
import { dynamoAttachmentStore } from '../adapters/dynamodb/attachments-store';
import { s3AttachmentObjects } from '../adapters/s3/attachment-objects';
import { announceUpload, completeUpload, deleteAttachment, deleteDocumentAndAttachments, listAttachments, type StaffAttachmentDeps } from '../domain/attachments';
import { envSeconds } from '../config';
import type { CreateAttachmentInput } from '../schemas/attachments';

/** The staff's documents and grants routes. Dependencies are built once per container, on first use. */
let deps: DocumentDeps | undefined;
let attachmentDeps: StaffAttachmentDeps | undefined;

function documents(): DocumentDeps {
  deps ??= { store: dynamoDocumentStore(), contacts: new DynamoContactStore(), now: () => new Date() };
  return deps;
}

function attachments(): StaffAttachmentDeps {
  attachmentDeps ??= {
    documents: documents().store,
    attachments: dynamoAttachmentStore(),
    objects: s3AttachmentObjects(),
    now: () => new Date(),
    uploadUrlSeconds: envSeconds('attachmentUploadUrlSeconds'),
  };
  return attachmentDeps;
}

type DocumentParams = { type: DocumentType; id: string };
type GrantParams = DocumentParams & { contactId: string };
type AttachmentParams = DocumentParams & { attachmentId: string };

/** A staff listing's cursor is bound to its filter: customer and type. */
const listingScope = (query: ListDocumentsQuery) => `documents:${query.customerId ?? '*'}:${query.type ?? '*'}`;

export const handler = httpFunction('documents', {
  putDocument: async (req: HttpRequest<PutDocumentInput, unknown, DocumentParams>) => {
    const { document, created } = await putDocument(documents(), req.params.type, req.params.id, req.body);
    return { status: created ? 201 : 200, body: document, ...(created ? { headers: { location: `/documents/${document.type}/${document.id}` } } : {}) };
  },
  getDocument: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
    status: 200,
    body: await getDocument(documents(), req.params.type, req.params.id),
  }),
  // The document's attachments go with it (their objects too).
  deleteDocument: async (req: HttpRequest<unknown, unknown, DocumentParams>) => {
    await deleteDocumentAndAttachments(attachments(), req.params.type, req.params.id);
    return { status: 204 };
  },
  listDocuments: async (req: HttpRequest<unknown, ListDocumentsQuery>) => {
    const { customerId, type, cursor, limit } = req.query;
    const scope = listingScope(req.query);
    const page = await listDocuments(documents(), { ...(customerId ? { customerId } : {}), ...(type ? { type } : {}) }, orderCursor.decode(cursor, scope), limit);
    return { status: 200, body: { items: page.items, ...(page.last ? { nextCursor: orderCursor.encode(scope, page.last) } : {}) } };
  },
  addGrant: async (req: HttpRequest<{ contactId: string }, unknown, DocumentParams>) => {
    await addGrant(documents(), req.params.type, req.params.id, req.body.contactId);
    return { status: 201, body: { contactId: req.body.contactId, implicit: false } };
  },
  removeGrant: async (req: HttpRequest<unknown, unknown, GrantParams>) => {
    await removeGrant(documents(), req.params.type, req.params.id, req.params.contactId);
    return { status: 204 };
  },
  listGrants: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
    status: 200,
    body: { items: await listGrants(documents(), req.params.type, req.params.id) },
  }),
  createAttachment: async (req: HttpRequest<CreateAttachmentInput, unknown, DocumentParams>) => ({
    status: 201,
    body: await announceUpload(attachments(), req.params.type, req.params.id, req.body),
  }),
  completeAttachment: async (req: HttpRequest<unknown, unknown, AttachmentParams>) => ({
    status: 200,
    body: await completeUpload(attachments(), req.params.type, req.params.id, req.params.attachmentId),
  }),
  listAttachments: async (req: HttpRequest<unknown, unknown, DocumentParams>) => ({
    status: 200,
    body: await listAttachments(attachments(), req.params.type, req.params.id),
  }),
  deleteAttachment: async (req: HttpRequest<unknown, unknown, AttachmentParams>) => {
    await deleteAttachment(attachments(), req.params.type, req.params.id, req.params.attachmentId);
    return { status: 204 };
  },
});
