import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { StaleVersion, type DocumentChange, type DocumentStore, type StoredDocument, type StoredGrant } from '../../lambdas/domain/documents';
import { publishDocuments, type BatchOutcome, type DocumentBatchDeps, type DocumentBatchStore, type Publication, type WriteOutcome } from '../../lambdas/domain/documents-batch';
import { Conflict, Invalid } from '../../lambdas/contract/errors';
import type { DocumentType } from '../../lambdas/contract/document-types';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { toProblem } from '../../lambdas/http-kit/problem';

const T0 = new Date('2026-11-01T10:00:00.000Z');
const T1 = new Date('2026-11-02T10:00:00.000Z');

const contact = (id: string, archived = false): ContactRecord => ({
  id,
  kind: 'person',
  name: id,
  archived,
  portal: { status: 'none' },
  version: 1,
  createdAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
});

const stored = (document: Partial<Document> & { id: string; customerId: string }, version = 1): StoredDocument => ({
  document: { type: 'invoice', name: document.id, createdAt: T0.toISOString(), updatedAt: T0.toISOString(), ...document },
  version,
});

/**
 * One table of documents, grants and contacts behind both ports: a change is refused (StaleVersion,
 * or `exists` / `refused` for a batch's publication) when its document exists (a create), its version
 * moved since it was read, or its customer is missing or archived; a batch's other publications are
 * written — as the adapter's transactions and their retries do.
 */
function world(documents: StoredDocument[] = [], grants: Record<string, string[]> = {}, contacts: Record<string, boolean> = {}) {
  const docs = new Map(documents.map((s) => [`${s.document.type}#${s.document.id}`, s]));
  const granted = new Map(Object.entries(grants));
  const archived = new Map(Object.entries(contacts));
  const calls = { getMany: 0, writeAll: [] as Publication[][], write: [] as DocumentChange[] };
  /** Runs once, just before the `at`-th write (1: the first), batch or single: someone else's change. */
  let meanwhile: { at: number; fn: () => void } | undefined;
  let writes = 0;

  const keyOf = (d: Document) => `${d.type}#${d.id}`;
  const isLive = (id: string) => archived.has(id) && archived.get(id) === false;
  /** Why a publication is refused, if it is. */
  const refusal = (change: DocumentChange): Exclude<WriteOutcome, 'written'> | undefined => {
    if (change.kind !== 'create' && change.kind !== 'replace') throw new Error(`a batch writes no ${change.kind}`);
    const current = docs.get(keyOf(change.document));
    const live = isLive(change.document.customerId);
    if (change.kind === 'create' && current !== undefined) return live ? 'exists' : 'refused';
    if (change.kind === 'replace' && current?.version !== change.previous.version) return 'refused';
    return live ? undefined : 'refused';
  };
  const apply = (change: DocumentChange) => {
    if (change.kind === 'create') docs.set(keyOf(change.document), { document: change.document, version: 1 });
    if (change.kind === 'replace') {
      const key = keyOf(change.document);
      docs.set(key, { document: change.document, version: change.previous.version + 1 });
      granted.set(key, (granted.get(key) ?? []).filter((id) => !change.dropGrants.some((grant) => grant.contactId === id)));
    }
  };
  const happen = () => {
    writes++;
    if (meanwhile?.at !== writes) return;
    const { fn } = meanwhile;
    meanwhile = undefined;
    fn();
  };

  const store: DocumentStore = {
    get: async (type, id) => docs.get(`${type}#${id}`),
    grants: async (type, id) => (granted.get(`${type}#${id}`) ?? []).map((contactId): StoredGrant => ({ contactId })),
    async write(change) {
      happen();
      calls.write.push(change);
      if (refusal(change)) throw new StaleVersion('changed');
      apply(change);
    },
    list: async () => ({ items: [] }),
  };
  const batch: DocumentBatchStore = {
    async getMany(keys) {
      calls.getMany++;
      const found = new Map<string, StoredDocument>();
      for (const { type, id } of keys) if (docs.has(`${type}#${id}`)) found.set(`${type}#${id}`, docs.get(`${type}#${id}`)!);
      return found;
    },
    grants: store.grants,
    // Each publication refused for its own reasons, the others written (as the transactions, refused ones dropped, end).
    async writeAll(changes) {
      happen();
      calls.writeAll.push([...changes]);
      return changes.map((change) => {
        const why = refusal(change);
        if (why) return why;
        apply(change);
        return 'written';
      });
    },
  };
  const deps: DocumentBatchDeps = {
    store,
    batch,
    contacts: { get: async (id: string) => (archived.has(id) ? contact(id, archived.get(id)) : undefined) },
    now: () => T1,
  };
  return {
    deps,
    calls,
    document: (type: DocumentType, id: string) => docs.get(`${type}#${id}`),
    archive: (id: string) => archived.set(id, true),
    meanwhile: (fn: () => void, at = 1) => (meanwhile = { at, fn }),
    create: (s: StoredDocument) => docs.set(`${s.document.type}#${s.document.id}`, s),
  };
}

