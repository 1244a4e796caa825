/**
 * "Who sees this document now" past the customer and its persons: the other explicit grantees, by
 * id, a page at a time, each once — whatever order the grants are stored in, whoever is gone, and
 * whoever also holds a grant while already listed as the customer or a person of it.
 */
import { Invalid, NotFound } from '../../lambdas/contract/errors';
import { documentAccess, explainAccess, type AccessReportDeps, type PositionCursors } from '../../lambdas/domain/access-report';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { StoredGrant } from '../../lambdas/domain/documents';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { toProblem } from '../../lambdas/http-kit/problem';

const NOW = new Date('2026-11-10T12:00:00.000Z');
const AT = '2026-11-01T00:00:00.000Z';

const contact = (id: string, over: Partial<ContactRecord> = {}, portal: Partial<ContactRecord['portal']> = {}): ContactRecord => ({
  id,
  kind: 'person',
  name: `Name of ${id}`,
  archived: false,
  portal: { status: 'active', ...portal },
  version: 1,
  createdAt: AT,
  updatedAt: AT,
  ...over,
});

/** Cursors as the real adapter treats them: opaque, bound to their listing, only the named parts. */
const cursors: PositionCursors = {
  encode: (scope, position) => Buffer.from(JSON.stringify({ scope, position })).toString('base64url'),
  decode(cursor, scope, parts) {
    if (cursor === undefined) return undefined;
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { scope: string; position: Record<string, string> };
    if (parsed.scope !== scope || Object.keys(parsed.position).some((k) => !parts.includes(k))) throw new Invalid('The cursor is not valid for this listing.', 'cursor');
    return parsed.position;
  },
};

function deps(contacts: ContactRecord[], document: Document | undefined, grants: StoredGrant[]): AccessReportDeps {
  return {
    contacts: {
      get: async (id) => contacts.find((c) => c.id === id),
      async listCompanyPersons(companyId, cursor, limit = 100) {
        const all = contacts.filter((c) => c.companyId === companyId && c.kind === 'person' && !c.archived).sort((a, b) => (a.name < b.name ? -1 : 1));
        const start = cursor ? Number(cursor) : 0;
        return { items: all.slice(start, start + limit), ...(start + limit < all.length ? { nextCursor: String(start + limit) } : {}) };
      },
    },
    documents: { document: async () => document, grants: async () => grants },
    cursors,
    now: () => NOW,
  };
}

/** Every page of the listing, with its size. */
async function pages(d: AccessReportDeps, limit: number, id = 'INV-1'): Promise<string[][]> {
  const out: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await documentAccess(d, 'invoice', id, { limit, ...(cursor ? { cursor } : {}) });
    out.push(page.items.map((i) => i.contactId));
    cursor = page.nextCursor;
    expect(out.length).toBeLessThan(20);
  } while (cursor);
  return out;
}

const invoice = (customerId: string): Document => ({ type: 'invoice', id: 'INV-1', customerId, name: 'Invoice', createdAt: AT, updatedAt: AT });
// Grantees of other companies, ids upper- and lower-case, stored out of order; one whose contact is gone.
const grantees = ['K7', 'B2', 'a9', 'M1', 'C3'].map((id) => contact(id, { companyId: 'OTHER' }));
const grants: StoredGrant[] = [...['K7', 'gone', 'B2', 'a9', 'M1', 'C3'].map((contactId) => ({ contactId }))];

describe('the other grantees', () => {
  it.each([1, 2, 3, 100])('are listed by id, each once, with pages of %i', async (limit) => {
    const E = contact('E', { kind: 'company' }, { status: 'none' });
    const listed = (await pages(deps([E, ...grantees], invoice('E'), grants), limit)).flat();
    expect(listed).toEqual(['B2', 'C3', 'K7', 'M1', 'a9']);
  });

  it('pages of 2 after a company person filled the first page exactly: no grantee is lost or repeated', async () => {
    const E = contact('E', { kind: 'company' }, { status: 'none' });
    const persons = [contact('p1', { companyId: 'E' }), contact('p2', { companyId: 'E' })];
    expect(await pages(deps([E, ...persons, ...grantees], invoice('E'), grants), 2)).toEqual([['p1', 'p2'], ['B2', 'C3'], ['K7', 'M1'], ['a9']]);
  });

  it('the customer and its persons are listed once each, though they also hold explicit grants', async () => {
    const E = contact('E', { kind: 'company' });
    const persons = [contact('p1', { companyId: 'E' }), contact('p2', { companyId: 'E', archived: true })];
    const withOwn = [...grants, { contactId: 'E' }, { contactId: 'p1' }, { contactId: 'p2' }];
    const listed = (await pages(deps([E, ...persons, ...grantees], invoice('E'), withOwn), 100)).flat();
    expect(listed).toEqual(['E', 'p1', 'B2', 'C3', 'K7', 'M1', 'a9']);
  });

  it('a document whose customer contact is gone still lists its grantees', async () => {
    expect((await pages(deps(grantees, invoice('deleted'), grants), 2)).flat()).toEqual(['B2', 'C3', 'K7', 'M1', 'a9']);
  });

  it('a cursor of an unknown phase is a 400 on cursor', async () => {
    const cursor = cursors.encode('access:invoice:INV-1', { phase: 'elsewhere' });
    const error = await documentAccess(deps(grantees, invoice('E'), grants), 'invoice', 'INV-1', { limit: 2, cursor }).catch((e: unknown) => e);
    expect(toProblem(error)).toMatchObject({ status: 400, problem: { errors: [{ path: 'cursor', message: 'The cursor is not valid for this listing.' }] } });
  });
});

describe('not found', () => {
  it('an unknown document, or explaining for an unknown contact, says which is missing (404)', async () => {
    const missingDocument = await documentAccess(deps([], undefined, []), 'invoice', 'nope', { limit: 1 }).catch((e: unknown) => e);
    expect(missingDocument).toEqual(new NotFound('No such document.'));
    const missingContact = await explainAccess(deps([], invoice('E'), []), 'nobody', 'invoice', 'INV-1').catch((e: unknown) => e);
    expect(missingContact).toEqual(new NotFound('No such contact.'));
    expect(toProblem(missingContact).status).toBe(404);
  });
});
