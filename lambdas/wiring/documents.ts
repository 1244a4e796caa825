/** The staff's documents function: documents, grants and share links on the table. Env: TABLE_NAME, PORTAL_URL (share links' base). */
import { env } from '../contract/env';
import type { DocumentDeps } from '../domain/documents';
import type { OrderCursors } from '../domain/listing';
import type { StaffLinkDeps } from '../domain/share-links/ports';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { DynamoShareLinkStore } from '../adapters/dynamodb/share-links-store';
import { table } from './clients';
import { perContainer } from './container';

export const documentsDeps = perContainer((): DocumentDeps & { cursors: OrderCursors; links: StaffLinkDeps } => {
  const { db, name } = table();
  const store = new DynamoDocumentStore(db, name);
  const contacts = new DynamoContactReader(db, name);
  const now = () => new Date();
  return {
    store,
    contacts,
    now,
    cursors: orderCursor,
    links: { links: new DynamoShareLinkStore(db, name), documents: store, contacts, now, portalUrl: env('portalUrl') },
  };
});
