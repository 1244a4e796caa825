/** The staff's documents function: documents and grants on the table, one at a time or in batches. Env: TABLE_NAME. */
import type { DocumentBatchDeps } from '../domain/documents-batch';
import type { OrderCursors } from '../domain/listing';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentBatchStore } from '../adapters/dynamodb/documents-batch-store';
import { DynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { table } from './clients';
import { perContainer } from './container';

export const documentsDeps = perContainer((): DocumentBatchDeps & { cursors: OrderCursors } => {
  const { db, name } = table();
  return {
    store: new DynamoDocumentStore(db, name),
    batch: new DynamoDocumentBatchStore(db, name),
    contacts: new DynamoContactReader(db, name),
    now: () => new Date(),
    cursors: orderCursor,
  };
});
