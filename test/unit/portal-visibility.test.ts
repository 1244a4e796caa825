import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { DOCUMENT_TYPES, type DocumentType } from '../../lambdas/contract/document-types';
import { AccessEnded, NotFound, Unauthenticated } from '../../lambdas/contract/errors';
import { portalUser, type PortalSessionStore } from '../../lambdas/domain/portal-session';
import {
  getVisible,
  listVisible,
  mergeNewestFirst,
  portalCounts,
  portalMe,
  streamsOf,
  visibleCustomers,
  type OrderedDocument,
  type Stream,
  type VisibilityStore,
} from '../../lambdas/domain/visibility';
import { keys } from '../../lambdas/contract/keys';
import type { Document } from '../../lambdas/contract/schemas/documents';

const AT = '2026-11-01T00:00:00.000Z';

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

/** An in-memory table: documents and explicit grants, each stream sorted like its index. */
function memoryStore(documents: Document[], grants: { type: DocumentType; id: string; contactId: string }[]) {
  const calls: { stream: Stream; limit: number }[] = [];
  const find = (type: DocumentType, id: string) => documents.find((d) => d.type === type && d.id === id);
  const store: VisibilityStore = {
    async stream(stream, type, after, limit) {
      calls.push({ stream, limit });
      const members =
        'customerId' in stream
          ? documents.filter((d) => d.customerId === stream.customerId)
          : grants.filter((g) => g.contactId === stream.granteeId).map((g) => find(g.type, g.id)!);
      return members
        .filter((d) => !type || d.type === type)
        .map(ordered)
        .filter((e) => after === undefined || e.order < after)
        .sort((a, b) => (a.order < b.order ? 1 : -1))
        .slice(0, limit);
    },
    document: async (type, id) => find(type, id),
    isGranted: async (type, id, contactId) => grants.some((g) => g.type === type && g.id === id && g.contactId === contactId),
    async counts(customerId) {
      const counts: Partial<Record<DocumentType, number>> = {};
      for (const d of documents) if (d.customerId === customerId) counts[d.type] = (counts[d.type] ?? 0) + 1;
      return counts;
    },
    grantsTo: async (contactId) =>
      grants.filter((g) => g.contactId === contactId).map((g) => ({ type: g.type, customerId: find(g.type, g.id)!.customerId })),
  };
  return { store, calls };
}

