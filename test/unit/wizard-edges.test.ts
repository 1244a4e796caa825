/**
 * The wizard's contacts at the edges: an unknown contact, a company of more persons than a page, and
 * a person who joined the company after the wizard was listed (one of its lines: its record decides),
 * and the cost of a line, the same whatever the company's size.
 */
import { NotFound } from '../../lambdas/contract/errors';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
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

it('a person who joined the company a moment ago is one of its lines (its own record decides, not the lagging listing)', async () => {
  access.add({ id: 'co', kind: 'company', name: 'Co' });
  access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
  access.add({ id: 'late', companyId: 'co', email: 'late@example.com' });
  // The company's index has not caught up with the newcomer yet (a GSI is eventually consistent).
  const list = deps.contacts.listCompanyPersons;
  deps.contacts = {
    ...deps.contacts,
    listCompanyPersons: async (...args) => {
      const page = await list(...args);
      return { ...page, items: page.items.filter((c) => c.id !== 'late') };
    },
  };
  const results = await applyPortalAccess(deps, 'co', { lines: [{ contactId: 'p1', inPortal: true }, { contactId: 'late', inPortal: true }] }, 'staff:alice');
  expect(results.map((r) => [r.contactId, r.outcome, r.status])).toEqual([
    ['p1', 'granted', 'invited'],
    ['late', 'granted', 'invited'],
  ]);
});

it("an apply and a re-invite read their lines' contacts, never the company's persons: a line costs the same in a company of 3,000", async () => {
  access.add({ id: 'co', kind: 'company', name: 'Co' });
  for (let i = 0; i < 3000; i++) access.add({ id: `p${String(i).padStart(4, '0')}`, companyId: 'co', email: `p${i}@example.com` });
  access.add({ id: 'stranger', email: 'stranger@example.com' });
  let listed = 0;
  const list = deps.contacts.listCompanyPersons;
  deps.contacts = { ...deps.contacts, listCompanyPersons: (...args) => (listed++, list(...args)) };

  const results = await applyPortalAccess(deps, 'co', { lines: [{ contactId: 'p1234', inPortal: true }, { contactId: 'stranger', inPortal: true }] }, 'staff:alice');
  expect(results.map((r) => [r.contactId, r.outcome])).toEqual([
    ['p1234', 'granted'],
    ['stranger', 'failed'],
  ]);
  expect(toProblem(results[1]?.error)).toMatchObject({ status: 404, problem: { detail: NOT_IN_WIZARD } });
  const reinviteDeps = { ...deps, config: { applyConcurrency: 4, portalUrl: 'https://portal.example.com', invitationTtlSeconds: 604_800, reminderAfterSeconds: 259_200 } };
  await reinvite(reinviteDeps, 'co', { contactId: 'p1234' }, 'staff:alice');
  await expect(reinvite(reinviteDeps, 'co', { contactId: 'stranger' }, 'staff:alice')).rejects.toEqual(new NotFound(NOT_IN_WIZARD));
  expect(listed).toBe(0);
});