/** A line's problem as the client sees it. */
const problemOf = (line: BatchOutcome) => (line.outcome === 'failed' ? toProblem(line.error).problem : undefined);

describe('publishDocuments', () => {
  test('each line on its own, in order: created, replaced (createdAt kept), refused with its own path; written as new first, only the existing one read', async () => {
    const w = world([stored({ id: 'INV-2', customerId: 'c1' }, 4)], { 'invoice#INV-2': ['g1'] }, { c1: false, c2: false, gone: true });
    const results = await publishDocuments(w.deps, [
      { type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'One', amount: 10 },
      { type: 'invoice', id: 'INV-2', customerId: 'c1', name: 'Two, again' },
      { type: 'invoice', id: 'INV-3', customerId: 'c2', name: 'Three', amount: 1e20 },
      { type: 'sale_order', id: 'SO-1', customerId: 'gone', name: 'Archived customer' },
      { type: 'sale_order', id: 'SO-2', customerId: 'nobody', name: 'Unknown customer' },
      { type: 'invoice', id: 'INV-1', customerId: 'c2', name: 'One, named twice' },
      { type: 'receipt', id: 'R-1', customerId: 'c2', name: 'Unknown type' },
      { type: 'invoice', id: 'INV-4', customerId: 'c2', name: 'Four', admin: true },
    ]);

    expect(results.map(({ type, id, outcome }) => [type, id, outcome])).toEqual([
      ['invoice', 'INV-1', 'created'],
      ['invoice', 'INV-2', 'replaced'],
      ['invoice', 'INV-3', 'failed'],
      ['sale_order', 'SO-1', 'failed'],
      ['sale_order', 'SO-2', 'failed'],
      ['invoice', 'INV-1', 'failed'],
      ['receipt', 'R-1', 'failed'],
      ['invoice', 'INV-4', 'failed'],
    ]);
    expect(results.map((line) => problemOf(line)?.errors?.map((e) => e.path))).toEqual([
      undefined,
      undefined,
      ['documents.2.amount'],
      ['documents.3.customerId'],
      ['documents.4.customerId'],
      ['documents.5.id'],
      ['documents.6.type'],
      ['documents.7.admin'],
    ]);
    expect(results.filter((line) => line.outcome === 'failed').map((line) => problemOf(line)?.status)).toEqual([400, 400, 400, 400, 400, 400]);
    // The batch's own refusals, word for word.
    expect(problemOf(results[4]!)?.errors).toEqual([{ path: 'documents.4.customerId', message: 'No such contact: nobody.' }]);
    expect(problemOf(results[5]!)?.errors).toEqual([{ path: 'documents.5.id', message: 'This document appears on an earlier line.' }]);

    expect(w.document('invoice', 'INV-1')).toEqual({
      document: { type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'One', amount: 10, createdAt: T1.toISOString(), updatedAt: T1.toISOString() },
      version: 1,
    });
    expect(w.document('invoice', 'INV-2')).toMatchObject({ document: { name: 'Two, again', createdAt: T0.toISOString(), updatedAt: T1.toISOString() }, version: 5 });
    // Every valid line first as a create (the customers' refusals came from those writes, through their PUT, which wrote nothing);
    // then only INV-2, which exists, read and replaced.
    expect(w.calls).toMatchObject({ getMany: 1, write: [] });
    expect(w.calls.writeAll.map((changes) => changes.map((c) => [c.kind, c.document.id]))).toEqual([
      [['create', 'INV-1'], ['create', 'INV-2'], ['create', 'SO-1'], ['create', 'SO-2']],
      [['replace', 'INV-2']],
    ]);
    // The replace rewrites its grantee's copy, as its PUT would.
    expect(w.calls.writeAll[1]![0]).toMatchObject({ previous: { version: 4 }, grants: [{ contactId: 'g1' }], dropGrants: [] });
  });

  test("moving a document to a contact it was shared with turns that grant into the implicit one, as the PUT does", async () => {
    const w = world([stored({ id: 'INV-1', customerId: 'c1' })], { 'invoice#INV-1': ['g1', 'c2'] }, { c1: false, c2: false });
    const results = await publishDocuments(w.deps, [{ type: 'invoice', id: 'INV-1', customerId: 'c2', name: 'Moved' }]);
    expect(results).toEqual([{ type: 'invoice', id: 'INV-1', outcome: 'replaced' }]);
    expect(w.calls.writeAll[1]).toEqual([expect.objectContaining({ kind: 'replace', grants: [{ contactId: 'g1' }], dropGrants: [{ contactId: 'c2' }] })]);
  });

  test('a line that names no valid document echoes what it can (strings, at most 128 characters) and fails alone', async () => {
    const w = world([], {}, { c1: false });
    const results = await publishDocuments(w.deps, [
      null,
      'text',
      { type: 7, id: 'x'.repeat(500) },
      { type: 'invoice', id: 'OK', customerId: 'c1', name: 'fine' },
      { type: `${'t'.repeat(127)}😀`, id: 'emoji across the bound' },
    ]);
    expect(results.map(({ type, id, outcome }) => ({ type, id, outcome }))).toEqual([
      { type: '', id: '', outcome: 'failed' },
      { type: '', id: '', outcome: 'failed' },
      { type: '', id: 'x'.repeat(128), outcome: 'failed' },
      { type: 'invoice', id: 'OK', outcome: 'created' },
      // Never half a surrogate pair: the emoji across the bound goes whole.
      { type: 't'.repeat(127), id: 'emoji across the bound', outcome: 'failed' },
    ]);
    expect(problemOf(results[1]!)?.errors?.[0]?.path).toBe('documents.1');
  });

  test('nor half a surrogate pair sent inside a value: the echo has U+FFFD in its place', async () => {
    const w = world([], {}, { c1: false });
    const results = await publishDocuments(w.deps, [{ type: 'inv\ud800oice', id: 'A\udc00' }, { type: 'invoice', id: 'OK', customerId: 'c1', name: 'fine' }]);
    expect(results.map(({ type, id, outcome }) => ({ type, id, outcome }))).toEqual([
      { type: 'inv\ufffdoice', id: 'A\ufffd', outcome: 'failed' },
      { type: 'invoice', id: 'OK', outcome: 'created' },
    ]);
  });

  test('nothing valid: nothing is read or written', async () => {
    const w = world();
    const results = await publishDocuments(w.deps, [{ type: 'invoice' }]);
    expect(results[0]!.outcome).toBe('failed');
    expect(w.calls).toMatchObject({ getMany: 0, writeAll: [], write: [] });
  });

  test('a document created by someone else just before: found to exist by its create, read, and replaced (createdAt kept)', async () => {
    const w = world([], {}, { c1: false });
    w.meanwhile(() => w.create(stored({ id: 'INV-2', customerId: 'c1' }, 7)));
    const results = await publishDocuments(w.deps, [
      { type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'One' },
      { type: 'invoice', id: 'INV-2', customerId: 'c1', name: 'Two' },
    ]);
    expect(results).toEqual([
      { type: 'invoice', id: 'INV-1', outcome: 'created' },
      { type: 'invoice', id: 'INV-2', outcome: 'replaced' },
    ]);
    expect(w.calls.writeAll.map((changes) => changes.map((c) => c.kind))).toEqual([['create', 'create'], ['replace']]);
    expect(w.calls.write).toEqual([]);
    expect(w.document('invoice', 'INV-2')).toMatchObject({ version: 8, document: { name: 'Two', createdAt: T0.toISOString() } });
  });

  test('a replace refused (the document changed after it was read) → that document as its own PUT, with the PUT’s outcome', async () => {
    const w = world([stored({ id: 'INV-2', customerId: 'c1' }, 7)], {}, { c1: false });
    // Between the batch's read of INV-2 and its replace: someone else's change.
    w.meanwhile(() => w.create(stored({ id: 'INV-2', customerId: 'c1', name: 'Theirs' }, 8)), 2);
    const results = await publishDocuments(w.deps, [
      { type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'One' },
      { type: 'invoice', id: 'INV-2', customerId: 'c1', name: 'Two' },
    ]);
    expect(results).toEqual([
      { type: 'invoice', id: 'INV-1', outcome: 'created' },
      { type: 'invoice', id: 'INV-2', outcome: 'replaced' },
    ]);
    expect(w.calls.writeAll.map((changes) => changes.map((c) => c.kind))).toEqual([['create', 'create'], ['replace']]);
    expect(w.calls.write.map((c) => c.kind)).toEqual(['replace']);
    expect(w.document('invoice', 'INV-2')).toMatchObject({ version: 9, document: { name: 'Two', createdAt: T0.toISOString() } });
  });

  test('a document gone by the time it is read (after its create was refused): its PUT decides', async () => {
    const w = world([stored({ id: 'INV-1', customerId: 'c1' }, 3)], {}, { c1: false });
    const deps: DocumentBatchDeps = {
      ...w.deps,
      batch: {
        ...w.deps.batch,
        getMany: async () => new Map(), // gone by the time it is read
      },
    };
    const results = await publishDocuments(deps, [{ type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'One' }]);
    // The fake still holds it, so the PUT replaces it: what matters is that the PUT decided.
    expect(results).toEqual([{ type: 'invoice', id: 'INV-1', outcome: 'replaced' }]);
    expect(w.calls.writeAll).toHaveLength(1);
    expect(w.calls.write.map((c) => c.kind)).toEqual(['replace']);
  });

  test('a customer archived meanwhile: its lines fail on documents.<i>.customerId (the PUT’s refusal), the others are written', async () => {
    const w = world([], {}, { c1: false, c2: false });
    w.meanwhile(() => w.archive('c2'));
    const results = await publishDocuments(w.deps, [
      { type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'One' },
      { type: 'invoice', id: 'INV-2', customerId: 'c2', name: 'Two' },
    ]);
    expect(results[0]).toEqual({ type: 'invoice', id: 'INV-1', outcome: 'created' });
    expect(results[1]).toMatchObject({ type: 'invoice', id: 'INV-2', outcome: 'failed' });
    expect(results[1]!.outcome === 'failed' && results[1]!.error).toBeInstanceOf(Invalid);
    expect(problemOf(results[1]!)?.errors).toEqual([{ path: 'documents.1.customerId', message: 'Contact c2 is archived: restore it first.' }]);
    expect(w.document('invoice', 'INV-2')).toBeUndefined();
  });

  test('a document that keeps changing under its PUT fails its line with the PUT’s 409, and the rest stand', async () => {
    const w = world([], {}, { c1: false });
    w.meanwhile(() => w.create(stored({ id: 'INV-1', customerId: 'c1' })));
    const store = w.deps.store;
    // Every write of INV-1 loses its race; others go through.
    const busy = (change: DocumentChange) => change.kind !== 'delete' && 'document' in change && change.document.id === 'INV-1';
    const deps: DocumentBatchDeps = {
      ...w.deps,
      store: { ...store, write: async (change) => (busy(change) ? Promise.reject(new StaleVersion('busy')) : store.write(change)) },
      batch: {
        ...w.deps.batch,
        writeAll: async (changes) => {
          const outcomes = await w.deps.batch.writeAll(changes.filter((change) => !busy(change)));
          return changes.map((change) => (busy(change) ? 'refused' : outcomes.shift()!));
        },
      },
    };
    const results = await publishDocuments(deps, [
      { type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'Busy' },
      { type: 'invoice', id: 'INV-2', customerId: 'c1', name: 'Calm' },
    ]);
    expect(results[0]).toMatchObject({ outcome: 'failed' });
    expect(results[0]!.outcome === 'failed' && results[0]!.error).toBeInstanceOf(Conflict);
    expect(problemOf(results[0]!)?.status).toBe(409);
    expect(results[1]).toEqual({ type: 'invoice', id: 'INV-2', outcome: 'created' });
  });
});
