import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { verifyStaffRights } from '../adapters/staff-rights';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { dynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import type { DocumentType } from '../domain/document-types';
import {
  addGrant,
  deleteDocument,
  getDocument,
  listDocuments,
  listGrants,
  putDocument,
  removeGrant,
  type DocumentDeps,
} from '../domain/documents';
import type { ListDocumentsQuery, PutDocumentInput } from '../schemas/documents';

/** The staff's documents and grants routes. Dependencies are built once per container, on first use. */
let deps: DocumentDeps | undefined;

function documents(): DocumentDeps {
  deps ??= { store: dynamoDocumentStore(), contacts: new DynamoContactStore(), now: () => new Date() };
  return deps;
}

type DocumentParams = { type: DocumentType; id: string };
type GrantParams = DocumentParams & { contactId: string };

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
  deleteDocument: async (req: HttpRequest<unknown, unknown, DocumentParams>) => {
    await deleteDocument(documents(), req.params.type, req.params.id);
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
}, { staffRights: verifyStaffRights });
