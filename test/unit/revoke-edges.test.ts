/**
 * Revocations at the edges: an unknown contact, an access that already ended (the wizard leaves it,
 * an archive or an event revokes it), the archive hook of the contacts module with its reasons, and
 * an archived contact whose access was already revoked (its login released all the same).
 */
import { OUTBOX_ABANDONED_AFTER_MS } from '../../lambdas/contract/outbox';
import { Conflict, NotFound } from '../../lambdas/contract/errors';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import type { PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { archiveRevoker, revokeAccess, revokeCompany } from '../../lambdas/domain/portal-access/revoke';
import { MemoryAccess } from './portal-access.fakes';

const NOW = '2026-03-01T10:00:00.000Z';
const PAST = '2026-02-20T00:00:00.000Z';
let access: MemoryAccess;
let deps: PortalAccessDeps;

beforeEach(() => {
  access = new MemoryAccess();
  let ids = 0;
  deps = { contacts: access.contactStore, store: access, now: () => new Date(NOW), config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
});

function withLogin(id: string, portal: Parameters<MemoryAccess['add']>[0]['portal'], over: Partial<Parameters<MemoryAccess['add']>[0]> = {}) {
  access.add({ id, email: `${id}@example.com`, portal, login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` }, ...over });
  access.guards.set(`${id}@example.com`, id);
  access.subjects.set(`sub-${id}`, id);
}

it('an unknown contact is a 404 "No such contact." to revoke, to revoke as a company, or to archive', async () => {
  for (const attempt of [revokeAccess(deps, 'nope', 'event:crm'), revokeCompany(deps, 'nope', 'event:crm'), archiveRevoker(deps).revokeForArchive('nope', 'staff:ann')])
    await expect(attempt).rejects.toEqual(new NotFound('No such contact.'));
});

describe('an access that already ended (its until passed)', () => {
  it('the wizard leaves it as it is: unchanged, nothing written', async () => {
    withLogin('p1', { status: 'active', activatedAt: PAST, until: PAST });
    const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: false }] }, 'staff:alice');
    expect(line).toMatchObject({ contactId: 'p1', outcome: 'unchanged', status: 'expired' });
    expect(access.contact('p1').portal.status).toBe('active');
    expect(access.audit).toEqual([]);
    expect(access.outboxItems.size).toBe(0);
  });

  it.each([
    ['not yet marked by the job', { status: 'active' as const, activatedAt: PAST, until: PAST }, 'active'],
    ['marked expired by the job', { status: 'expired' as const, activatedAt: PAST, until: PAST }, 'expired'],
  ])('%s: an event revokes it, so that its login is disabled too', async (_, portal, previousStatus) => {
    withLogin('p1', portal);
    await expect(revokeAccess(deps, 'p1', 'event:crm', 'contract ended')).resolves.toBe('revoked');
    expect(access.contact('p1').portal.status).toBe('revoked');
    expect(access.audit).toEqual([
      { at: NOW, actor: 'event:crm', action: 'portal.revoked', contactId: 'p1', details: { email: 'p1@example.com', previousStatus, reason: 'contract ended' } },
    ]);
    expect([...access.outboxItems.values()]).toMatchObject([{ kind: 'revocation', contactId: 'p1', email: 'p1@example.com' }]);
  });
});

describe("the contacts module's archive hook", () => {
  it("a company's archive revokes it and each of its persons, saying which was archived", async () => {
    withLogin('co', { status: 'active', activatedAt: PAST }, { kind: 'company' });
    withLogin('p1', { status: 'invited', invitedAt: PAST }, { companyId: 'co' });
    withLogin('p2', { status: 'active', activatedAt: PAST }, { companyId: 'co' });
    await archiveRevoker(deps).revokeForArchive('co', 'staff:ann');
    expect(access.audit.map((a) => [a.contactId, a.details.reason]).sort()).toEqual([
      ['co', 'contact archived'],
      ['p1', 'company archived'],
      ['p2', 'company archived'],
    ]);
    expect(['co', 'p1', 'p2'].map((id) => access.contact(id).portal.status)).toEqual(['revoked', 'revoked', 'revoked']);
  });

  /**
   * The company's persons come from an index, which DynamoDB (in AWS; DynamoDB Local updates its
   * indexes at once) keeps eventually consistent: it may still list a person as it was before a
   * grant that committed just before the archive — or before it moved to another company.
   */
  function listedAsBefore(stale: Record<string, Partial<Parameters<MemoryAccess['add']>[0]>>) {
    const list = access.contactStore.listCompanyPersons;
    access.contactStore.listCompanyPersons = async (companyId, cursor, limit) => {
      const page = await list(companyId, cursor, limit);
      return { ...page, items: page.items.map((person) => ({ ...person, ...stale[person.id] }) as typeof person) };
    };
  }

  it.each([
    ['the archive of a company', () => archiveRevoker(deps).revokeForArchive('co', 'staff:ann')],
    ['a revocation event for a company', () => revokeCompany(deps, 'co', 'event:crm')],
  ])('%s revokes a person granted just before, although the listing still shows it without access', async (_, revoke) => {
    access.add({ id: 'co', kind: 'company', portal: { status: 'none' } });
    withLogin('p1', { status: 'invited', invitedAt: PAST }, { companyId: 'co' });
    listedAsBefore({ p1: { portal: { status: 'none' }, version: 1 } });
    await revoke();
    expect(access.contact('p1').portal.status).toBe('revoked');
    expect(access.audit.map((a) => [a.contactId, a.action])).toEqual([['p1', 'portal.revoked']]);
  });

  it('a person the listing still shows in the company, though it moved to another since, keeps its access', async () => {
    access.add({ id: 'co', kind: 'company', portal: { status: 'none' } });
    access.add({ id: 'other', kind: 'company', portal: { status: 'none' } });
    withLogin('p1', { status: 'active', activatedAt: PAST }, { companyId: 'co' });
    listedAsBefore({ p1: { companyId: 'co' } });
    access.contact('p1').companyId = 'other';
    const list = access.contactStore.listCompanyPersons;
    // Still in the company's listing (its entry not yet moved).
    access.contactStore.listCompanyPersons = async (companyId, cursor, limit) => (companyId === 'co' ? { items: [{ ...access.contact('p1'), companyId: 'co' }] } : list(companyId, cursor, limit));
    await archiveRevoker(deps).revokeForArchive('co', 'staff:ann');
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it("an archived person whose access was revoked before (its login disabled) releases the login's email and subject, for another contact to adopt", async () => {
    withLogin('p1', { status: 'revoked', revokedAt: PAST }, { archived: true });
    access.contact('p1').login!.disabledAt = PAST;
    await archiveRevoker(deps).revokeForArchive('p1', 'staff:ann');
    expect(access.guards.has('p1@example.com')).toBe(false);
    expect(access.subjects.has('sub-p1')).toBe(false);
    expect(access.audit).toEqual([]);
  });

  it('an archived person whose revocation was abandoned (its login never disabled): a repeated archive queues the revocation again', async () => {
    const abandonedAt = new Date(Date.parse(NOW) - OUTBOX_ABANDONED_AFTER_MS - 1).toISOString();
    withLogin('p1', { status: 'revoked', revokedAt: abandonedAt }, { archived: true, outbox: { id: 'o-old', kind: 'revocation', at: abandonedAt } });
    await archiveRevoker(deps).revokeForArchive('p1', 'staff:ann');
    expect(access.contact('p1').outbox).toMatchObject({ id: 'o-1', kind: 'revocation' });
    expect(access.pending).toEqual(['o-1']);
    // Queued once: a repeat while it is on its way changes nothing.
    await archiveRevoker(deps).revokeForArchive('p1', 'staff:ann');
    expect(access.pending).toEqual(['o-1']);
  });

  it('a revocation refused because the record changed meanwhile is a 409 conflict to repeat, not an unexpected error', async () => {
    withLogin('p1', { status: 'active', activatedAt: PAST }, { archived: true });
    access.revoke = async () => false;
    const failure = await archiveRevoker(deps).revokeForArchive('p1', 'staff:ann').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Conflict);
    expect((failure as Conflict).message).toMatch(/^1 of 1 revocations failed: .*repeating the request completes/);
  });
});
