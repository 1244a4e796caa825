/** Explain and "who has access": the portal's own rule, asked by staff; the candidates found without a scan, paged. */
import { NotFound } from '../../lambdas/contract/errors';
import { documentAccess, explainAccess, type AccessReportDeps } from '../../lambdas/domain/access-report';
import { jsonCursors } from './position-cursors.fakes';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { StoredGrant } from '../../lambdas/domain/documents';
import type { Document } from '../../lambdas/contract/schemas/documents';

const NOW = new Date('2026-11-10T12:00:00.000Z');
const AT = '2026-11-01T00:00:00.000Z';
const soon = new Date(NOW.getTime() + 60_000).toISOString();

function contact(id: string, over: Partial<ContactRecord> = {}, portal: Partial<ContactRecord['portal']> = {}): ContactRecord {
  return { id, kind: 'person', name: id.toUpperCase(), archived: false, portal: { status: 'active', ...portal }, version: 1, createdAt: AT, updatedAt: AT, ...over };
}

const cursors = jsonCursors;

function world(contacts: ContactRecord[], document: Document | undefined, grants: StoredGrant[]) {
  const listed: { cursor?: string; limit?: number }[] = [];
  const deps: AccessReportDeps = {
    contacts: {
      get: async (id) => contacts.find((c) => c.id === id),
      async listCompanyPersons(companyId, cursor, limit = 100) {
        listed.push({ ...(cursor ? { cursor } : {}), limit });
        const all = contacts.filter((c) => c.companyId === companyId && c.kind === 'person' && !c.archived).sort((a, b) => (a.name < b.name ? -1 : 1));
        const start = cursor ? Number(cursor) : 0;
        return { items: all.slice(start, start + limit), ...(start + limit < all.length ? { nextCursor: String(start + limit) } : {}) };
      },
    },
    documents: { document: async () => document, grants: async () => grants },
    cursors,
    now: () => NOW,
  };
  return { deps, listed };
}

// Company E; persons a (company scope), b (own), c (types: task only), d (invited), e (revoked), f (expired), g (archived);
// x of another company with an explicit grant, y with an ended grant, z with no access but a grant.
const E = contact('E', { kind: 'company' }, { status: 'none' });
const people = [
  contact('a', { companyId: 'E' }),
  contact('b', { companyId: 'E' }, { scope: 'own' }),
  contact('c', { companyId: 'E' }, { types: ['task'] }),
  contact('d', { companyId: 'E' }, { status: 'invited' }),
  contact('e', { companyId: 'E' }, { status: 'revoked' }),
  contact('f', { companyId: 'E' }, { until: NOW.toISOString() }),
  contact('g', { companyId: 'E', archived: true }),
  contact('x', { companyId: 'O' }),
  contact('y', { companyId: 'O' }),
  contact('z', {}, { status: 'none' }),
];
const invoice: Document = { type: 'invoice', id: 'INV-1', customerId: 'E', name: 'Invoice', createdAt: AT, updatedAt: AT };
const grants: StoredGrant[] = [
  { contactId: 'x', until: soon, grantedBy: 'staff:ann', grantedAt: AT },
  { contactId: 'y', until: NOW.toISOString() },
  { contactId: 'z' },
  { contactId: 'b', grantedBy: 'staff:bob' },
];

describe('explainAccess', () => {
  test('is the rule, for the contact, the document and its grant', async () => {
    const { deps } = world([E, ...people], invoice, grants);
    await expect(explainAccess(deps, 'a', 'invoice', 'INV-1')).resolves.toEqual({ visible: true, reasons: [{ kind: 'company' }], blockers: [] });
    await expect(explainAccess(deps, 'b', 'invoice', 'INV-1')).resolves.toMatchObject({ visible: true, reasons: [{ kind: 'grant', grantedBy: 'staff:bob' }], blockers: [{ kind: 'scope_own' }] });
    await expect(explainAccess(deps, 'y', 'invoice', 'INV-1')).resolves.toMatchObject({ visible: false, blockers: [{ kind: 'other_customer' }, { kind: 'grant_expired' }] });
    await expect(explainAccess(deps, 'ghost', 'invoice', 'INV-1')).rejects.toBeInstanceOf(NotFound);
  });

  test('a missing document is a blocker, not a 404', async () => {
    const { deps } = world([E, ...people], undefined, []);
    await expect(explainAccess(deps, 'a', 'invoice', 'gone')).resolves.toMatchObject({ visible: false, blockers: [{ kind: 'document_missing' }] });
  });
});