describe('who a portal user sees', () => {
  test('a person of a company sees its company and itself; a company or a person without one, only itself', () => {
    expect(visibleCustomers(contact('p', { companyId: 'c' }))).toEqual(['c', 'p']);
    expect(visibleCustomers(contact('p'))).toEqual(['p']);
    expect(streamsOf(contact('p'))).toEqual([{ customerId: 'p' }, { granteeId: 'p' }]);
    expect(streamsOf(contact('p', { companyId: 'c' }))).toHaveLength(3);
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
    // Three entries but two distinct documents: nothing more to show.
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

  test('documents of the same date are ordered by type and id, so the order is total', () => {
    const x = ordered(doc('invoice', 'x', 'c', '2026-01-01'));
    const y = ordered(doc('invoice', 'y', 'c', '2026-01-01'));
    expect(mergeNewestFirst([[x], [y]], 5).items.map((d) => d.id)).toEqual(['y', 'x']);
  });
});

describe('listVisible', () => {
  // Company c with persons p (viewer) and q; another company o with person r.
  const viewer = contact('p', { companyId: 'c' });
  const documents: Document[] = [];
  for (let i = 0; i < 60; i++) {
    const type = DOCUMENT_TYPES[i % DOCUMENT_TYPES.length]!;
    const day = String((i % 28) + 1).padStart(2, '0');
    const customer = ['c', 'p', 'q', 'o', 'r'][i % 5]!;
    documents.push(doc(type, `d${i}`, customer, i % 7 === 0 ? undefined : `2026-0${(i % 9) + 1}-${day}`));
  }
  const grants = [
    { type: documents[2]!.type, id: 'd2', contactId: 'p' }, // q's document, shared with p
    { type: documents[3]!.type, id: 'd3', contactId: 'p' }, // the other company's document, shared with p
    { type: documents[0]!.type, id: 'd0', contactId: 'p' }, // c's document, also granted explicitly: listed once
    { type: documents[8]!.type, id: 'd8', contactId: 'r' }, // shared with someone else
  ];
  const expected = documents
    .filter((d) => ['c', 'p'].includes(d.customerId) || ['d2', 'd3', 'd0'].includes(d.id))
    .map(ordered)
    .sort((x, y) => (x.order < y.order ? 1 : -1))
    .map((e) => e.document.id);

  test.each([1, 3, 7, 100])('pages of %i return every visible document exactly once, newest first, and no empty page', async (limit) => {
    const { store, calls } = memoryStore(documents, grants);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listVisible(store, viewer, undefined, after, limit);
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items.map((d) => d.id));
      after = page.last;
      pages++;
    } while (after);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / limit));
    // Each stream is asked for one page's worth (+1), never for more.
    expect(calls.every((call) => call.limit === limit + 1)).toBe(true);
  });

  test('filters by type through every stream', async () => {
    const { store } = memoryStore(documents, grants);
    const page = await listVisible(store, viewer, 'invoice', undefined, 100);
    expect(page.items.map((d) => d.id)).toEqual(expected.filter((id) => documents.find((d) => d.id === id)!.type === 'invoice'));
  });

  test('getVisible finds what is visible and says NotFound for the rest, existing or not', async () => {
    const { store } = memoryStore(documents, grants);
    await expect(getVisible(store, viewer, documents[3]!.type, 'd3')).resolves.toMatchObject({ id: 'd3', customerId: 'o' });
    await expect(getVisible(store, viewer, documents[1]!.type, 'd1')).resolves.toMatchObject({ id: 'd1' });
    await expect(getVisible(store, viewer, documents[8]!.type, 'd8')).rejects.toBeInstanceOf(NotFound);
    await expect(getVisible(store, viewer, documents[4]!.type, 'd4')).rejects.toBeInstanceOf(NotFound);
    await expect(getVisible(store, viewer, 'invoice', 'missing')).rejects.toBeInstanceOf(NotFound);
  });

  test('portalMe counts what the listing shows, per type, zero for the rest', async () => {
    const { store } = memoryStore(documents, grants);
    const company = contact('c', { kind: 'company', name: 'Company C', login: undefined });
    const me = await portalMe(store, { get: async (id) => (id === 'c' ? company : undefined) }, viewer);
    expect(me.contact).toEqual({ id: 'p', name: 'Contact p', email: 'p@example.com' });
    expect(me.company).toEqual({ id: 'c', name: 'Company C' });
    const byType = Object.fromEntries(DOCUMENT_TYPES.map((t) => [t, expected.filter((id) => documents.find((d) => d.id === id)!.type === t).length]));
    expect(me.counts).toEqual(byType);
  });
});

describe('portalCounts', () => {
  test('adds the customers’ counters and only those grants whose customer is neither', () => {
    const counts = portalCounts(['c', 'p'], [{ invoice: 2 }, { invoice: 1, task: 4 }], [
      { type: 'invoice', customerId: 'c' },
      { type: 'lead', customerId: 'x' },
    ]);
    expect(counts).toMatchObject({ invoice: 3, task: 4, lead: 1, ticket: 0 });
    expect(Object.keys(counts).sort()).toEqual([...DOCUMENT_TYPES].sort());
  });
});

