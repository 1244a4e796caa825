/**
 * Publishing many documents at once (`POST /documents/batch`): each document on its own, exactly as
 * its `PUT` would be — the same validation (its problems at `documents.<i>.<field>`), the same
 * customer check, the same counts and grant copies, `created` or `replaced` — but read and written
 * in bulk: one read of all the documents, one of all their customers, then the changes of many
 * documents in one transaction (the counters they share moved once, by their sum). Should such a
 * transaction be refused (a document or a customer changed since it was read), the documents whose
 * conditions refused it go one by one through `putDocument`, the `PUT` itself, with its retries (the
 * outcome of each is then exactly the `PUT`'s), and the others are written together again. A
 * document named twice fails on its later line.
 */
import type { DocumentType } from '../contract/document-types';
import { Invalid } from '../contract/errors';
import { parseBatchDocument, type BatchDocument } from '../contract/schemas/documents';
import { putDocument, type DocumentChange, type DocumentDeps, type StoredDocument, type StoredGrant } from './documents';
import type { Document } from '../contract/schemas/documents';
import { mapBounded } from './portal-access/lines';

export interface DocumentBatchStore {
  /** The documents that exist, by `type#id` (strongly consistent). */
  getMany(keys: readonly { type: DocumentType; id: string }[]): Promise<Map<string, StoredDocument>>;
  /** The non-archived contacts among `ids` (strongly consistent). */
  liveContacts(ids: readonly string[]): Promise<Set<string>>;
  /** The explicit grants of a document (its `PUT` rewrites their copies). */
  grants(type: DocumentType, id: string): Promise<StoredGrant[]>;
  /**
   * Writes the publications, several to a transaction, as many transactions as DynamoDB's limits
   * need; per publication whether it was written (`false`: a condition of its own refused it, or its
   * transaction met a concurrent one; nothing of it was written).
   */
  writeAll(changes: readonly Publication[]): Promise<boolean[]>;
}

/** What a batch writes: creates and replaces (each of a distinct document). */
export type Publication = Extract<DocumentChange, { kind: 'create' | 'replace' }>;

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
  // Stryker disable next-line ArrayDeclaration: every index is written before the array is returned; its initial length is only a size hint
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
    if (!previous) return { index, input, change: { kind: 'create', document } satisfies Publication };
    const all = await deps.batch.grants(type, id);
    const change: Publication = {
      kind: 'replace',
      previous,
      document,
      grants: all.filter((grant) => grant.contactId !== document.customerId),
      dropGrants: all.filter((grant) => grant.contactId === document.customerId),
    };
    return { index, input, change };
  });
  const planned = plans.filter((plan) => plan !== undefined);

  const written = await deps.batch.writeAll(planned.map((p) => p.change));
  for (const [n, { index, input, change }] of planned.entries()) {
    if (written[n]) {
      results[index] = { type: input.type, id: input.id, outcome: change.kind === 'create' ? 'created' : 'replaced' };
      continue;
    }
    // Something changed since it was read: this document as its own PUT.
    const { type, id, ...body } = input;
    try {
      const { created } = await putDocument(deps, type, id, body);
      results[index] = { type, id, outcome: created ? 'created' : 'replaced' };
    } catch (error) {
      results[index] = { type, id, outcome: 'failed', error: atLine(error, index) };
    }
  }
  return results;
}

/** A `PUT`'s refusal, its path moved to the batch line (`customerId` → `documents.3.customerId`). */
function atLine(error: unknown, index: number): unknown {
  if (error instanceof Invalid && error.path !== undefined) return new Invalid(error.message, `documents.${index}.${error.path}`);
  return error;
}
