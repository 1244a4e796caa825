/**
 * The end of an access (`until`) recorded and announced by the scheduled job, at its edges: an
 * invited contact, a revoked one, an expiry whose announcement was lost (claimed by a live run, or by
 * one that died), a record changed between the read and the claim, the event's email; and the login
 * made to follow the record (`settleLogin`): which record asks for which state, a login that is no
 * longer the contact's, and a record that keeps changing.
 */
import { Unavailable } from '../../lambdas/contract/errors';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { EXPIRY_CLAIM_STALE_MS, expireAccess, type ExpiryDeps } from '../../lambdas/domain/portal-access/expire';
import { settleLogin } from '../../lambdas/domain/portal-access/login-state';
import { MemoryAccess } from './portal-access.fakes';

const UNTIL = '2026-03-01T00:00:00.000Z';
let access: MemoryAccess;
let clock: Date;
let events: { type: string; detail: { contactId: string; email: string; at: string } }[];
let deps: ExpiryDeps;

beforeEach(() => {
  access = new MemoryAccess();
  clock = new Date('2026-03-01T00:05:00.000Z');
  events = [];
  deps = { contacts: access.contactStore, store: access, now: () => clock, events: { emit: async (type, detail) => void events.push({ type, detail }) } };
});

const withAccess = (portal: ContactRecord['portal'], over: Partial<ContactRecord> = {}) =>
  access.add({ id: 'p1', email: 'p1@example.com', portal, login: { email: 'login@example.com', username: 'u1', sub: 's1' }, ...over });

describe('an access whose until has passed', () => {
  it('still invited: recorded expired (audited with the status it had) and announced with the login email', async () => {
    withAccess({ status: 'invited', invitedAt: '2026-02-01T00:00:00.000Z', until: UNTIL });
    expect(await expireAccess(deps, 'p1', UNTIL)).toBe('expired');
    expect(access.contact('p1').portal.status).toBe('expired');
    expect(access.audit).toEqual([expect.objectContaining({ action: 'portal.expired', actor: 'schedule', details: { until: UNTIL, previousStatus: 'invited' } })]);
    expect(events).toEqual([{ type: 'PortalAccessExpired', detail: { contactId: 'p1', email: 'login@example.com', at: UNTIL } }]);
  });

  it('revoked meanwhile: left alone, nothing announced', async () => {
    withAccess({ status: 'revoked', revokedAt: '2026-02-15T00:00:00.000Z', until: UNTIL });
    expect(await expireAccess(deps, 'p1', UNTIL)).toBe('unchanged');
    expect(events).toEqual([]);
  });

  it("recorded but not announced (a run that died): announced by the next run once the claim is stale, with the contact's email when it has no login", async () => {
    withAccess({ status: 'expired', until: UNTIL }, { login: undefined, expiryClaim: new Date(clock.getTime() - EXPIRY_CLAIM_STALE_MS + 1).toISOString() });
    expect(await expireAccess(deps, 'p1', UNTIL)).toBe('pending');
    expect(events).toEqual([]);
    clock = new Date(clock.getTime() + 1);
    expect(await expireAccess(deps, 'p1', UNTIL)).toBe('announced');
    expect(events).toEqual([{ type: 'PortalAccessExpired', detail: { contactId: 'p1', email: 'p1@example.com', at: UNTIL } }]);
    expect(access.contact('p1').expiryAnnounced).toBe(UNTIL);
  });

  it('recorded, never claimed: announced at once; another run that wins the claim first leaves it to that run', async () => {
    withAccess({ status: 'expired', until: UNTIL });
    expect(await expireAccess(deps, 'p1', UNTIL)).toBe('announced');
    expect(events).toHaveLength(1);
    access.contacts.get('p1')!.expiryAnnounced = undefined;
    access.claimExpiry = async () => false;
    expect(await expireAccess(deps, 'p1', UNTIL)).toBe('pending');
    expect(events).toHaveLength(1);
  });
});

describe('the login follows the record (settleLogin)', () => {
  let calls: string[];
  let records: (ContactRecord | undefined)[];
  const logins = { enable: async (u: string) => void calls.push(`enable ${u}`), disable: async (u: string) => void calls.push(`disable ${u}`) };
  const record = (portal: ContactRecord['portal'], over: Partial<ContactRecord> = {}): ContactRecord => ({
    id: 'p1', kind: 'person', name: 'P', archived: false, portal, version: 1, createdAt: UNTIL, updatedAt: UNTIL, login: { email: 'p1@example.com', username: 'u1', sub: 's1' }, ...over,
  });
  /** The record as successive reads find it (the last one repeats). */
  const settle = (applied: 'enabled' | 'disabled') => settleLogin({ contacts: { get: async () => (records.length > 1 ? records.shift() : records[0]) }, logins }, 'p1', 'u1', applied);

  beforeEach(() => {
    calls = [];
  });

  it('a record in the portal after a disable: enabled again', async () => {
    records = [record({ status: 'active' })];
    expect(await settle('disabled')).toBe('enabled');
    expect(calls).toEqual(['enable u1']);
  });

  it('a revoked record after an enable: disabled again', async () => {
    records = [record({ status: 'revoked' })];
    expect(await settle('enabled')).toBe('disabled');
    expect(calls).toEqual(['disable u1']);
  });

  it.each<[string, () => ContactRecord | undefined]>([
    ['gone', () => undefined],
    ['with another login by now', () => record({ status: 'revoked' }, { login: { email: 'p1@example.com', username: 'u2', sub: 's2' } })],
    ['without a login', () => record({ status: 'revoked' }, { login: undefined })],
    ['archived while invited', () => record({ status: 'invited' }, { archived: true })],
    ['expired', () => record({ status: 'expired' })],
  ])('a record %s asks nothing: the login is left as it was', async (_, read) => {
    records = [read()];
    expect(await settle('enabled')).toBe('enabled');
    expect(await settle('disabled')).toBe('disabled');
    expect(calls).toEqual([]);
  });

  it('a record that keeps changing: five rounds, then Unavailable (the item comes back)', async () => {
    records = Array.from({ length: 20 }, (_, i) => record({ status: i % 2 === 0 ? 'revoked' : 'active' }));
    await expect(settle('enabled')).rejects.toEqual(new Unavailable('The portal login kept changing; it will be tried again.'));
    expect(calls).toEqual(['disable u1', 'enable u1', 'disable u1', 'enable u1', 'disable u1']);
  });
});
