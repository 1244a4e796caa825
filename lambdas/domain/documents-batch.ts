/**
 * Publishing many documents at once (`POST /documents/batch`): each document on its own, exactly as
 * its `PUT` would be — the same validation (its problems at `documents.<i>.<field>`), the same
 * customer check, the same counts and grant copies, `created` or `replaced` — but read and written
 * in bulk: one read of all the documents, one of all their customers, then the changes of many
 * documents in one transaction (their counts added up per customer and type). Should such a
 * transaction be refused (a document or a customer changed since it was read), its documents go
 * one by one through `putDocument`, the `PUT` itself, with its retries: the outcome of each is
 * then exactly the `PUT`'s. A document named twice fails on its later line.
 */
import type { DocumentType } from '../contract/document-types';
import { Invalid } from '../contract/errors';
import { parseBatchDocument, type BatchDocument } from '../contract/schemas/documents';
import { putDocument, type DocumentChange, type DocumentDeps, type StoredDocument } from './documents';
import type { Document } from '../contract/schemas/documents';
import { mapBounded } from './portal-access/lines';

export interface DocumentBatchStore {
  /** The documents that exist, by `type#id` (strongly consistent). */
  getMany(keys: readonly { type: DocumentType; id: string }[]): Promise<Map<string, StoredDocument>>;
  /** The non-archived contacts among `ids` (strongly consistent). */
  liveContacts(ids: readonly string[]): Promise<Set<string>>;
  /** The explicit grantees of a document (its `PUT` rewrites their copies). */
  grantees(type: DocumentType, id: string): Promise<string[]>;
  /**
   * Writes several changes as one transaction, or as few as its limits need; `false` when a condition
   * refused one of them (nothing of that transaction is written).
   */
  writeTogether(changes: readonly DocumentChange[]): Promise<boolean>;
}

export interface DocumentBatchDeps extends DocumentDeps {
  batch: DocumentBatchStore;
}

export type BatchOutcome = { type: string; id: string } & ({ outcome: 'created' | 'replaced' } | { outcome: 'failed'; error: unknown });

const keyOf = (type: string, id: string) => `${type}#${id}`;
/** Grantee lists read at once while planning (a Query each, only for documents that exist). */
const GRANTEE_READS = 8;
/** What a result echoes of a line that named no valid document: a string as given, bounded. */
const echo = (value: unknown) => (typeof value === 'string' ? value.slice(0, 128) : '');

