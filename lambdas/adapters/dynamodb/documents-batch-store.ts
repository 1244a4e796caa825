/**
 * Documents read and written in bulk for `POST /documents/batch`: one BatchGetItem for the
 * documents and one for their customers (strongly consistent, unprocessed keys asked again), and
 * the changes of several documents in one TransactWriteItems — the very items each change's own
 * transaction would have (documents-store.ts), the count updates of one customer and type added up
 * into one, the customer checks once each (a transaction may touch an item only once).
 */
import { BatchGetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DocumentType } from '../../contract/document-types';
import type { DocumentBatchStore } from '../../domain/documents-batch';
import type { DocumentChange, StoredDocument } from '../../domain/documents';
import { ENTITY, keys } from '../../contract/keys';
import { isTransactionCancelled } from './conditions';
import { DynamoDocumentStore, toDocument, type TransactItem } from './documents-store';
import { TableStore } from './table-store';

type Key = { pk: string; sk: string };
const keyText = (key: Key) => `${key.pk}\u0000${key.sk}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoDocumentBatchStore extends TableStore implements DocumentBatchStore {
  readonly #documents: DynamoDocumentStore;

  constructor(db: DynamoDBDocumentClient, table: string) {
    super(db, table);
    this.#documents = new DynamoDocumentStore(db, table);
  }

  async getMany(wanted: readonly { type: DocumentType; id: string }[]): Promise<Map<string, StoredDocument>> {
    const found = new Map<string, StoredDocument>();
    for (const item of await this.#getAll(wanted.map(({ type, id }) => keys.document(type, id))))
      if (item.entity === ENTITY.document) found.set(`${String(item.type)}#${String(item.id)}`, { document: toDocument(item), version: Number(item.version) });
    return found;
  }

  async liveContacts(ids: readonly string[]): Promise<Set<string>> {
    const items = await this.#getAll(ids.map((id) => keys.contact(id)));
    return new Set(items.filter((item) => item.entity === ENTITY.contact && item.archived === false).map((item) => String(item.id)));
  }

  grantees(type: DocumentType, id: string): Promise<string[]> {
    return this.#documents.grantees(type, id);
  }

  async writeTogether(changes: readonly DocumentChange[]): Promise<boolean> {
    const items = merged(changes.flatMap((change) => this.#documents.changeItems(change)));
    if (!items) return false;
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      // A condition refused, a concurrent transaction met, or an item refused: the documents go one by
      // one (their PUT), which says which of them it was.
      if (isTransactionCancelled(error) || (error as { name?: string }).name === 'TransactionConflictException') return false;
      throw error;
    }
  }

  /** BatchGetItem by 100 keys, consistent; unprocessed keys asked again (with a little backoff). */
  async #getAll(wanted: readonly Key[]): Promise<Record<string, unknown>[]> {
    const unique = [...new Map(wanted.map((key) => [keyText(key), key])).values()];
    const found: Record<string, unknown>[] = [];
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Key[] = unique.slice(start, start + 100);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await pause(Math.min(1000, 20 * 2 ** attempt));
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }));
        found.push(...(out.Responses?.[this.table] ?? []));
        pending = (out.UnprocessedKeys?.[this.table]?.Keys ?? []) as Key[];
      }
    }
    return found;
  }
}

/**
 * The items of several changes as one transaction: a count touched by several documents becomes one
 * update of their summed delta, a customer checked by several becomes one check. Any other item
 * touched twice cannot be merged: `undefined`, and the documents go one by one.
 */
function merged(items: readonly TransactItem[]): TransactItem[] | undefined {
  const byKey = new Map<string, TransactItem>();
  for (const item of items) {
    const key = (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as Key;
    const text = keyText(key);
    const earlier = byKey.get(text);
    if (!earlier) {
      byKey.set(text, item);
      continue;
    }
    if (earlier.ConditionCheck && item.ConditionCheck && earlier.ConditionCheck.ConditionExpression === item.ConditionCheck.ConditionExpression) continue;
    const [a, b] = [earlier.Update?.ExpressionAttributeValues?.[':delta'], item.Update?.ExpressionAttributeValues?.[':delta']];
    if (typeof a === 'number' && typeof b === 'number' && key.pk.startsWith(keys.documentCountPartition(''))) {
      byKey.set(text, { Update: { ...earlier.Update!, ExpressionAttributeValues: { ...earlier.Update!.ExpressionAttributeValues, ':delta': a + b } } });
      continue;
    }
    return undefined;
  }
  return [...byKey.values()];
}
