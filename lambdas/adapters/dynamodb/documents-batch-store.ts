/**
 * Documents read and written in bulk for `POST /documents/batch`: one BatchGetItem for the
 * documents and one for their customers (strongly consistent, unprocessed keys asked again), and
 * the publications of several documents in one TransactWriteItems — the very items each one's own
 * transaction would have (documents-store.ts), the counters they share merged — as many documents
 * to a transaction as DynamoDB's limits (100 items, 4 MB) allow.
 */
import { BatchGetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DocumentType } from '../../contract/document-types';
import type { DocumentBatchStore, Publication } from '../../domain/documents-batch';
import type { StoredDocument, StoredGrant } from '../../domain/documents';
import { ENTITY, keys } from '../../contract/keys';
import { isTransactionCancelled } from './conditions';
import { DynamoDocumentStore, toDocument, type TransactItem } from './documents-store';
import { TableStore } from './table-store';

type Key = { pk: string; sk: string };
const keyText = (key: Key) => `${key.pk}\u0000${key.sk}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** DynamoDB's limits of one transaction: 100 items and 4 MB, of which the size estimate below takes at most 3. */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_BYTES = 3 * 1024 * 1024;
/**
 * A generous estimate of an item's size in DynamoDB: its JSON × 1.5 (small numbers in lists can take
 * that in DynamoDB's encoding) plus the request's own overhead per item.
 */
const bytesOf = (item: TransactItem) => 1.5 * JSON.stringify(item).length + 200;

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
    const items = await this.#getAll(
      ids.map((id) => keys.contact(id)),
      { ProjectionExpression: '#id, #entity, #archived', ExpressionAttributeNames: { '#id': 'id', '#entity': 'entity', '#archived': 'archived' } },
    );
    return new Set(items.filter((item) => item.entity === ENTITY.contact && item.archived === false).map((item) => String(item.id)));
  }

  grants(type: DocumentType, id: string): Promise<StoredGrant[]> {
    return this.#documents.grants(type, id);
  }

  async writeAll(changes: readonly Publication[]): Promise<boolean[]> {
    const written: boolean[] = new Array(changes.length).fill(false);
    for (const group of this.#groups(changes)) {
      const ok = await this.#writeTogether(group.map((index) => changes[index]!));
      for (const index of group) written[index] = ok;
    }
    return written;
  }

  /** The changes (by index, in order) in groups whose merged transaction stays within the limits; a change alone always fits (its PUT's transaction). */
  #groups(changes: readonly Publication[]): number[][] {
    const groups: number[][] = [];
    let current: number[] = [];
    let bytes = 0;
    changes.forEach((change, index) => {
      const size = this.#documents.publicationItems([change]).reduce((sum, item) => sum + bytesOf(item), 0);
      const items = this.#documents.publicationItems([...current, index].map((i) => changes[i]!)).length;
      if (current.length > 0 && (items > TRANSACTION_ITEMS || bytes + size > TRANSACTION_BYTES)) {
        groups.push(current);
        [current, bytes] = [[], 0];
      }
      current.push(index);
      bytes += size;
    });
    if (current.length > 0) groups.push(current);
    return groups;
  }

  async #writeTogether(changes: readonly Publication[]): Promise<boolean> {
    const items = this.#documents.publicationItems(changes);
    // Two publications with an own item in common cannot share a transaction (a batch names each document once).
    if (new Set(items.map((item) => keyText((item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as Key))).size !== items.length)
      return false;
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
  async #getAll(wanted: readonly Key[], projection: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } = {}): Promise<Record<string, unknown>[]> {
    const unique = [...new Map(wanted.map((key) => [keyText(key), key])).values()];
    const found: Record<string, unknown>[] = [];
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Key[] = unique.slice(start, start + 100);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await pause(Math.min(1000, 20 * 2 ** attempt));
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true, ...projection } } }));
        found.push(...(out.Responses?.[this.table] ?? []));
        pending = (out.UnprocessedKeys?.[this.table]?.Keys ?? []) as Key[];
      }
    }
    return found;
  }
}
