/**
 * The listings' paging against brute-force models, over random inputs: the portal's merge of
 * streams (`mergeStreams`) and "who has access" (`documentAccess`). Walked page by page with
 * each page's cursor, every item comes exactly once, in the model's order, and no cursor leads
 * to an empty page.
 */
import fc from 'fast-check';
import { documentAccess, type AccessReportDeps } from '../../lambdas/domain/access-report';
import { jsonCursors } from './position-cursors.fakes';
import { explain, portalStatusAt } from '../../lambdas/domain/access-policy';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { StoredGrant } from '../../lambdas/domain/documents';
import { mergeStreams, type OrderedDocument, type Stream } from '../../lambdas/domain/visibility';
import type { Document } from '../../lambdas/contract/schemas/documents';

const AT = '2026-11-01T00:00:00.000Z';

describe('mergeStreams, page by page', () => {
  // A stream's entries: a document (by its order key's number) and whether the viewer sees it there.
  const world = fc.record({
    streams: fc.array(fc.uniqueArray(fc.record({ n: fc.integer({ min: 0, max: 40 }), shown: fc.boolean(), kept: fc.boolean() }), { selector: (e) => e.n, maxLength: 25 }), { minLength: 1, maxLength: 5 }),
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 41, maxLength: 41 }),
    limit: fc.integer({ min: 1, max: 12 }),
    budgetDocuments: fc.integer({ min: 1, max: 6 }),
  });

  test('each document seen in some stream once, newest first, and a cursor only before more', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ streams, sizes, limit, budgetDocuments }) => {
        const order = (n: number) => `2026-${String(n).padStart(3, '0')}#invoice#D${n}`;
        // Documents of several sizes, so that the byte budget ends some pages early.
        const doc = (n: number): Document => ({ type: 'invoice', id: `D${n}`, customerId: 'E', name: 'x'.repeat(sizes[n] as number * 10), createdAt: AT, updatedAt: AT });
        const entries = streams.map((s) =>
          s.map((e) => ({ ...e, entry: { order: order(e.n), document: doc(e.n), ...(e.shown ? { grant: {} } : {}) } as OrderedDocument })).sort((a, b) => (a.entry.order < b.entry.order ? 1 : -1)),
        );
        const ids: Stream[] = streams.map((_, i) => ({ customerId: `C${i}` }));
        // The store: entries strictly after `after`, those it keeps, `size` at most (a dropped entry is read past).
        const read = (stream: Stream, after: string | undefined, size: number) => {
          const i = ids.indexOf(stream);
          return Promise.resolve((entries[i] ?? []).filter((e) => e.kept && (after === undefined || e.entry.order < after)).slice(0, size).map((e) => e.entry));
        };
        const shown = (entry: OrderedDocument) => entry.grant !== undefined;
        const budget = Math.max(...entries.flat().map((e) => Buffer.byteLength(JSON.stringify(e.entry.document))), 1) * budgetDocuments;
        const expected = [...new Set(entries.flat().filter((e) => e.kept && e.shown).map((e) => e.entry.order))].sort().reverse();

        const seen: string[] = [];
        let after: string | undefined;
        for (let pages = 0; pages <= expected.length + 1; pages++) {
          const size = Math.min(limit + 1, Math.ceil((3 * (limit + 1)) / ids.length));
          const first = ids.map((stream) => ({ stream, size, read: read(stream, after, size) }));
          const page = await mergeStreams(first, read, shown, limit, budget);
          if (after !== undefined) expect(page.items.length).toBeGreaterThan(0);
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((d) => order(Number(d.id.slice(1)))));
          if (page.last === undefined) break;
          expect(page.last).toBe(seen.at(-1));
          after = page.last;
        }
        expect(seen).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });
});

