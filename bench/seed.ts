/**
 * Documents for the bench, as the product writes them: every item is built by the documents store's
 * own item builders (`documentItem`, `documentCountItem` — the same keys, listing keys and counters
 * the PUT route's `create` transaction leaves), but written with BatchWriteItem, many batches at
 * once. One transaction per document would measure DynamoDB Local's transaction path (tens per
 * second here), not the portal's reads.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentCountItem, documentItem } from '../lambdas/adapters/dynamodb/documents-store';
import { DOCUMENT_TYPES, type DocumentType } from '../lambdas/contract/document-types';
import type { Document } from '../lambdas/contract/schemas/documents';

const CONCURRENCY = 16;
const BATCH = 25;
const DAY_MS = 86_400_000;

/** The `n` documents of one customer: all ten types, one date per ten documents going back in time. */
export function documentsOf(customerId: string, tag: string, n: number): Document[] {
  const at = new Date().toISOString();
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: n }, (_, i) => ({
    type: DOCUMENT_TYPES[i % DOCUMENT_TYPES.length]!,
    id: `${tag}-${i}`,
    customerId,
    name: `${tag.toUpperCase()}/${String(i).padStart(6, '0')}`,
    reference: `REF-${i}`,
    state: i % 3 === 0 ? 'paid' : 'posted',
    date: new Date(start - Math.floor(i / 10) * DAY_MS).toISOString().slice(0, 10),
    amount: ((i * 7919) % 100_000) / 100,
    currency: 'EUR',
    createdAt: at,
    updatedAt: at,
  }));
}

/** The count items of these documents (new customers only: the counts are written, not added to). */
export function countItemsOf(documents: readonly Document[]): Record<string, unknown>[] {
  const counts = new Map<string, { customerId: string; type: DocumentType; n: number }>();
  for (const d of documents) {
    const key = `${d.customerId}#${d.type}`;
    const entry = counts.get(key) ?? { customerId: d.customerId, type: d.type, n: 0 };
    entry.n += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].map((c) => documentCountItem(c.customerId, c.type, c.n));
}

/** Every item in batches of 25, CONCURRENCY batches at a time, unprocessed items again. */
export async function seedDocuments(db: DynamoDBDocumentClient, table: string, documents: readonly Document[]): Promise<void> {
  const items = [...documents.map((d) => documentItem(d, 1)), ...countItemsOf(documents)];
  let next = 0;
  const worker = async () => {
    for (let start = next; start < items.length; start = next) {
      next += BATCH;
      let requests = items.slice(start, start + BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed 10 times`);
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
        if (requests.length > 0) await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
