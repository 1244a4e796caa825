/**
 * The wizard and the revocations at their edges, over the in-memory stores and pool: the normal
 * re-submit of a contact already in the portal, lines the request had no time left for, contacts
 * that left the wizard between its listing and their line, a company revocation in which one
 * login cannot be disabled, and what the events and the audit trail say. Requests write the record
 * and an outbox item; `drain()` runs the outbox worker (login, email, events) as the stream would.
 */
import { Conflict, NotFound } from '../../lambdas/contract/errors';
import { processOutboxItem, type OutboxDeps } from '../../lambdas/domain/outbox';
import { APPLY_GROUP_LINES, APPLY_GROUPS_AT_ONCE, applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import type { AccessEventDetail, AccessEventType, DeliveryDeps, InvitationMail, ReinviteDeps } from '../../lambdas/domain/portal-access/ports';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { WRITE_ATTEMPTS } from '../../lambdas/domain/portal-access/lines';
import { revokeAccess, revokeCompany, settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryPool } from './customer-pool.fakes';
import { MemoryAccess } from './portal-access.fakes';
import { deliverReminder } from '../../lambdas/domain/portal-access/reminder';

const NOW = '2026-03-01T10:00:00.000Z';

let access: MemoryAccess;
let pool: MemoryPool;
let mails: InvitationMail[];
let events: { type: AccessEventType; detail: AccessEventDetail }[];
let deps: ReinviteDeps;
let worker: OutboxDeps;

beforeEach(() => {
  access = new MemoryAccess();
  pool = new MemoryPool();
  mails = [];
  events = [];
  let ids = 0;
  const now = () => new Date(NOW);
  deps = { contacts: access.contactStore, store: access, now, config: { applyConcurrency: 4, portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400 }, newId: () => `o-${++ids}`, warn: () => undefined };
  const delivery: DeliveryDeps = {
    contacts: access.contactStore,
    store: access,
    outbox: access,
    logins: pool,
    mailer: { send: async (mail) => void mails.push(mail) },
    pacer: { acquire: async () => ({ usable: () => true }) },
    events: { emit: async (type, detail) => void events.push({ type, detail }) },
    now,
    config: { portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400, businessName: 'Example Business' },
    staff: { profile: async () => undefined },
    warn: () => undefined,
    sleep: async () => undefined,
  };
  worker = {
    outbox: access,
    now,
    handlers: { invitation: (item, run) => deliverInvitation(delivery, item, run), revocation: (item, run) => settleRevocation(delivery, item, run), reminder: (item, run) => deliverReminder(delivery, item, run) },
  };
});

/** Hands the outbox items written so far to the worker, oldest first, as the table's stream would; one that throws stays (the stream retries it). */
async function drain(): Promise<unknown[]> {
  const errors: unknown[] = [];
  while (access.pending.length > 0) {
    try {
      await processOutboxItem(worker, access.pending[0]!, new AbortController().signal);
      access.pending.shift();
    } catch (error) {
      errors.push(error);
      break;
    }
  }
  return errors;
}

/** A contact that accepted its invitation: its login exists, enabled, and no invitation is pending. */
function active(id: string, companyId?: string) {
  access.add({
    id,
    email: `${id}@example.com`,
    ...(companyId ? { companyId } : {}),
    portal: { status: 'active', invitedAt: '2026-02-01T00:00:00.000Z', activatedAt: '2026-02-02T00:00:00.000Z', delivery: 'sent' },
    login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` },
  });
  access.guards.set(`${id}@example.com`, id);
  access.subjects.set(`sub-${id}`, id);
  pool.seed(`user-${id}`, `${id}@example.com`, `sub-${id}`);
}

const grantLine = (contactId: string, email?: string) => ({ contactId, inPortal: true, ...(email ? { email } : {}) });
const problemOf = (error: unknown) => toProblem(error).problem;

describe('the wizard submitted again with a contact already in the portal ticked', () => {
  it('an active contact is unchanged: no invitation, no email, no audit entry, no event, the login left as it is', async () => {
    active('p1');
    const before = structuredClone(access.contact('p1'));

    const results = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');
    // The same email as the login's, spelled otherwise, is the same line.
    const again = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1', ' P1@Example.com ')] }, 'staff:alice');
    expect(await drain()).toEqual([]);

    expect(results).toEqual([{ contactId: 'p1', outcome: 'unchanged', status: 'active' }]);
    expect(again).toEqual([{ contactId: 'p1', outcome: 'unchanged', status: 'active' }]);
    expect(access.contact('p1')).toEqual(before);
    expect(access.outboxItems.size).toBe(0);
    expect(access.invitations.size).toBe(0);
    expect(mails).toEqual([]);
    expect(access.audit).toEqual([]);
    expect(events).toEqual([]);
    expect(pool.calls).toEqual([]);
  });

  it('a company whose persons are all active: every line unchanged, nobody mailed', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    active('p1', 'co');
    active('p2', 'co');

    const results = await applyPortalAccess(deps, 'co', { lines: [grantLine('p1'), grantLine('p2')], message: 'Welcome back' }, 'staff:alice');
    expect(await drain()).toEqual([]);

    expect(results.map((r) => [r.contactId, r.outcome, r.status])).toEqual([
      ['p1', 'unchanged', 'active'],
      ['p2', 'unchanged', 'active'],
    ]);
    expect(access.outboxItems.size).toBe(0);
    expect(mails).toEqual([]);
    expect(access.audit.filter((entry) => entry.contactId !== 'co')).toEqual([]);
  });
});

describe('lines the request has no time left for', () => {
  it('fail with 503 and status none, and leave their contact as it was; the lines already started finish', async () => {
    // Lines start in groups (claimed together), a few groups at once: the time runs out while the
    // first group's first line is being written. Its group finishes; a group after the ones under
    // way then cannot have started.
    const ids = Array.from({ length: APPLY_GROUP_LINES * APPLY_GROUPS_AT_ONCE + 2 }, (_, i) => `p${i + 1}`);
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    for (const id of ids) access.add({ id, companyId: 'co', email: `${id}@example.com` });
    const before = new Map(ids.map((id) => [id, structuredClone(access.contact(id))]));
    deps.config.applyConcurrency = 1;
    const requestEnd = new AbortController();
    const claim = access.claimLogin.bind(access);
    access.claimLogin = async (c) => {
      requestEnd.abort();
      return claim(c);
    };

    const results = await applyPortalAccess(deps, 'co', { lines: ids.map((id) => grantLine(id)) }, 'staff:alice', requestEnd.signal);
    expect(await drain()).toEqual([]);

    const granted = results.filter((r) => r.outcome === 'granted').map((r) => r.contactId);
    expect(granted).toEqual(ids.slice(0, granted.length));
    expect(granted.length).toBeGreaterThanOrEqual(APPLY_GROUP_LINES);
    expect(granted.length).toBeLessThanOrEqual(APPLY_GROUP_LINES * APPLY_GROUPS_AT_ONCE);
    for (const line of results.slice(granted.length)) {
      expect([line.outcome, line.status]).toEqual(['failed', 'none']);
      expect(problemOf(line.error)).toMatchObject({ status: 503 });
      expect(access.contact(line.contactId)).toEqual(before.get(line.contactId));
    }
    expect(results.slice(-2).map((r) => r.outcome)).toEqual(['failed', 'failed']);
    expect(mails.map((m) => m.to).sort()).toEqual(granted.map((id) => `${id}@example.com`).sort());
    expect(pool.calls).toHaveLength(granted.length);
  });

  it('a request already out of time starts no line at all', async () => {
    active('p1');
    access.add({ id: 'p2', email: 'p2@example.com' });
    const results = await applyPortalAccess(deps, 'p2', { lines: [grantLine('p2')] }, 'staff:alice', AbortSignal.abort());
    expect(results).toMatchObject([{ contactId: 'p2', outcome: 'failed', status: 'none' }]);
    expect(access.contact('p2').portal.status).toBe('none');
    expect(access.guards.has('p2@example.com')).toBe(false);
    expect(access.outboxItems.size).toBe(0);
  });
});

describe('a contact that leaves the wizard between the read of the wizard and its line', () => {
  /** Reads the wizard's contact as it is, then lets `change` happen before the lines are read. */
  function changeAfterListing(change: () => void) {
    const get = deps.contacts.get;
    let changed = false;
    deps.contacts = {
      ...deps.contacts,
      get: async (id) => {
        const contact = await get(id);
        if (id === 'co' && !changed) {
          changed = true;
          change();
        }
        return contact;
      },
    };
  }

  beforeEach(() => {
    access.add({ id: 'co', kind: 'company', name: 'Co', email: 'co@example.com' });
    access.add({ id: 'other', kind: 'company', name: 'Other' });
    for (const id of ['p1', 'p2', 'p3']) access.add({ id, companyId: 'co', email: `${id}@example.com` });
  });

  it('archived or moved to another company meanwhile: its line fails with 404 and it is not granted; the others are', async () => {
    changeAfterListing(() => {
      access.contact('p1').archived = true;
      access.contact('p2').companyId = 'other';
    });

    const results = await applyPortalAccess(deps, 'co', { lines: ['co', 'p1', 'p2', 'p3'].map((id) => grantLine(id)) }, 'staff:alice');
    expect(await drain()).toEqual([]);

    expect(results.map((r) => [r.contactId, r.outcome, r.status])).toEqual([
      ['co', 'granted', 'invited'],
      ['p1', 'failed', 'none'],
      ['p2', 'failed', 'none'],
      ['p3', 'granted', 'invited'],
    ]);
    for (const failed of [results[1], results[2]]) expect(problemOf(failed?.error)).toMatchObject({ status: 404, detail: 'The contact is not in this wizard.' });
    expect(access.contact('p1').portal.status).toBe('none');
    expect(access.contact('p2').portal.status).toBe('none');
    expect(mails.map((m) => m.to).sort()).toEqual(['co@example.com', 'p3@example.com']);
  });

  it('deleted from the store meanwhile: 404 too', async () => {
    changeAfterListing(() => access.contacts.delete('p3'));
    const [result] = await applyPortalAccess(deps, 'co', { lines: [grantLine('p3')] }, 'staff:alice');
    expect(result).toMatchObject({ contactId: 'p3', outcome: 'failed', status: 'none' });
    expect(result?.error).toBeInstanceOf(NotFound);
  });

  it('a person moved away is not re-invited from its former company', async () => {
    await applyPortalAccess(deps, 'co', { lines: [grantLine('p1')] }, 'staff:alice');
    await drain();
    expect(mails).toHaveLength(1);
    changeAfterListing(() => {
      access.contact('p1').companyId = 'other';
    });
    await expect(reinvite(deps, 'co', { contactId: 'p1' }, 'staff:alice')).rejects.toEqual(new NotFound('The contact is not in this wizard.'));
    expect(await drain()).toEqual([]);
    expect(mails).toHaveLength(1);
  });
});

describe('a company revocation', () => {
  beforeEach(() => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    active('p1', 'co');
    active('p2', 'co');
    active('p3', 'co');
  });

  it("one person's record changed meanwhile (its invitation accepted between the read and the write): read again and revoked at once, every person once", async () => {
    const revoke = access.revoke.bind(access);
    let lost = false;
    access.revoke = async (contact, ...rest) => {
      if (contact.id === 'p2' && !lost) {
        lost = true;
        return false; // another writer got there between the read and the write
      }
      return revoke(contact, ...rest);
    };

    await revokeCompany(deps, 'co', 'event:crm', 'contract ended');

    expect(lost).toBe(true);
    expect(await drain()).toEqual([]);
    expect(['p1', 'p2', 'p3'].map((id) => access.contact(id).portal.status)).toEqual(['revoked', 'revoked', 'revoked']);
    expect(['p1', 'p2', 'p3'].map((id) => pool.user(`user-${id}`).enabled)).toEqual([false, false, false]);
    expect(access.audit.filter((a) => a.action === 'portal.revoked').map((a) => a.contactId).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(events.map((e) => e.detail.contactId).sort()).toEqual(['p1', 'p2', 'p3']);
  });

  it(`a record that keeps changing under the revocation: tried ${WRITE_ATTEMPTS} times, then the event fails (so it is retried) while every other person is revoked`, async () => {
    const revoke = access.revoke.bind(access);
    let tries = 0;
    access.revoke = async (contact, ...rest) => {
      if (contact.id !== 'p2') return revoke(contact, ...rest);
      tries++;
      return false;
    };

    const failure = await revokeCompany(deps, 'co', 'event:crm', 'contract ended').catch((error: unknown) => error);

    expect(tries).toBe(WRITE_ATTEMPTS);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toEqual([new Conflict('The contact changed meanwhile; repeat the request.')]);
    expect(['p1', 'p2', 'p3'].map((id) => access.contact(id).portal.status)).toEqual(['revoked', 'active', 'revoked']);
  });

  it('a login that cannot be disabled stays on the stream, its record already revoked; the retry disables it, with no second audit entry or event', async () => {
    pool.disableFailsOnce.add('user-p2');
    await revokeCompany(deps, 'co', 'event:crm');

    const errors: unknown[] = [];
    for (let round = 0; round < 2 && access.pending.length > 0; round++) {
      errors.push(...(await drain()));
      if (round === 0) {
        // The portal refuses all three already; only p2's login is still enabled, and its item is still pending.
        expect(['p1', 'p2', 'p3'].map((id) => access.contact(id).portal.status)).toEqual(['revoked', 'revoked', 'revoked']);
        expect(pool.user('user-p2').enabled).toBe(true);
        expect(access.contact('p2').login?.disabledAt).toBeUndefined();
        expect(access.pending).toHaveLength(2); // p2's item, and p3's behind it
      }
    }

    expect(errors).toEqual([expect.objectContaining({ name: 'TooManyRequestsException' })]);
    expect(['p1', 'p2', 'p3'].map((id) => pool.user(`user-${id}`).enabled)).toEqual([false, false, false]);
    expect(access.contact('p2').login?.disabledAt).toBe(NOW);
    expect(access.audit.filter((a) => a.action === 'portal.revoked')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'PortalAccessRevoked')).toHaveLength(3);
    expect(pool.calls.filter(([op, user]) => op === 'disable' && user === 'user-p2')).toHaveLength(2);
  });

  it('a single contact whose login cannot be disabled: revoked at once; disabled by the retry', async () => {
    pool.disableFailsOnce.add('user-p2');
    expect(await revokeAccess(deps, 'p2', 'event:crm')).toBe('revoked');
    expect(await drain()).toEqual([expect.objectContaining({ name: 'TooManyRequestsException' })]);
    expect(await revokeAccess(deps, 'p2', 'event:crm')).toBe('unchanged');
    expect(await drain()).toEqual([]);
    expect(pool.user('user-p2').enabled).toBe(false);
  });
});

describe('what the events and the audit trail say', () => {
  it('a revocation: PortalAccessRevoked with the login email and the instant; the audit entry names the email and the status before', async () => {
    active('p1');
    await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: false }] }, 'staff:alice');
    await drain();

    expect(events).toEqual([{ type: 'PortalAccessRevoked', detail: { contactId: 'p1', email: 'p1@example.com', at: NOW } }]);
    expect(access.audit).toEqual([
      { action: 'portal.revoked', contactId: 'p1', actor: 'staff:alice', at: NOW, details: { email: 'p1@example.com', previousStatus: 'active' } },
    ]);
  });

  it("a revocation event's reason is in the audit entry", async () => {
    active('p1');
    await revokeAccess(deps, 'p1', 'event:billing', 'unpaid');
    expect(access.audit).toEqual([
      { action: 'portal.revoked', contactId: 'p1', actor: 'event:billing', at: NOW, details: { email: 'p1@example.com', previousStatus: 'active', reason: 'unpaid' } },
    ]);
  });

  it('a re-invitation: PortalInvitationSent with the login email; the audit entry names it', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1', 'login@example.com')] }, 'staff:alice');
    await drain();
    events.length = 0;

    await reinvite(deps, 'p1', {}, 'staff:bob');
    await drain();

    expect(events).toEqual([{ type: 'PortalInvitationSent', detail: { contactId: 'p1', email: 'login@example.com', at: NOW } }]);
    expect(access.audit.at(-1)).toEqual({ action: 'portal.reinvited', contactId: 'p1', actor: 'staff:bob', at: NOW, details: { email: 'login@example.com' } });
    expect(mails.map((m) => m.to)).toEqual(['login@example.com', 'login@example.com']);
  });

  it("a re-invitation repeated under its request's run id (an attempt whose answer was lost) queues nothing twice: one more mail", async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');
    await drain();

    await reinvite(deps, 'p1', {}, 'staff:bob', 'run-1');
    await reinvite(deps, 'p1', {}, 'staff:bob', 'run-1');
    await drain();
    await reinvite(deps, 'p1', {}, 'staff:bob', 'run-1');
    await drain();

    expect(mails).toHaveLength(2);
    expect(access.audit.filter((entry) => entry.action === 'portal.reinvited')).toHaveLength(1);
  });

  it('a grant: PortalInvitationSent and PortalAccessGranted with the login email; the audit entry names it and the settings', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');
    await drain();

    const detail = { contactId: 'p1', email: 'p1@example.com', at: NOW };
    expect(events).toEqual([
      { type: 'PortalInvitationSent', detail },
      { type: 'PortalAccessGranted', detail },
    ]);
    expect(access.audit).toEqual([
      { action: 'portal.granted', contactId: 'p1', actor: 'staff:alice', at: NOW, details: { email: 'p1@example.com', scope: 'company', types: 'all', until: null } },
    ]);
  });

  it('only an invited contact can be re-invited: an active one is a conflict and gets no mail', async () => {
    active('p1');
    await expect(reinvite(deps, 'p1', {}, 'staff:bob')).rejects.toBeInstanceOf(Conflict);
    expect(await drain()).toEqual([]);
    expect(mails).toEqual([]);
    expect(events).toEqual([]);
  });
});