describe('portalUser (the access check of every portal request)', () => {
  const session = (record: ContactRecord | undefined, mapped = 'p'): PortalSessionStore => ({
    contactIdOfSubject: async (sub) => (sub === 'sub-p' ? mapped : undefined),
    contact: async (id) => (id === record?.id ? record : undefined),
  });

  test('lets an active, non-archived contact whose login has this sub in', async () => {
    await expect(portalUser(session(contact('p')), 'sub-p')).resolves.toMatchObject({ id: 'p' });
  });

  test.each([
    ['an unknown subject', contact('p'), 'sub-x'],
    ['a revoked contact', contact('p', { portal: { status: 'revoked' } }), 'sub-p'],
    ['an invited contact', contact('p', { portal: { status: 'invited' } }), 'sub-p'],
    ['an archived contact', contact('p', { archived: true }), 'sub-p'],
    ['a contact whose login is another one now', contact('p', { login: { email: 'p@example.com', username: 'p2', sub: 'sub-other' } }), 'sub-p'],
    ['a deleted contact', undefined, 'sub-p'],
  ])('refuses %s: access ended (a 401 the page tells from an expired session)', async (_name, record, sub) => {
    await expect(portalUser(session(record), sub)).rejects.toBeInstanceOf(AccessEnded);
  });

  test('refuses a token issued before the access became active (a re-grant does not revive it), accepts a later one', async () => {
    const activatedAt = '2026-11-22T08:00:10.500Z';
    const record = contact('p', { portal: { status: 'active', activatedAt } });
    const activatedSeconds = Math.floor(Date.parse(activatedAt) / 1000);
    const early = portalUser(session(record), 'sub-p', activatedSeconds - 60);
    await expect(early).rejects.toBeInstanceOf(Unauthenticated);
    // Signing in again helps here: a plain 401, not "access ended".
    await expect(early).rejects.not.toBeInstanceOf(AccessEnded);
    await expect(portalUser(session(record), 'sub-p', activatedSeconds)).resolves.toMatchObject({ id: 'p' });
    await expect(portalUser(session(record), 'sub-p', activatedSeconds + 5)).resolves.toMatchObject({ id: 'p' });
  });

  test('refuses, as access that ended, a revoked or archived contact; as a session to renew, a token from before the activation', async () => {
    await expect(portalUser(session(contact('p', { portal: { status: 'revoked' } })), 'sub-p')).rejects.toBeInstanceOf(AccessEnded);
    const record = contact('p', { portal: { status: 'active', activatedAt: '2026-11-22T08:00:10.000Z' } });
    const error = await portalUser(session(record), 'sub-p', Date.parse('2026-11-22T08:00:00.000Z') / 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).not.toBeInstanceOf(AccessEnded);
  });

  test("refuses a token issued before the login's email changed (its sessions ended); a later one passes", async () => {
    const signedOutAt = '2026-11-23T09:00:00.400Z';
    const record = contact('p', { login: { email: 'p@new.example', username: 'p', sub: 'sub-p', signedOutAt } });
    const second = Math.floor(Date.parse(signedOutAt) / 1000);
    await expect(portalUser(session(record), 'sub-p', second - 1)).rejects.toThrow(/email changed/);
    // A token of the move's own second may be older than the move: refused too.
    await expect(portalUser(session(record), 'sub-p', second)).rejects.toThrow(/email changed/);
    await expect(portalUser(session(record), 'sub-p', second + 1)).resolves.toMatchObject({ id: 'p' });
  });

  test('confirms a refusal against a fresh pointer: a cached one that moved to another contact does not lock the login out', async () => {
    const asked: boolean[] = [];
    const store: PortalSessionStore = {
      contactIdOfSubject: async (_sub, fresh) => {
        asked.push(fresh ?? false);
        return fresh ? 'p2' : 'p1';
      },
      contact: async (id) => (id === 'p2' ? contact('p2', { login: { email: 'p2@example.com', username: 'p2', sub: 'sub-x' } }) : contact('p1', { portal: { status: 'revoked' } })),
    };
    await expect(portalUser(store, 'sub-x')).resolves.toMatchObject({ id: 'p2' });
    expect(asked).toEqual([false, true]);
  });
});
