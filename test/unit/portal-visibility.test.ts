import fc from 'fast-check';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { DOCUMENT_TYPES, type DocumentType } from '../../lambdas/contract/document-types';
import { AccessEnded, NotFound, Unauthenticated } from '../../lambdas/contract/errors';
import { sees, type GrantInfo } from '../../lambdas/domain/access-policy';
import { portalUser, startPortalRequest, type PortalCaller, type PortalSessionStore } from '../../lambdas/domain/portal-session';
import {
  mergeNewestFirst,
  portalCounts,
  portalDocument,
  portalDocuments,
  portalMe,
  streamsOf,
  type OrderedDocument,
  type Stream,
  type VisibilityStore,
} from '../../lambdas/domain/visibility';
import { keys } from '../../lambdas/contract/keys';
import type { OrderCursors } from '../../lambdas/domain/listing';
import type { Document } from '../../lambdas/contract/schemas/documents';

const AT = '2026-11-01T00:00:00.000Z';
const NOW = new Date('2026-11-10T12:00:00.000Z');

function contact(id: string, over: Partial<ContactRecord> = {}): ContactRecord {
  return {
    id,
    kind: 'person',
    name: `Contact ${id}`,
    archived: false,
    portal: { status: 'active' },
    login: { email: `${id}@example.com`, username: id, sub: `sub-${id}` },
    version: 1,
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

function doc(type: DocumentType, id: string, customerId: string, date?: string): Document {
  return { type, id, customerId, name: `${type} ${id}`, ...(date ? { date } : {}), createdAt: AT, updatedAt: AT };
}

const ordered = (document: Document): OrderedDocument => ({ order: keys.documentOrder(document.type, document.id, document.date), document });

interface MemoryGrant extends GrantInfo {
  type: DocumentType;
  id: string;
  contactId: string;
}

/** An in-memory table: documents and explicit grants, each stream sorted like its index; records every read. */
function memoryStore(documents: Document[], grants: MemoryGrant[]) {
  const calls: { stream: Stream; limit: number }[] = [];
  const reads: string[] = [];
  const find = (type: DocumentType, id: string) => documents.find((d) => d.type === type && d.id === id);
  const store: VisibilityStore = {
    async stream(stream, after, limit, keep) {
      calls.push({ stream, limit });
      const members: OrderedDocument[] =
        'customerId' in stream
          ? documents.filter((d) => d.customerId === stream.customerId).map(ordered)
          : grants
              .filter((g) => g.contactId === stream.granteeId)
              .map((g) => ({ ...ordered(find(g.type, g.id)!), grant: { ...(g.until ? { until: g.until } : {}) } }));
      return members
        .filter((e) => !stream.type || e.document.type === stream.type)
        .filter((e) => after === undefined || e.order < after)
        .sort((a, b) => (a.order < b.order ? 1 : -1))
        .filter((e) => !keep || keep(e))
        .slice(0, limit);
    },
    document: async (type, id) => find(type, id),
    async grant(type, id, contactId) {
      const g = grants.find((x) => x.type === type && x.id === id && x.contactId === contactId);
      return g ? { ...(g.until ? { until: g.until } : {}) } : undefined;
    },
    async counts(customerId) {
      reads.push(`counts:${customerId}`);
      const counts: Partial<Record<DocumentType, number>> = {};
      for (const d of documents) if (d.customerId === customerId) counts[d.type] = (counts[d.type] ?? 0) + 1;
      return counts;
    },
    async grantCounts(contactId) {
      reads.push(`grants:${contactId}`);
      const byKey = new Map<string, { type: DocumentType; customerId: string; n: number }>();
      for (const g of grants.filter((x) => x.contactId === contactId)) {
        const customerId = find(g.type, g.id)!.customerId;
        const key = `${g.type}#${customerId}`;
        byKey.set(key, { type: g.type, customerId, n: (byKey.get(key)?.n ?? 0) + 1 });
      }
      return [...byKey.values()];
    },
    endedGrants: async (contactId, now) =>
      grants.filter((g) => g.contactId === contactId && g.until !== undefined && g.until <= now).map((g) => ({ type: g.type, customerId: find(g.type, g.id)!.customerId })),
  };
  return { store, calls, reads };
}

/** The portal's cursors without base64: enough to walk pages. */
const cursors: OrderCursors = {
  encode: (scope, order) => `${scope}|${order}`,
  decode(cursor, scope) {
    if (cursor === undefined) return undefined;
    const [s, order] = cursor.split('|');
    if (s !== scope) throw new Error('cursor of another listing');
    return order;
  },
};

const caller = (viewer: ContactRecord, now = NOW, guess?: ContactRecord): PortalCaller => {
  const checked = Promise.resolve(viewer);
  return { now, guess, viewer: checked, checked };
};

async function listAll(store: VisibilityStore, viewer: ContactRecord, limit: number, type?: DocumentType, now = NOW): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await portalDocuments({ documents: store, cursors }, caller(viewer, now), { limit, ...(type ? { type } : {}), ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...page.items.map((d) => `${d.type}/${d.id}`));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

/** What the rule says the viewer sees, newest first: the expectation every listing is held to. */
function expected(documents: Document[], grants: MemoryGrant[], viewer: ContactRecord, now = NOW, type?: DocumentType): string[] {
  return documents
    .filter((d) => !type || d.type === type)
    .filter((d) => sees({ viewer, document: d, grant: grants.find((g) => g.contactId === viewer.id && g.type === d.type && g.id === d.id), now }))
    .map(ordered)
    .sort((x, y) => (x.order < y.order ? 1 : -1))
    .map((e) => `${e.document.type}/${e.document.id}`);
}

describe('streamsOf: only the streams that can hold what the viewer sees', () => {
  test('a person of a company: the company, itself, its grants; a person without one: itself and its grants', () => {
    expect(streamsOf(contact('p', { companyId: 'c' }), undefined)).toEqual([{ customerId: 'c' }, { customerId: 'p' }, { granteeId: 'p' }]);
    expect(streamsOf(contact('p'), undefined)).toEqual([{ customerId: 'p' }, { granteeId: 'p' }]);
  });

  test('scope own leaves the company out', () => {
    expect(streamsOf(contact('p', { companyId: 'c', portal: { status: 'active', scope: 'own' } }), undefined)).toEqual([{ customerId: 'p' }, { granteeId: 'p' }]);
  });

  test('restricted types: one per-type stream per customer and allowed type (never the all-types stream); grants stay whole', () => {
    const viewer = contact('p', { companyId: 'c', portal: { status: 'active', types: ['task', 'invoice'] } });
    expect(streamsOf(viewer, undefined)).toEqual([
      { customerId: 'c', type: 'invoice' },
      { customerId: 'c', type: 'task' },
      { customerId: 'p', type: 'invoice' },
      { customerId: 'p', type: 'task' },
      { granteeId: 'p' },
    ]);
    expect(streamsOf(viewer, 'task')).toEqual([{ customerId: 'c', type: 'task' }, { customerId: 'p', type: 'task' }, { granteeId: 'p', type: 'task' }]);
    // A type the access does not allow: only explicit grants can hold one.
    expect(streamsOf(viewer, 'lead')).toEqual([{ granteeId: 'p', type: 'lead' }]);
  });

  test('the viewer’s own streams are skipped while its counters say they are empty (unknown counters are read)', () => {
    expect(streamsOf(contact('p', { companyId: 'c', documentsAsCustomer: 0, grantsReceived: 0 }), undefined)).toEqual([{ customerId: 'c' }]);
    expect(streamsOf(contact('p', { companyId: 'c', documentsAsCustomer: 2, grantsReceived: 0 }), undefined)).toEqual([{ customerId: 'c' }, { customerId: 'p' }]);
    expect(streamsOf(contact('p', { companyId: 'c', documentsAsCustomer: -999_999_998, grantsReceived: -999_999_999 }), undefined)).toHaveLength(3);
    // A company viewer is its own customer: its one stream follows its counter too.
    expect(streamsOf(contact('c', { kind: 'company', documentsAsCustomer: 0, grantsReceived: 0 }), undefined)).toEqual([]);
  });
});

describe('mergeNewestFirst', () => {
  const a = ordered(doc('invoice', 'a', 'c', '2026-01-03'));
  const b = ordered(doc('task', 'b', 'c', '2026-01-02'));
  const c = ordered(doc('lead', 'c', 'p', '2026-01-01'));
  const undated = ordered(doc('lead', 'u', 'p'));

  test('orders newest first across streams, undated last, each document once', () => {
    const page = mergeNewestFirst([[a, c], [b, undated], [a]], 10);
    expect(page.items.map((d) => d.id)).toEqual(['a', 'b', 'c', 'u']);
    expect(page.last).toBeUndefined();
  });

  test('gives a position to continue from only when more distinct documents were read than shown', () => {
    expect(mergeNewestFirst([[a, b, c]], 2)).toEqual({ items: [a.document, b.document], last: b.order });
    expect(mergeNewestFirst([[a, b], [a]], 2).last).toBeUndefined();
  });

  test('cuts a page at its byte budget, keeping at least one document, and continues after it', () => {
    const big = (id: string, day: string) => ordered({ ...doc('invoice', id, 'c', `2026-01-${day}`), data: { blob: 'x'.repeat(1000) } });
    const [x, y, z] = [big('x', '03'), big('y', '02'), big('z', '01')];
    const page = mergeNewestFirst([[x, y, z]], 10, 2500);
    expect(page.items.map((d) => d.id)).toEqual(['x', 'y']);
    expect(page.last).toBe(y.order);
    expect(mergeNewestFirst([[x, y]], 10, 10).items.map((d) => d.id)).toEqual(['x']);
  });
});

describe('the listing, the document page and the counts', () => {
  // Company c with persons p (viewer) and q; another company o with person r.
  const documents: Document[] = [];
  for (let i = 0; i < 60; i++) {
    const type = DOCUMENT_TYPES[i % DOCUMENT_TYPES.length]!;
    const day = String((i % 28) + 1).padStart(2, '0');
    const customer = ['c', 'p', 'q', 'o', 'r'][i % 5]!;
    documents.push(doc(type, `d${i}`, customer, i % 7 === 0 ? undefined : `2026-0${(i % 9) + 1}-${day}`));
  }
  const typeOf = (id: string) => documents.find((d) => d.id === id)!.type;
  const grants: MemoryGrant[] = [
    { type: typeOf('d2'), id: 'd2', contactId: 'p' }, // q's document, shared with p
    { type: typeOf('d3'), id: 'd3', contactId: 'p', until: new Date(NOW.getTime() + 60_000).toISOString() }, // the other company's, until a minute from now
    { type: typeOf('d0'), id: 'd0', contactId: 'p' }, // c's document, also granted explicitly: listed once
    { type: typeOf('d13'), id: 'd13', contactId: 'p', until: NOW.toISOString() }, // ended right now
    { type: typeOf('d8'), id: 'd8', contactId: 'r' }, // shared with someone else
  ];
  const viewers = {
    plain: contact('p', { companyId: 'c' }),
    own: contact('p', { companyId: 'c', portal: { status: 'active', scope: 'own' } }),
    oneType: contact('p', { companyId: 'c', portal: { status: 'active', types: ['invoice'] } }),
    narrow: contact('p', { companyId: 'c', portal: { status: 'active', scope: 'own', types: ['task', 'lead', 'project'] } }),
  };

  test.each(Object.keys(viewers) as (keyof typeof viewers)[])('%s: pages of 1, 3, 7, 100 list exactly what the rule lets it see, each once, newest first', async (name) => {
    const viewer = viewers[name];
    const want = expected(documents, grants, viewer);
    expect(want.length).toBeGreaterThan(0);
    for (const limit of [1, 3, 7, 100]) {
      const { store, calls } = memoryStore(documents, grants);
      expect(await listAll(store, viewer, limit)).toEqual(want);
      // Each stream is asked for one page's worth (+1) at most.
      expect(calls.every((call) => call.limit <= limit + 1)).toBe(true);
    }
  });

  test('nine per-type streams of a company of 1,350 documents: a page of 100 reads two and a half pages of entries at most, not nine', async () => {
    const many: Document[] = [];
    for (let i = 0; i < 1350; i++) many.push(doc(DOCUMENT_TYPES[i % 9]!, `m${i}`, 'c', `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`));
    const viewer = contact('p', { companyId: 'c', portal: { status: 'active', types: DOCUMENT_TYPES.slice(0, 9) } });
    const { store } = memoryStore(many, []);
    let read = 0;
    const counting: VisibilityStore = { ...store, stream: async (...args) => (await store.stream(...args)).map((entry) => (read++, entry)) };
    const page = await portalDocuments({ documents: counting, cursors }, caller(viewer), { limit: 100 });
    expect(page.items.map((d) => `${d.type}/${d.id}`)).toEqual(expected(many, [], viewer).slice(0, 100));
    expect(page.nextCursor).toBeDefined();
    expect(read).toBeLessThanOrEqual(2.5 * 101); // all at once: 9 × 101 = 909
  });

  test('a grant ends at its until: listed a millisecond before, gone at it', async () => {
    const { store } = memoryStore(documents, grants);
    const d13 = `${typeOf('d13')}/d13`;
    expect(await listAll(store, viewers.plain, 100, undefined, new Date(NOW.getTime() - 1))).toContain(d13);
    expect(await listAll(store, viewers.plain, 100)).not.toContain(d13);
  });

  test('the type filter, through every stream, within the allowed types', async () => {
    const { store } = memoryStore(documents, grants);
    for (const type of ['invoice', 'task'] as const) {
      for (const viewer of Object.values(viewers)) {
        const want = expected(documents, grants, viewer, NOW, type);
        expect(want.length === 0 ? [] : await listAll(store, viewer, 100, type)).toEqual(want);
      }
    }
  });

  test('a document by id is the rule’s answer: 200 for what it sees, NotFound for the rest, existing or not', async () => {
    const { store } = memoryStore(documents, grants);
    for (const viewer of Object.values(viewers)) {
      const visible = new Set(expected(documents, grants, viewer));
      for (const d of documents) {
        const answer = portalDocument(store, caller(viewer), d.type, d.id);
        if (visible.has(`${d.type}/${d.id}`)) await expect(answer).resolves.toEqual(d);
        else await expect(answer).rejects.toBeInstanceOf(NotFound);
      }
    }
    await expect(portalDocument(store, caller(viewers.plain), 'invoice', 'missing')).rejects.toBeInstanceOf(NotFound);
  });

  test('the counts are what the listing shows, per type, zero for the rest — an ended grant not counted', async () => {
    const company = contact('c', { kind: 'company', name: 'Company C', login: undefined });
    for (const viewer of Object.values(viewers)) {
      const { store } = memoryStore(documents, grants);
      const me = await portalMe({ documents: store, contacts: { get: async (id) => (id === 'c' ? company : undefined) } }, caller(viewer));
      expect(me.contact).toEqual({ id: 'p', name: 'Contact p', email: 'p@example.com' });
      expect(me.company).toEqual({ id: 'c', name: 'Company C' });
      const want = expected(documents, grants, viewer);
      expect(me.counts).toEqual(Object.fromEntries(DOCUMENT_TYPES.map((t) => [t, want.filter((ref) => ref.startsWith(`${t}/`)).length])));
    }
  });

  test('the counts come from the customers\' contact records when those keep them: the same numbers, no count read', async () => {
    const countsOf = (customerId: string) => {
      const counts: Partial<Record<DocumentType, number>> = {};
      for (const d of documents) if (d.customerId === customerId) counts[d.type] = (counts[d.type] ?? 0) + 1;
      return counts;
    };
    const company = contact('c', { kind: 'company', name: 'Company C', login: undefined, documentCounts: countsOf('c') });
    for (const viewer of Object.values(viewers)) {
      const { store, reads } = memoryStore(documents, grants);
      const me = await portalMe({ documents: store, contacts: { get: async (id) => (id === 'c' ? company : undefined) } }, caller({ ...viewer, documentCounts: countsOf('p') }));
      const want = expected(documents, grants, viewer);
      expect(me.counts).toEqual(Object.fromEntries(DOCUMENT_TYPES.map((t) => [t, want.filter((ref) => ref.startsWith(`${t}/`)).length])));
      expect(reads.filter((read) => read.startsWith('counts:'))).toEqual([]);
    }
  });

  test('a customer whose record is older than the kept counts is read from the store; the other from its record', async () => {
    const { store, reads } = memoryStore(documents, grants);
    const company = contact('c', { kind: 'company', name: 'Company C', login: undefined });
    const viewer = contact('p', { companyId: 'c', grantsReceived: 0, documentCounts: { task: 7 } });
    const me = await portalMe({ documents: store, contacts: { get: async (id) => (id === 'c' ? company : undefined) } }, caller(viewer));
    expect(reads).toEqual(['counts:c']);
    const fromCompany = documents.filter((d) => d.customerId === 'c');
    expect(me.counts.task).toBe(7 + fromCompany.filter((d) => d.type === 'task').length);
    expect(me.counts.invoice).toBe(fromCompany.filter((d) => d.type === 'invoice').length);
  });

  test('the counts read no grant counters while the viewer holds none, and not its own counters while it owns none', async () => {
    const { store, reads } = memoryStore(documents, grants);
    await portalMe({ documents: store, contacts: { get: async () => undefined } }, caller(contact('p', { companyId: 'c', documentsAsCustomer: 0, grantsReceived: 0 })));
    expect(reads).toEqual(['counts:c']);
  });
});

describe('early reads: started beside the access check, used only after it', () => {
  const documents = [doc('invoice', 'a', 'c', '2026-01-02'), doc('invoice', 'b', 'c2', '2026-01-01'), doc('task', 't', 'c', '2026-01-03')];

  test('with a right guess the streams start before the check answers and are not read twice', async () => {
    const { store, calls } = memoryStore(documents, []);
    const viewer = contact('p', { companyId: 'c', documentsAsCustomer: 0, grantsReceived: 0 });
    let release!: (v: ContactRecord) => void;
    const checked = new Promise<ContactRecord>((resolve) => (release = resolve));
    const page = portalDocuments({ documents: store, cursors }, { now: NOW, guess: viewer, viewer: checked, checked }, { limit: 10 });
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1); // under way while the check is still out
    release(viewer);
    expect((await page).items.map((d) => d.id)).toEqual(['t', 'a']);
    expect(calls).toHaveLength(1);
  });

  test('with a wrong guess (the person moved to another company) the page is the checked viewer’s, read after the check', async () => {
    const { store, calls } = memoryStore(documents, []);
    const guess = contact('p', { companyId: 'c', documentsAsCustomer: 0, grantsReceived: 0 });
    const moved = contact('p', { companyId: 'c2', documentsAsCustomer: 0, grantsReceived: 0 });
    const checked = Promise.resolve(moved);
    const page = await portalDocuments({ documents: store, cursors }, { now: NOW, guess, viewer: checked, checked }, { limit: 10 });
    expect(page.items.map((d) => d.id)).toEqual(['b']);
    expect(calls.map((c) => c.stream)).toEqual([{ customerId: 'c' }, { customerId: 'c2' }]);
  });

  test('a refused check refuses the request, whatever the early reads found', async () => {
    const { store } = memoryStore(documents, []);
    const viewer = contact('p', { companyId: 'c' });
    const checked = Promise.reject(new Unauthenticated('revoked'));
    checked.catch(() => undefined);
    await expect(portalDocuments({ documents: store, cursors }, { now: NOW, guess: viewer, viewer: checked, checked }, { limit: 10 })).rejects.toBeInstanceOf(Unauthenticated);
    await expect(portalDocument(store, { now: NOW, guess: viewer, viewer: checked, checked }, 'invoice', 'a')).rejects.toBeInstanceOf(Unauthenticated);
  });
});

describe('portalCounts', () => {
  test('adds the scope’s customers’ counters for the allowed types, and only those grants the viewer would not see otherwise, less the ended ones', () => {
    const viewer = contact('p', { companyId: 'c', portal: { status: 'active', types: ['invoice', 'lead'] } });
    const counts = portalCounts(viewer, [{ invoice: 2, task: 9 }, { invoice: 1, task: 4 }], [
      { type: 'invoice', customerId: 'c', n: 3 }, // counted in c's counter already
      { type: 'task', customerId: 'c', n: 2 }, // a type not allowed: only by grant
      { type: 'lead', customerId: 'x', n: 2 },
    ], [{ type: 'lead', customerId: 'x' }]);
    expect(counts).toMatchObject({ invoice: 3, task: 2, lead: 1, ticket: 0 });
    expect(Object.keys(counts).sort()).toEqual([...DOCUMENT_TYPES].sort());
  });
});

describe('the rule, the listing, the page and the counts agree on random populations (property)', () => {
  const customers = ['c1', 'c2', 'p1', 'p2', 'p3', 'x'];
  const arbitraryViewer = fc.record({
    id: fc.constantFrom('p1', 'p2', 'p3'),
    companyId: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }),
    scope: fc.option(fc.constantFrom('company' as const, 'own' as const), { nil: undefined }),
    types: fc.option(fc.subarray([...DOCUMENT_TYPES], { minLength: 1 }), { nil: undefined }),
  });
  const arbitraryDocuments = fc.uniqueArray(
    fc.record({ type: fc.constantFrom(...DOCUMENT_TYPES), id: fc.integer({ min: 0, max: 40 }).map(String), customerId: fc.constantFrom(...customers), day: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }) }),
    { selector: (d) => `${d.type}/${d.id}`, maxLength: 40 },
  );

  test('for every viewer and document: listed ⇔ page 200 ⇔ the rule says visible; counts match', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryViewer, arbitraryDocuments, fc.array(fc.tuple(fc.nat(), fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined })), { maxLength: 15 }), fc.integer({ min: 1, max: 8 }), async (v, raw, grantPicks, limit) => {
        const documents = raw.map((d) => doc(d.type, d.id, d.customerId, d.day ? `2026-01-0${d.day}` : undefined));
        const grants: MemoryGrant[] = [];
        for (const [pick, offset] of grantPicks) {
          const d = documents[pick % Math.max(1, documents.length)];
          if (!d || d.customerId === v.id || grants.some((g) => g.type === d.type && g.id === d.id)) continue;
          grants.push({ type: d.type, id: d.id, contactId: v.id, ...(offset === undefined ? {} : { until: new Date(NOW.getTime() + offset).toISOString() }) });
        }
        const viewer = contact(v.id, {
          ...(v.companyId ? { companyId: v.companyId } : {}),
          portal: { status: 'active', ...(v.scope ? { scope: v.scope } : {}), ...(v.types ? { types: v.types } : {}) },
        });
        const { store } = memoryStore(documents, grants);
        const want = expected(documents, grants, viewer);
        const listed = want.length === 0 ? (await portalDocuments({ documents: store, cursors }, caller(viewer), { limit })).items.map((d) => `${d.type}/${d.id}`) : await listAll(store, viewer, limit);
        expect(listed).toEqual(want);
        for (const d of documents) {
          const shown = await portalDocument(store, caller(viewer), d.type, d.id).then(() => true, () => false);
          expect(shown).toBe(want.includes(`${d.type}/${d.id}`));
        }
        const me = await portalMe({ documents: store, contacts: { get: async () => undefined } }, caller(viewer));
        for (const type of DOCUMENT_TYPES) expect(me.counts[type]).toBe(want.filter((ref) => ref.startsWith(`${type}/`)).length);
      }),
      { numRuns: 150 },
    );
  });
});

