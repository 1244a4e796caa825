/**
 * Documents read and written in bulk for `POST /documents/batch`: the publications of several
 * documents in one TransactWriteItems — the very items each one's own transaction would have
 * (documents-store.ts), the counters they share merged — as many documents to a transaction as
 * DynamoDB's limits (100 items, 4 MB) allow, a customer's documents together; and one BatchGetItem
 * of the documents found to exist (strongly consistent, unprocessed keys asked again). A transaction
 * its conditions refused says, per item, which refused (the cancellation's reasons): those documents
 * are answered (`exists`, or `refused`: their PUT follows), the others written together again. One
 * that met a concurrent transaction on a shared item (a customer's holdings: several back offices
 * publishing to the same customers at once) is tried again after a short random pause, a few times,
 * before its documents go to their PUTs one by one. A transaction the table fails otherwise (throttled
 * beyond the SDK's retries, unavailable) fails its documents with that error; the other transactions
 * stand, and each line says what became of it.
 */
import { BatchGetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DocumentType } from '../../contract/document-types';
import type { DocumentBatchStore, Publication, WriteOutcome } from '../../domain/documents-batch';
import type { StoredDocument, StoredGrant } from '../../domain/documents';
import { ENTITY, keys } from '../../contract/keys';
import { cancellationReasons, isTransactionCancelled } from './conditions';
import { DynamoDocumentStore, toDocument, type TransactItem } from './documents-store';
import { TableStore } from './table-store';
import { keysLeftUnprocessed, UNPROCESSED_ROUNDS, unprocessedPause } from './unprocessed';

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

/**
 * A group that met concurrent transactions is written together again up to this many times, after
 * a pause drawn between half and all of 25 ms × 2^attempt (attempt 0, 1, 2: at most 175 ms in all): on DynamoDB the
 * other transaction holds the shared item for milliseconds, and 100 PUTs cost far more than the wait.
 */
const CONFLICT_RETRIES = 3;
// Stryker disable next-line ArithmeticOperator,MethodExpression: the pause's length is timing, not an outcome
const conflictPause = (attempt: number) => 25 * 2 ** attempt * (0.5 + Math.random() / 2);

