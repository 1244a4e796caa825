/**
 * The wizard's lines and a grant's claim of the login email at their edges: a company with more
 * persons than one page, a warning only for a look-alike address, an unknown wizard, a line for a
 * contact outside it, an invitation left unsent from before the outbox, and the email's guard held
 * by this contact already, by a contact that moved on, or by one that still uses it.
 */
import { NotFound } from '../../lambdas/contract/errors';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import type { PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { getWizard } from '../../lambdas/domain/portal-access/wizard';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryAccess } from './portal-access.fakes';

const NOW = new Date('2026-03-01T10:00:00.000Z');
let access: MemoryAccess;
let deps: PortalAccessDeps;

beforeEach(() => {
  access = new MemoryAccess();
  let ids = 0;
  deps = { contacts: access.contactStore, store: access, now: () => NOW, config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
});

const grantLine = (contactId: string, email?: string) => ({ contactId, inPortal: true, ...(email ? { email } : {}) });

describe('the wizard', () => {
  it("lists every person of a company with more than one page of them", async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    for (let i = 0; i < 101; i++) access.add({ id: `p${String(i).padStart(3, '0')}`, companyId: 'co' });
    const { lines } = await getWizard(deps, 'co');
    expect(lines).toHaveLength(102);
    expect(lines.at(-1)?.contactId).toBe('p100');
  });

  it("warns of a look-alike address only: a plain one's line is exactly its facts", async () => {
    access.add({ id: 'p1', name: 'Pat', email: 'pat@example.com' });
    const { lines } = await getWizard(deps, 'p1');
    expect(lines).toEqual([{ contactId: 'p1', name: 'Pat', email: 'pat@example.com', inPortal: false, status: 'none' }]);
  });

  it('is 404 "No such contact." for an unknown contact', async () => {
    await expect(getWizard(deps, 'nope')).rejects.toEqual(new NotFound('No such contact.'));
  });

  it("refuses a line for a contact outside the wizard, saying so", async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    access.add({ id: 'p2', email: 'p2@example.com' });
    const [line] = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p2')] }, 'staff:alice');
    expect(line).toMatchObject({ contactId: 'p2', outcome: 'failed', status: 'none' });
    expect(toProblem(line?.error).problem.detail).toBe('The contact is not in this wizard.');
    expect(access.contact('p2').portal.status).toBe('none');
  });
});

describe('a grant', () => {
  it('of a contact whose invitation was left unsent before the outbox existed (no outbox item): queued again', async () => {
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'invited', invitedAt: '2026-01-01T00:00:00.000Z', delivery: 'queued' }, login: { email: 'p1@example.com' } });
    const [line] = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');
    expect(line).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(access.pending).toHaveLength(1);
  });

  it("whose email's guard is this contact's already (left from before): claimed", async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    access.guards.set('p1@example.com', 'p1');
    const claim = access.claimLogin.bind(access);
    let first = true;
    access.claimLogin = async (input) => {
      if (first) {
        first = false;
        return 'email-taken';
      }
      return claim(input);
    };
    const [line] = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');
    expect(line).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
  });

  it("whose email's guard is held by a contact that has moved on to another email: taken over", async () => {
    access.add({ id: 'old', email: 'old-now@example.com', portal: { status: 'active' }, login: { email: 'old-now@example.com', username: 'u0', sub: 's0' } });
    access.guards.set('shared@example.com', 'old');
    access.add({ id: 'p1', email: 'shared@example.com' });
    const [line] = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');
    expect(line).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(access.guards.get('shared@example.com')).toBe('p1');
  });

  it("whose email's guard is held by a contact still using it: 409", async () => {
    access.add({ id: 'old', email: 'shared@example.com', portal: { status: 'invited' }, login: { email: 'shared@example.com' } });
    access.guards.set('shared@example.com', 'old');
    access.add({ id: 'p1', email: 'shared@example.com' });
    const [line] = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');
    expect(toProblem(line?.error).status).toBe(409);
    expect(access.guards.get('shared@example.com')).toBe('old');
  });
});