describe('documentAccess, page by page', () => {
  const NOW = new Date('2026-11-10T12:00:00.000Z');
  const PORTALS: ContactRecord['portal'][] = [{ status: 'active' }, { status: 'invited' }, { status: 'revoked' }, { status: 'none' }, { status: 'active', scope: 'own' }, { status: 'active', types: ['task'] }];
  const contact = (id: string, name: string, portal: number, over: Partial<ContactRecord> = {}): ContactRecord => ({
    id, kind: 'person', name, archived: false, portal: PORTALS[portal] as ContactRecord['portal'], version: 1, createdAt: AT, updatedAt: AT, ...over,
  });
  const cursors = jsonCursors;
  // As the store lists a company's persons: by name (then id), the cursor the last one's key, and only when more follow.
  const keyOf = (c: ContactRecord) => `${c.name}\u0000${c.id}`;
  function deps(contacts: ContactRecord[], grants: StoredGrant[], customerId: string): AccessReportDeps {
    return {
      contacts: {
        get: async (id) => contacts.find((c) => c.id === id),
        async listCompanyPersons(companyId, cursor, limit = 100) {
          const all = contacts.filter((c) => c.companyId === companyId && c.kind === 'person' && !c.archived).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
          const rest = all.filter((c) => cursor === undefined || keyOf(c) > cursor);
          const items = rest.slice(0, limit);
          return { items, ...(rest.length > limit ? { nextCursor: keyOf(items.at(-1) as ContactRecord) } : {}) };
        },
      },
      documents: { document: async () => ({ type: 'invoice', id: 'INV-1', customerId, name: 'Invoice', createdAt: AT, updatedAt: AT }), grants: async () => grants },
      cursors,
      now: () => NOW,
    };
  }
  const world = fc.record({
    company: fc.boolean(),
    customerPortal: fc.integer({ min: 0, max: 5 }),
    persons: fc.array(fc.record({ name: fc.constantFrom('Ann', 'Bo', 'Cy', 'Di'), portal: fc.integer({ min: 0, max: 5 }), archived: fc.boolean(), granted: fc.boolean() }), { maxLength: 14 }),
    others: fc.array(fc.record({ portal: fc.integer({ min: 0, max: 5 }), granted: fc.boolean() }), { maxLength: 5 }),
    customerGranted: fc.boolean(),
    limit: fc.integer({ min: 1, max: 6 }),
  });

  test('each contact with a route once, in the listing’s order, and a cursor only before more', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ company, customerPortal, persons, others, customerGranted, limit }) => {
        const customer = contact('E', 'E', customerPortal, company ? { kind: 'company' } : {});
        const people = persons.map((p, i) => contact(`p${i}`, p.name, p.portal, { companyId: company ? 'E' : 'O', archived: p.archived }));
        const outsiders = others.map((o, i) => contact(`o${i}`, `O${i}`, o.portal, { companyId: 'O' }));
        const contacts = [customer, ...people, ...outsiders];
        const grants: StoredGrant[] = [
          ...(customerGranted ? [{ contactId: 'E' }] : []),
          ...people.filter((_, i) => persons[i]?.granted).map((c) => ({ contactId: c.id })),
          ...outsiders.filter((_, i) => others[i]?.granted).map((c) => ({ contactId: c.id })),
        ];
        // The model: the customer, its persons by name, then the other grantees by id; those invited or active with a route.
        const sees = (c: ContactRecord) => {
          const status = portalStatusAt(c.portal, NOW);
          const grant = grants.find((g) => g.contactId === c.id);
          return !c.archived && (status === 'invited' || status === 'active') &&
            explain({ viewer: c, document: { type: 'invoice', customerId: 'E' }, grant: grant ? {} : undefined, now: NOW }).reasons.length > 0;
        };
        const listedPersons = company ? people.filter((p) => !p.archived).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1)) : [];
        const rest = contacts.filter((c) => c !== customer && !listedPersons.includes(c) && grants.some((g) => g.contactId === c.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
        const expected = [customer, ...listedPersons, ...rest].filter(sees).map((c) => c.id);

        const d = deps(contacts, grants, 'E');
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages <= expected.length + 1; pages++) {
          const page = await documentAccess(d, 'invoice', 'INV-1', { limit, ...(cursor ? { cursor } : {}) });
          if (cursor !== undefined) expect(page.items.length).toBeGreaterThan(0);
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((i) => i.contactId));
          cursor = page.nextCursor;
          if (cursor === undefined) break;
        }
        expect(seen).toEqual(expected);
      }),
      { numRuns: 600 },
    );
  });

  // Past a read of 100 persons: many persons, few with access, and contacts coming and going between pages.
  const crowd = fc.record({
    n: fc.integer({ min: 95, max: 320 }),
    access: fc.uniqueArray(fc.integer({ min: 0, max: 319 }), { maxLength: 12 }),
    changes: fc.array(fc.record({ at: fc.integer({ min: 0, max: 330 }), kind: fc.constantFrom('add', 'remove', 'revoke', 'invite') }), { maxLength: 6 }),
    limit: fc.integer({ min: 1, max: 5 }),
  });

  test('over more than a read of persons, with changes between pages: none twice, none that stayed missed, in order', async () => {
    await fc.assert(
      fc.asyncProperty(crowd, async ({ n, access, changes, limit }) => {
        const name = (i: number) => `P${String(i).padStart(4, '0')}`;
        const contacts = [
          contact('E', 'E', 3, { kind: 'company' }),
          ...Array.from({ length: n }, (_, i) => contact(`p${i}`, name(i), access.includes(i) ? 0 : 3, { companyId: 'E' })),
        ];
        const d = deps(contacts, [], 'E');
        const touched = new Set<string>();
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await documentAccess(d, 'invoice', 'INV-1', { limit, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          if (cursor !== undefined && changes.length === 0) expect(page.items.length).toBeGreaterThan(0);
          seen.push(...page.items.map((i) => i.contactId));
          cursor = page.nextCursor;
          const change = changes[pages];
          if (change) {
            const id = `p${change.at}`;
            touched.add(id);
            const at = contacts.findIndex((c) => c.id === id);
            if (change.kind === 'add' && at < 0) contacts.push(contact(id, name(change.at), 0, { companyId: 'E' }));
            else if (change.kind === 'remove' && at >= 0) contacts.splice(at, 1);
            else if (at >= 0) contacts[at] = { ...(contacts[at] as ContactRecord), portal: PORTALS[change.kind === 'revoke' ? 2 : 1] as ContactRecord['portal'] };
          }
          pages++;
        } while (cursor !== undefined && pages < 400);
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(seen);
        const stayed = access.filter((i) => i < n && !touched.has(`p${i}`)).map((i) => `p${i}`);
        for (const id of stayed) expect(seen).toContain(id);
        if (changes.length === 0) expect(seen).toEqual([...stayed].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
      }),
      { numRuns: 300 },
    );
  });
});
