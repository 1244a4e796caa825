/** The staff's documents function: documents and grants on the table. Env: TABLE_NAME. */
import type { DocumentDeps } from '../domain/documents';
import type { OrderCursors } from '../domain/listing';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { table } from './clients';
import { perContainer } from './container';

export const documentsDeps = perContainer((): DocumentDeps & { cursors: OrderCursors } => {
  const { db, name } = table();
  return { store: new DynamoDocumentStore(db, name), contacts: new DynamoContactReader(db, name), now: () => new Date(), cursors: orderCursor };
});