type Footprint = { keys: ReadonlySet<string>; bytes: number };
/** How writing a group together ended: see `#writeTogether`. */
type Together = 'written' | 'conflict' | 'alone' | Map<number, Exclude<WriteOutcome, 'written'>>;
const keyOfItem = (item: TransactItem) => (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as Key;

/**
 * The changes (by index) in groups whose merged transaction stays within the limits, each group's
 * customers together (sorted by customer, so that a customer's counters and holdings merge into one
 * update per group rather than one per group it is spread over). A group's items are at most the
 * distinct keys of its publications' own transactions (counters merge, or cancel out); a change
 * alone always fits (its PUT's transaction).
 */
function groups(changes: readonly Publication[], footprints: readonly Footprint[]): number[][] {
  const order = changes.map((_, index) => index).sort((a, b) => {
    const [x, y] = [changes[a]!.document.customerId, changes[b]!.document.customerId];
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const all: number[][] = [];
  let [current, keys, bytes] = [[] as number[], new Set<string>(), 0];
  for (const index of order) {
    const footprint = footprints[index]!;
    const added = [...footprint.keys].filter((key) => !keys.has(key)).length;
    if (current.length > 0 && (keys.size + added > TRANSACTION_ITEMS || bytes + footprint.bytes > TRANSACTION_BYTES)) {
      all.push(current);
      [current, keys, bytes] = [[], new Set(), 0];
    }
    current.push(index);
    for (const key of footprint.keys) keys.add(key);
    bytes += footprint.bytes;
  }
  if (current.length > 0) all.push(current);
  return all;
}

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

  grants(type: DocumentType, id: string): Promise<StoredGrant[]> {
    return this.#documents.grants(type, id);
  }

  async writeAll(changes: readonly Publication[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = new Array<WriteOutcome>(changes.length).fill('refused');
    const footprints = changes.map((change) => this.#footprint(change));
    // The groups share no item (a customer's documents are in one group), so they are written at once.
    await Promise.all(
      groups(changes, footprints).map(async (group) => {
        let pending = group;
        let conflicts = 0;
        while (pending.length > 0) {
          let outcome: Together;
          try {
            outcome = await this.#writeTogether(pending.map((index) => changes[index]!), pending.map((index) => footprints[index]!.keys));
          } catch (error) {
            // The table failed this transaction (throttled, unavailable): its documents fail with that error, the other groups stand.
            for (const index of pending) outcomes[index] = { error };
            break;
          }
          if (outcome === 'written') for (const index of pending) outcomes[index] = 'written';
          if (outcome === 'conflict' && conflicts < CONFLICT_RETRIES) {
            await pause(conflictPause(conflicts++));
            continue;
          }
          if (typeof outcome === 'string') break;
          // Refused by the conditions of some of them: those are answered (`exists`: the domain reads and replaces them;
          // `refused`: their PUT, which says why), the others written together again.
          for (const [n, why] of outcome) outcomes[pending[n]!] = why;
          pending = pending.filter((_, n) => !outcome.has(n));
        }
      }),
    );
    return outcomes;
  }

  /** A publication's items alone (its PUT's transaction): their keys, and their size. */
  #footprint(change: Publication): Footprint {
    const items = this.#documents.publicationItems([change]);
    return { keys: new Set(items.map((item) => keyText(keyOfItem(item)))), bytes: items.reduce((sum, item) => sum + bytesOf(item), 0) };
  }

  /**
   * One transaction of several publications (nothing of it is written unless it answers `written`):
   * `conflict` when it met a concurrent transaction and no condition refused; `alone` when it cannot
   * be shared or was cancelled for a reason that names no publication (their PUTs follow); or which
   * of them (by position) a condition refused, and why, read from the cancellation's reasons (an item
   * shared by several — a customer's holdings — names them all): `exists` for a create refused by its
   * document's item alone, `refused` for anything else.
   */
  async #writeTogether(changes: readonly Publication[], owned: readonly ReadonlySet<string>[]): Promise<Together> {
    const items = this.#documents.publicationItems(changes);
    // Two publications with an own item in common cannot share a transaction (a batch names each document once).
    if (new Set(items.map((item) => keyText(keyOfItem(item)))).size !== items.length) return 'alone';
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'written';
    } catch (error) {
      if ((error as { name?: string }).name === 'TransactionConflictException') return 'conflict';
      if (!isTransactionCancelled(error)) throw error;
      const reasons = cancellationReasons(error);
      const refusedKeys = new Set<string>();
      reasons.forEach((reason, i) => {
        if (reason.Code === 'ConditionalCheckFailed' && items[i]) refusedKeys.add(keyText(keyOfItem(items[i])));
      });
      if (refusedKeys.size === 0 && reasons.some((reason) => reason.Code === 'TransactionConflict')) return 'conflict';
      const refused = new Map<number, Exclude<WriteOutcome, 'written'>>();
      changes.forEach((change, n) => {
        const own = [...owned[n]!].filter((key) => refusedKeys.has(key));
        if (own.length === 0) return;
        const onlyItsDocument = change.kind === 'create' && own.length === 1 && own[0] === keyText(keys.document(change.document.type, change.document.id));
        refused.set(n, onlyItsDocument ? 'exists' : 'refused');
      });
      // Reasons that name no publication: all of them as their PUT.
      return refused.size > 0 ? refused : 'alone';
    }
  }

  /** BatchGetItem by 100 keys, consistent; unprocessed keys asked again a few rounds (unprocessed.ts). */
  async #getAll(wanted: readonly Key[], projection: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } = {}): Promise<Record<string, unknown>[]> {
    const unique = [...new Map(wanted.map((key) => [keyText(key), key])).values()];
    const found: Record<string, unknown>[] = [];
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Key[] = unique.slice(start, start + 100);
      for (let round = 0; pending.length > 0; round++) {
        if (round === UNPROCESSED_ROUNDS) throw keysLeftUnprocessed();
        if (round > 0) await unprocessedPause(round);
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true, ...projection } } }));
        found.push(...(out.Responses?.[this.table] ?? []));
        pending = (out.UnprocessedKeys?.[this.table]?.Keys ?? []) as Key[];
      }
    }
    return found;
  }
}
