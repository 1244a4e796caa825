/**
 * The wizard's contacts at the edges: an unknown contact, a company of more persons than a page, and
 * a person who joined the company after the wizard was listed (not one of its lines).
 */
import { NotFound } from '../../lambdas/contract/errors';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import type { PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { getWizard, NOT_IN_WIZARD } from '../../lambdas/domain/portal-access/wizard';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryAccess } from './portal-access.fakes';

let access: MemoryAccess;
let deps: PortalAccessDeps;

beforeEach(() => {
  access = new MemoryAccess();
  let ids = 0;
  deps = { contacts: access.contactStore, store: access, now: () => new Date('2026-03-01T10:00:00.000Z'), config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
});

it('the wizard of an unknown contact is a 404 "No such contact."', async () => {
  const error = await getWizard(deps, 'nope').catch((e: unknown) => e);
  expect(error).toEqual(new NotFound('No such contact.'));
  expect(toProblem(error).status).toBe(404);
});

it("a company's wizard lists every one of its persons, over several pages", async () => {
  access.add({ id: 'co', kind: 'company', name: 'Co' });
  for (let i = 0; i < 150; i++) access.add({ id: `p${String(i).padStart(3, '0')}`, companyId: 'co' });
  const { lines } = await getWizard(deps, 'co');
  expect(lines).toHaveLength(151);
  expect(lines.at(-1)?.contactId).toBe('p149');
});

it('a person who joined the company after the wizard was listed is not one of its lines: 404, not granted', async () => {
  access.add({ id: 'co', kind: 'company', name: 'Co' });
  access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
  const list = deps.contacts.listCompanyPersons;
  deps.contacts = {
    ...deps.contacts,
    listCompanyPersons: async (...args) => {
      const page = await list(...args);
      access.add({ id: 'late', companyId: 'co', email: 'late@example.com' });
      return page;
    },
  };
  const results = await applyPortalAccess(deps, 'co', { lines: [{ contactId: 'p1', inPortal: true }, { contactId: 'late', inPortal: true }] }, 'staff:alice');
  expect(results.map((r) => [r.contactId, r.outcome, r.status])).toEqual([
    ['p1', 'granted', 'invited'],
    ['late', 'failed', 'none'],
  ]);
  expect(toProblem(results[1]?.error)).toMatchObject({ status: 404, problem: { detail: NOT_IN_WIZARD } });
  expect(access.contact('late').portal.status).toBe('none');
});
