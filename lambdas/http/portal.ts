import { httpFunction, type HttpRequest } from '../http-kit/handler';
import type { Principal } from '../http-kit/principal';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { dynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { dynamoPortalSessionStore } from '../adapters/dynamodb/portal-session-store';
import type { ContactRecord } from '../domain/contact-record';
import type { DocumentType } from '../contract/document-types';
import { Unauthenticated } from '../contract/errors';
import { portalUser, type PortalSessionStore } from '../domain/portal-session';
import { getVisible, portalDocuments, portalMe, type VisibilityStore } from '../domain/visibility';
import type { PortalDocumentsQuery } from '../contract/schemas/documents';

/** The portal's read-only routes; writes under /portal never reach here (the kit answers 405). */
let deps: { session: PortalSessionStore; documents: VisibilityStore; contacts: DynamoContactStore } | undefined;

function portal() {
  deps ??= { session: dynamoPortalSessionStore(), documents: dynamoDocumentStore(), contacts: new DynamoContactStore() };
  return deps;
}

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
    listPortalDocuments: async (req: HttpRequest<unknown, PortalDocumentsQuery>) => ({
      status: 200,
      body: await portalDocuments({ documents: portal().documents, cursors: orderCursor }, callerOf(req), req.query),
    }),
    getPortalDocument: async (req: HttpRequest<unknown, unknown, { type: DocumentType; id: string }>) => {
      const me = callerOf(req);
      return { status: 200, body: await getVisible(portal().documents, me, req.params.type, req.params.id) };
    },
  },
  { authorize: viewer },
);
