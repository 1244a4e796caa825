/** The read-only portal function: the access check and what a portal user sees. Env: TABLE_NAME. */
import type { ContactReader } from '../domain/documents';
import type { OrderCursors } from '../domain/listing';
import type { PortalSessionStore } from '../domain/portal-session';
import type { VisibilityStore } from '../domain/visibility';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { DynamoPortalSessionStore } from '../adapters/dynamodb/portal-session-store';
import { table } from './clients';
import { perContainer } from './container';

export interface PortalFunctionDeps {
  session: PortalSessionStore;
  documents: VisibilityStore;
  contacts: ContactReader;
  cursors: OrderCursors;
  /** The clock every portal decision is taken against (one reading per request). */
  now: () => Date;
}

export const portalDeps = perContainer((): PortalFunctionDeps => {
  const { db, name } = table();
  return {
    session: new DynamoPortalSessionStore(db, name),
    documents: new DynamoDocumentStore(db, name),
    contacts: new DynamoContactReader(db, name),
    cursors: orderCursor,
    now: () => new Date(),
  };
});
