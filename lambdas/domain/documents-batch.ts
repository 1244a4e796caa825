/**
 * Publishing many documents at once (`POST /documents/batch`): each document on its own, exactly as
 * its `PUT` would be — the same validation (its problems at `documents.<i>.<field>`), the same
 * customer check, the same counts and grant copies, `created` or `replaced` — but written in bulk:
 * the changes of many documents in one transaction (the counters they share moved once, by their sum).
 * Written first, read only where needed: every document is first written as new, under the very
 * conditions of a `PUT`'s create (the document absent, its customer there and not archived); those
 * found to exist are then read together and written as replaces. Whatever else refuses a document
 * (its customer missing or archived, a change since it was read) sends it alone through
 * `putDocument`, the `PUT` itself, with its reads and retries (its outcome — or its refusal, e.g. the
 * customer's `400` — is then exactly the `PUT`'s); the others are written together. A document named
 * twice fails on its later line. A write or read the table fails (throttled, unavailable) fails the
 * lines that needed it with that error (their `503`), and the others stand.
 */
import type { DocumentType } from '../contract/document-types';
import { Invalid } from '../contract/errors';
import { sliceWhole, wellFormed } from '../contract/text';
import { parseBatchDocument, type BatchDocument } from '../contract/schemas/documents';
import { putDocument, type DocumentChange, type DocumentDeps, type StoredDocument, type StoredGrant } from './documents';
import type { Document } from '../contract/schemas/documents';
import { mapBounded } from './portal-access/lines';

export interface DocumentBatchStore {
  /** The documents that exist, by `type#id` (strongly consistent). */
  getMany(keys: readonly { type: DocumentType; id: string }[]): Promise<Map<string, StoredDocument>>;
  /** The explicit grants of a document (its `PUT` rewrites their copies). */
  grants(type: DocumentType, id: string): Promise<StoredGrant[]>;
  /**
   * Writes the publications, several to a transaction, as many transactions as DynamoDB's limits
   * need; per publication: `written`; `exists` (a create refused only because its document exists);
   * `refused` (any other condition of its own refused it, or its transaction met a concurrent
   * one); or `{ error }` (the table failed its transaction: throttled, unavailable). Nothing of a
   * publication that was not written was written.
   */
  writeAll(changes: readonly Publication[]): Promise<WriteOutcome[]>;
}

export type WriteOutcome = 'written' | 'exists' | 'refused' | { error: unknown };

/** What a batch writes: creates and replaces (each of a distinct document). */
export type Publication = Extract<DocumentChange, { kind: 'create' | 'replace' }>;

export interface DocumentBatchDeps extends DocumentDeps {
  batch: DocumentBatchStore;
}

export type BatchOutcome = { type: string; id: string } & ({ outcome: 'created' | 'replaced' } | { outcome: 'failed'; error: unknown });

const keyOf = (type: string, id: string) => `${type}#${id}`;
/** Grantee lists read at once while planning (a Query each, only for documents that exist). */
const GRANTEE_READS = 8;
/** What a result echoes of a line that named no valid document: a string as given, bounded, never half a surrogate pair (at the cut or in it). */
const echo = (value: unknown) => (typeof value === 'string' ? wellFormed(sliceWhole(value, 128)) : '');

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

  const at = deps.now().toISOString();
  const documentOf = ({ type, id, ...body }: BatchDocument, previous?: StoredDocument): Document => ({ type, id, ...body, createdAt: previous?.document.createdAt ?? at, updatedAt: at });
  const alone: Line[] = [];
  // First as new documents: a back office's sync of new documents is written without a read.
  const creates = await deps.batch.writeAll(valid.map(({ document }) => ({ kind: 'create', document: documentOf(document) })));
  const existing: Line[] = [];
  const fail = (line: Line, error: unknown) => (results[line.index] = { type: line.document.type, id: line.document.id, outcome: 'failed', error });
  valid.forEach((line, n) => {
    const outcome = creates[n]!;
    if (outcome === 'written') results[line.index] = { type: line.document.type, id: line.document.id, outcome: 'created' };
    else if (typeof outcome === 'object') fail(line, outcome.error);
    else (outcome === 'exists' ? existing : alone).push(line);
  });

  if (existing.length > 0) {
    // Those that exist, read together; a replace rewrites its grantees' copies: their lists are read a few at a time.
    // A read the table fails fails the lines that needed it (each says so), not the batch.
    const stored = await deps.batch.getMany(existing.map(({ document }) => ({ type: document.type, id: document.id }))).catch((error: unknown) => {
      for (const line of existing) fail(line, error);
      return undefined;
    });
    const plans = !stored
      ? []
      : await mapBounded(existing, GRANTEE_READS, async (line) => {
          const previous = stored.get(keyOf(line.document.type, line.document.id));
          if (!previous) return 'alone' as const; // gone again since: its PUT decides
          const document = documentOf(line.document, previous);
          let all: StoredGrant[];
          try {
            all = await deps.batch.grants(document.type, document.id);
          } catch (error) {
            fail(line, error);
            return undefined;
          }
          const change: Publication = {
            kind: 'replace',
            previous,
            document,
            grants: all.filter((grant) => grant.contactId !== document.customerId),
            dropGrants: all.filter((grant) => grant.contactId === document.customerId),
          };
          return { line, change };
        });
    const planned = plans.filter((plan) => typeof plan === 'object');
    alone.push(...existing.filter((_, n) => plans[n] === 'alone'));
    const replaces = planned.length > 0 ? await deps.batch.writeAll(planned.map((plan) => plan.change)) : [];
    planned.forEach(({ line }, n) => {
      const outcome = replaces[n]!;
      if (outcome === 'written') results[line.index] = { type: line.document.type, id: line.document.id, outcome: 'replaced' };
      else if (typeof outcome === 'object') fail(line, outcome.error);
      else alone.push(line);
    });
  }

  // Refused for a reason of its own (its customer, or a change meanwhile): this document as its own PUT, in line order.
  for (const { index, document: input } of alone.sort((a, b) => a.index - b.index)) {
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

type Line = { index: number; document: BatchDocument };

/** A `PUT`'s refusal, its path moved to the batch line (`customerId` → `documents.3.customerId`). */
function atLine(error: unknown, index: number): unknown {
  if (error instanceof Invalid && error.path !== undefined) return new Invalid(error.message, `documents.${index}.${error.path}`);
  return error;
}