describe('documentAccess', () => {
  const all = async (deps: AccessReportDeps, limit: number) => {
    const items: { contactId: string; status: string; reasons: { kind: string }[] }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await documentAccess(deps, 'invoice', 'INV-1', { limit, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(50);
    } while (cursor);
    return items;
  };

  test.each([1, 2, 3, 100])('every invited or active contact with a route to it, each once, with every reason (pages of %i)', async (limit) => {
    const { deps } = world([E, ...people], invoice, grants);
    const items = await all(deps, limit);
    expect(items).toEqual([
      { contactId: 'a', name: 'A', status: 'active', reasons: [{ kind: 'company' }] },
      { contactId: 'b', name: 'B', status: 'active', reasons: [{ kind: 'grant', grantedBy: 'staff:bob' }] },
      { contactId: 'd', name: 'D', status: 'invited', reasons: [{ kind: 'company' }] },
      { contactId: 'x', name: 'X', status: 'active', reasons: [{ kind: 'grant', until: soon, grantedBy: 'staff:ann', grantedAt: AT }] },
    ]);
  });

  test('a person customer with access is listed first, as the customer', async () => {
    const own: Document = { ...invoice, customerId: 'a' };
    const { deps, listed } = world([E, ...people], own, []);
    expect(await all(deps, 10)).toEqual([{ contactId: 'a', name: 'A', status: 'active', reasons: [{ kind: 'customer' }] }]);
    expect(listed).toEqual([]); // a person has no persons to read
  });

  test('a company’s persons are paged by the last one listed: pages of 2 over 250 persons, each with access listed once', async () => {
    const many = Array.from({ length: 250 }, (_, i) => contact(`p${String(i).padStart(3, '0')}`, { companyId: 'E' }, i % 50 === 0 || i === 51 ? {} : { status: 'none' }));
    const { deps } = world([E, ...many], invoice, []);
    expect((await all(deps, 2)).map((i) => i.contactId)).toEqual(['p000', 'p050', 'p051', 'p100', 'p150', 'p200']);
  });

  test('a company’s persons are read 100 at a time whatever the limit: pages of 1 over 3,000 persons are 30-odd reads, not 3,000', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => contact(`p${String(i).padStart(4, '0')}`, { companyId: 'E' }, [0, 1500, 2999].includes(i) ? {} : { status: 'none' }));
    const { deps, listed } = world([E, ...many], invoice, []);
    expect((await all(deps, 1)).map((i) => i.contactId)).toEqual(['p0000', 'p1500', 'p2999']);
    // The company walked once in reads of 100 (30, and one more at each of the 3 pages' starts), plus two
    // short reads for each page followed by another: where the page ends, and right before the next one found.
    expect(listed.length).toBeLessThanOrEqual(30 + 3 + 2 * 2);
  });

  test('a cursor always leads to at least one more contact (pages of 1 to 4)', async () => {
    const { deps } = world([E, ...people], invoice, grants);
    for (const limit of [1, 2, 3, 4]) {
      let cursor: string | undefined;
      const sizes: number[] = [];
      do {
        const page = await documentAccess(deps, 'invoice', 'INV-1', { limit, ...(cursor ? { cursor } : {}) });
        sizes.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor && sizes.length < 10);
      expect({ limit, empty: sizes.filter((n) => n === 0).length, total: sizes.reduce((a, b) => a + b) }).toEqual({ limit, empty: 0, total: 4 });
    }
  });

  test('limit=1 on a company with access and nobody else: one page, no cursor', async () => {
    const company = contact('E', { kind: 'company' });
    const { deps } = world([company, contact('n', { companyId: 'E' }, { status: 'none' }), contact('z', {}, { status: 'none' })], invoice, [{ contactId: 'z' }]);
    expect(await documentAccess(deps, 'invoice', 'INV-1', { limit: 1 })).toEqual({ items: [{ contactId: 'E', name: 'E', status: 'active', reasons: [{ kind: 'customer' }] }] });
  });

  test('an unknown document is NotFound', async () => {
    const { deps } = world([E], undefined, []);
    await expect(documentAccess(deps, 'invoice', 'nope', { limit: 10 })).rejects.toBeInstanceOf(NotFound);
  });
});