describe('portalUser (the access check of every portal request)', () => {
  const session = (record: ContactRecord | undefined, mapped = 'p'): PortalSessionStore & { remembered: ContactRecord[] } => {
    const remembered: ContactRecord[] = [];
    return {
      remembered,
      contactIdOfSubject: async (sub) => (sub === 'sub-p' ? mapped : undefined),
      contact: async (id) => (id === record?.id ? record : undefined),
      recall: () => remembered.at(-1),
      remember: (_sub, c) => void remembered.push(c),
    };
  };

  test('lets an active, non-archived contact whose login has this sub in, and remembers it as the next guess', async () => {
    const store = session(contact('p'));
    await expect(portalUser(store, 'sub-p', undefined, NOW)).resolves.toMatchObject({ id: 'p' });
    expect(store.remembered.map((c) => c.id)).toEqual(['p']);
    expect(startPortalRequest(store, 'sub-p', undefined, NOW).guess).toMatchObject({ id: 'p' });
  });

  test.each([
    ['an unknown subject', contact('p'), 'sub-x'],
    ['a revoked contact', contact('p', { portal: { status: 'revoked' } }), 'sub-p'],
    ['an invited contact', contact('p', { portal: { status: 'invited' } }), 'sub-p'],
    ['an expired contact (marked by the job)', contact('p', { portal: { status: 'expired', until: AT } }), 'sub-p'],
    ['an active contact at its until (before the job ran)', contact('p', { portal: { status: 'active', until: NOW.toISOString() } }), 'sub-p'],
    ['an archived contact', contact('p', { archived: true }), 'sub-p'],
    ['a contact whose login is another one now', contact('p', { login: { email: 'p@example.com', username: 'p2', sub: 'sub-other' } }), 'sub-p'],
    ['a deleted contact', undefined, 'sub-p'],
  ])('refuses %s: access ended (a 401 the page tells from an expired session), remembering nothing', async (_name, record, sub) => {
    const store = session(record);
    await expect(portalUser(store, sub, undefined, NOW)).rejects.toBeInstanceOf(AccessEnded);
    expect(store.remembered).toEqual([]);
  });

  test('the end of an access: until − 1 ms in, until out (access ended)', async () => {
    const record = contact('p', { portal: { status: 'active', until: NOW.toISOString() } });
    await expect(portalUser(session(record), 'sub-p', undefined, new Date(NOW.getTime() - 1))).resolves.toMatchObject({ id: 'p' });
    await expect(portalUser(session(record), 'sub-p', undefined, NOW)).rejects.toBeInstanceOf(AccessEnded);
  });

  test('refuses a token issued before the access became active (a re-grant does not revive it), accepts a later one', async () => {
    const activatedAt = '2026-11-22T08:00:10.500Z';
    const record = contact('p', { portal: { status: 'active', activatedAt } });
    const activatedSeconds = Math.floor(Date.parse(activatedAt) / 1000);
    const early = portalUser(session(record), 'sub-p', activatedSeconds - 60, NOW);
    await expect(early).rejects.toBeInstanceOf(Unauthenticated);
    // Signing in again helps here: a plain 401, not "access ended".
    await expect(early).rejects.not.toBeInstanceOf(AccessEnded);
    await expect(portalUser(session(record), 'sub-p', activatedSeconds, NOW)).resolves.toMatchObject({ id: 'p' });
    await expect(portalUser(session(record), 'sub-p', activatedSeconds + 5, NOW)).resolves.toMatchObject({ id: 'p' });
  });

  test('refuses, as access that ended, a revoked or archived contact; as a session to renew, a token from before the activation', async () => {
    await expect(portalUser(session(contact('p', { portal: { status: 'revoked' } })), 'sub-p', undefined, NOW)).rejects.toBeInstanceOf(AccessEnded);
    const record = contact('p', { portal: { status: 'active', activatedAt: '2026-11-22T08:00:10.000Z' } });
    const error = await portalUser(session(record), 'sub-p', Date.parse('2026-11-22T08:00:00.000Z') / 1000, NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).not.toBeInstanceOf(AccessEnded);
  });

  test("refuses a token issued before the login's email changed (its sessions ended); a later one passes", async () => {
    const signedOutAt = '2026-11-23T09:00:00.400Z';
    const record = contact('p', { login: { email: 'p@new.example', username: 'p', sub: 'sub-p', signedOutAt } });
    const second = Math.floor(Date.parse(signedOutAt) / 1000);
    await expect(portalUser(session(record), 'sub-p', second - 1, NOW)).rejects.toThrow(/email changed/);
    // A token of the move's own second may be older than the move: refused too.
    await expect(portalUser(session(record), 'sub-p', second, NOW)).rejects.toThrow(/email changed/);
    await expect(portalUser(session(record), 'sub-p', second + 1, NOW)).resolves.toMatchObject({ id: 'p' });
  });

  test('confirms a refusal against a fresh pointer: a cached one that moved to another contact does not lock the login out', async () => {
    const asked: boolean[] = [];
    const store: PortalSessionStore = {
      contactIdOfSubject: async (_sub, fresh) => {
        asked.push(fresh ?? false);
        return fresh ? 'p2' : 'p1';
      },
      contact: async (id) => (id === 'p2' ? contact('p2', { login: { email: 'p2@example.com', username: 'p2', sub: 'sub-x' } }) : contact('p1', { portal: { status: 'revoked' } })),
      recall: () => undefined,
      remember: () => undefined,
    };
    await expect(portalUser(store, 'sub-x', undefined, NOW)).resolves.toMatchObject({ id: 'p2' });
    expect(asked).toEqual([false, true]);
  });
});
