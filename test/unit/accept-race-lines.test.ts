/**
 * Wizard lines whose contact accepts its invitation between the wizard's read and its write
 * (invited → active): the write is refused by its condition, and the line goes on from the record
 * as it is now — a revocation still revokes, a narrower access is still put in force — instead of
 * failing with "repeat the request". A record that keeps changing fails after WRITE_ATTEMPTS, and
 * that failure is not kept for the request's Idempotency-Key: the repeat it asks for runs.
 */
import { Conflict } from '../../lambdas/contract/errors';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { idempotent } from '../../lambdas/domain/idempotency';
import { replayable, WRITE_ATTEMPTS } from '../../lambdas/domain/portal-access/lines';
import type { PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { MemoryAccess, MemoryIdempotency } from './portal-access.fakes';

const NOW = '2026-03-01T10:00:00.000Z';
const PAST = '2026-02-20T00:00:00.000Z';
let access: MemoryAccess;
let deps: PortalAccessDeps;

beforeEach(() => {
  access = new MemoryAccess();
  let ids = 0;
  deps = { contacts: access.contactStore, store: access, now: () => new Date(NOW), config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
  access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'invited', invitedAt: PAST }, login: { email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1' } });
  access.guards.set('p1@example.com', 'p1');
  access.subjects.set('sub-p1', 'p1');
});

/** The invitee accepts at the moment of the wizard's first write of `method`. */
function acceptedAtFirstWrite(method: 'revoke' | 'updateSettings'): void {
  const write = access[method].bind(access) as (...args: unknown[]) => Promise<boolean>;
  (access as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    if (access.contact('p1').portal.status === 'invited') access.contact('p1').portal = { status: 'active', invitedAt: PAST, activatedAt: NOW };
    return write(...args);
  };
}

it('a revocation: the line says revoked, and the access has ended', async () => {
  acceptedAtFirstWrite('revoke');
  const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: false }] }, 'staff:alice');
  expect(line).toEqual({ contactId: 'p1', outcome: 'revoked', status: 'revoked' });
  expect(access.contact('p1').portal.status).toBe('revoked');
  expect(access.audit.map((a) => [a.action, a.details.previousStatus])).toEqual([['portal.revoked', 'active']]);
});

it('a narrower access (own documents, invoices only): the line says updated, and the access is narrowed', async () => {
  acceptedAtFirstWrite('updateSettings');
  const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true, scope: 'own', types: ['invoice'] }] }, 'staff:alice');
  expect(line).toEqual({ contactId: 'p1', outcome: 'updated', status: 'active' });
  expect(access.contact('p1').portal).toMatchObject({ status: 'active', scope: 'own', types: ['invoice'] });
  expect(access.audit.map((a) => a.action)).toEqual(['portal.updated']);
});

it('the same narrowing made meanwhile by someone else: this line wrote nothing and says unchanged (the audit has the other actor only)', async () => {
  access.contact('p1').portal = { status: 'active', invitedAt: PAST, activatedAt: PAST };
  const write = access.updateSettings.bind(access);
  let first = true;
  access.updateSettings = async (contact, settings, at, audit) => {
    if (!first) return write(contact, settings, at, audit);
    first = false;
    // staff:bob's identical line lands between this line's read and its write
    await write(contact, settings, at, { ...audit, actor: 'staff:bob' });
    return false;
  };
  const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true, scope: 'own' }] }, 'staff:alice');
  expect(line).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'active' });
  expect(access.contact('p1').portal).toMatchObject({ status: 'active', scope: 'own' });
  expect(access.audit.map((a) => [a.action, a.actor])).toEqual([['portal.updated', 'staff:bob']]);
});

it(`a record that keeps changing: ${WRITE_ATTEMPTS} writes, then the line fails with "repeat the request"`, async () => {
  let writes = 0;
  access.updateSettings = async () => {
    writes++;
    return false;
  };
  const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true, scope: 'own' }] }, 'staff:alice');
  expect(writes).toBe(WRITE_ATTEMPTS);
  expect(line).toMatchObject({ contactId: 'p1', outcome: 'failed', status: 'invited', error: new Conflict('The contact changed meanwhile; repeat the request.') });
});

it('a contact revoked meanwhile is not narrowed behind the revocation: the line fails', async () => {
  access.updateSettings = async () => {
    access.contact('p1').portal = { status: 'revoked', invitedAt: PAST, revokedAt: NOW };
    return false;
  };
  const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true, scope: 'own' }] }, 'staff:alice');
  expect(line).toMatchObject({ outcome: 'failed', error: new Conflict('The contact changed meanwhile; repeat the request.') });
  expect(access.contact('p1').portal.status).toBe('revoked');
});

it('a line that failed because the record kept changing is not replayed for its Idempotency-Key: the repeat it asks for runs, and revokes', async () => {
  const idempotency = new MemoryIdempotency();
  const revoke = access.revoke.bind(access);
  access.revoke = async () => false;
  const apply = () =>
    idempotent({ idempotency, now: () => new Date(NOW) }, { scope: 'staff:alice#applyPortalAccess#p1', key: 'k-1', body: { lines: [{ contactId: 'p1', inPortal: false }] } }, () =>
      applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: false }] }, 'staff:alice'), replayable);
  const [first] = await apply();
  expect(first).toMatchObject({ outcome: 'failed', error: new Conflict('The contact changed meanwhile; repeat the request.') });
  access.revoke = revoke;
  const [repeat] = await apply();
  expect(repeat).toEqual({ contactId: 'p1', outcome: 'revoked', status: 'revoked' });
  expect(access.contact('p1').portal.status).toBe('revoked');
});
