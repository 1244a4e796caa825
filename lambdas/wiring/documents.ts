/**
 * The staff's documents function: documents and grants on the table (one at a time or in batches),
 * and share links. Env: TABLE_NAME, PORTAL_URL (share links' base).
 */
import { env } from '../contract/env';
import type { DocumentBatchDeps } from '../domain/documents-batch';
import type { OrderCursors } from '../domain/listing';
import type { StaffLinkDeps } from '../domain/share-links/ports';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentBatchStore } from '../adapters/dynamodb/documents-batch-store';
import { DynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { DynamoShareLinkStore } from '../adapters/dynamodb/share-links-store';
import { table } from './clients';
import { perContainer } from './container';

export const documentsDeps = perContainer((): DocumentBatchDeps & { cursors: OrderCursors; links: StaffLinkDeps } => {
  const { db, name } = table();
  const store = new DynamoDocumentStore(db, name);
  const contacts = new DynamoContactReader(db, name);
  const now = () => new Date();
  return {
    store,
    batch: new DynamoDocumentBatchStore(db, name),
    contacts,
    now,
    cursors: orderCursor,
    links: { links: new DynamoShareLinkStore(db, name), documents: store, contacts, now, portalUrl: env('portalUrl') },
  };
});