export async function publishDocuments(deps: DocumentBatchDeps, lines: readonly unknown[]): Promise<BatchOutcome[]> {
  const results: BatchOutcome[] = new Array(lines.length);
  const valid: { index: number; document: BatchDocument }[] = [];
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    const raw = (typeof line === 'object' && line !== null ? line : {}) as { type?: unknown; id?: unknown };
    const parsed = parseBatchDocument(line, index);
    if (!parsed.success) {
      results[index] = { type: echo(raw.type), id: echo(raw.id), outcome: 'failed', error: parsed.error };
      return;
    }
    const key = keyOf(parsed.data.type, parsed.data.id);
    if (seen.has(key)) {
      results[index] = { type: parsed.data.type, id: parsed.data.id, outcome: 'failed', error: new Invalid('This document appears on an earlier line.', `documents.${index}.id`) };
      return;
    }
    seen.add(key);
    valid.push({ index, document: parsed.data });
  });
  if (valid.length === 0) return results;

  const [existing, live] = await Promise.all([
    deps.batch.getMany(valid.map(({ document }) => ({ type: document.type, id: document.id }))),
    deps.batch.liveContacts([...new Set(valid.map(({ document }) => document.customerId))]),
  ]);
  const at = deps.now().toISOString();
  // A replace rewrites its grantees' copies: their lists are read a few at a time.
  const plans = await mapBounded(valid, GRANTEE_READS, async ({ index, document: input }) => {
    const { type, id, ...body } = input;
    if (!live.has(input.customerId)) {
      results[index] = { type, id, outcome: 'failed', error: new Invalid(`No such contact: ${input.customerId}.`, `documents.${index}.customerId`) };
      return undefined;
    }
    const previous = existing.get(keyOf(type, id));
    const document: Document = { type, id, ...body, createdAt: previous?.document.createdAt ?? at, updatedAt: at };
    if (!previous) return { index, input, change: { kind: 'create', document } satisfies DocumentChange };
    const all = await deps.batch.grantees(type, id);
    const change: DocumentChange = {
      kind: 'replace',
      previous,
      document,
      grantees: all.filter((contactId) => contactId !== document.customerId),
      dropGrants: all.filter((contactId) => contactId === document.customerId),
    };
    return { index, input, change };
  });
  const planned = plans.filter((plan) => plan !== undefined);

  for (const chunk of chunks(planned)) {
    if (await deps.batch.writeTogether(chunk.map((p) => p.change))) {
      for (const { index, input, change } of chunk) results[index] = { type: input.type, id: input.id, outcome: change.kind === 'create' ? 'created' : 'replaced' };
      continue;
    }
    // Something changed since it was read: each document of this chunk as its own PUT.
    for (const { index, input } of chunk) {
      const { type, id, ...body } = input;
      try {
        const { created } = await putDocument(deps, type, id, body);
        results[index] = { type, id, outcome: created ? 'created' : 'replaced' };
      } catch (error) {
        results[index] = { type, id, outcome: 'failed', error: atLine(error, index) };
      }
    }
  }
  return results;
}

/** A `PUT`'s refusal, its path moved to the batch line (`customerId` → `documents.3.customerId`). */
function atLine(error: unknown, index: number): unknown {
  if (error instanceof Invalid && error.path !== undefined) return new Invalid(error.message, `documents.${index}.${error.path}`);
  return error;
}

/**
 * Changes a transaction can hold: DynamoDB allows 100 items and 4 MB, and every document takes its
 * own item, its grant copies (each a copy of the document) and its counts (two when it moves to
 * another customer), plus one check per customer. Sizes are estimated generously (JSON × 1.5, as
 * DynamoDB's encoding of small numbers can take) against a 3 MB budget.
 */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_BYTES = 3 * 1024 * 1024;
const itemsOf = (change: DocumentChange) => (change.kind === 'replace' ? 1 + change.grantees.length + change.dropGrants.length + 2 : 1);
const bytesOf = (change: DocumentChange) => {
  const copies = change.kind === 'replace' ? 1 + change.grantees.length : 1;
  return copies * 1.5 * (JSON.stringify((change as { document: Document }).document).length + 600);
};

function chunks<T extends { change: DocumentChange }>(planned: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let customers = new Set<string>();
  let counts = new Set<string>();
  let items = 0;
  let bytes = 0;
  const cost = (p: T) => {
    const { document } = p.change as { document: Document };
    const previous = p.change.kind === 'replace' ? p.change.previous.document : undefined;
    const newCustomer = customers.has(document.customerId) ? 0 : 1;
    const newCount = counts.has(`${document.customerId}#${document.type}`) ? 0 : 1;
    return itemsOf(p.change) + newCustomer + newCount + (previous && previous.customerId !== document.customerId ? 1 : 0);
  };
  for (const p of planned) {
    const needs = cost(p);
    const size = bytesOf(p.change);
    if (current.length > 0 && (items + needs > TRANSACTION_ITEMS || bytes + size > TRANSACTION_BYTES)) {
      out.push(current);
      [current, customers, counts, items, bytes] = [[], new Set(), new Set(), 0, 0];
    }
    const { document } = p.change as { document: Document };
    items += cost(p);
    bytes += size;
    customers.add(document.customerId);
    counts.add(`${document.customerId}#${document.type}`);
    current.push(p);
  }
  if (current.length > 0) out.push(current);
  return out;
}
