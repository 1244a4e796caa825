/**
 * Documents for the bench, as the product writes them: every item is built by the documents store's
 * own builders (`documentItem`, `holdingsUpdate` — the same keys, listing keys, holdings and per-type
 * counts on the customer's contact item that the PUT route's `create` transactions leave), but the
 * documents written with BatchWriteItem, many batches at once, and each customer's counters moved
 * once by their sum. One transaction per document would measure DynamoDB Local's transaction path
 * (tens per second here), not the portal's reads.
 */
import { BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentItem, holdingsUpdate, type HoldingsDelta } from '../lambdas/adapters/dynamodb/documents-store';
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

/** What these documents' creates move on each customer's contact item, summed: its holdings and its per-type counts. */
export function holdingsOf(documents: readonly Document[]): Map<string, HoldingsDelta> {
  const holdings = new Map<string, { documents: number; counts: Partial<Record<DocumentType, number>> }>();
  for (const d of documents) {
    const entry = holdings.get(d.customerId) ?? holdings.set(d.customerId, { documents: 0, counts: {} }).get(d.customerId)!;
    entry.documents += 1;
    entry.counts[d.type] = (entry.counts[d.type] ?? 0) + 1;
  }
  return holdings;
}

/**
 * Every document item in batches of 25, CONCURRENCY batches at a time, unprocessed items again; then
 * each customer's holdings and counts, one update each (its creates' updates, summed).
 */
export async function seedDocuments(db: DynamoDBDocumentClient, table: string, documents: readonly Document[]): Promise<void> {
  const items = documents.map((d) => documentItem(d, 1));
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
  for (const [customerId, delta] of holdingsOf(documents)) await db.send(new UpdateCommand(holdingsUpdate(table, customerId, delta, true)));
}
