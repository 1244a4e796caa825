/**
 * The wizard and the revocations at their edges, over the in-memory stores and pool: the normal
 * re-submit of a contact already in the portal, lines the request had no time left for, contacts
 * that left the wizard between its listing and their line, a company revocation in which one
 * login cannot be disabled, and what the events and the audit trail say.
 */
import { Conflict, NotFound } from '../../lambdas/contract/errors';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import type { AccessEventDetail, AccessEventType, InvitationMail, PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { revokeAccess, revokeCompany } from '../../lambdas/domain/portal-access/revoke';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryPool } from './customer-pool.fakes';
import { MemoryAccess } from './portal-access.fakes';

const NOW = '2026-03-01T10:00:00.000Z';

let access: MemoryAccess;
let pool: MemoryPool;
let mails: InvitationMail[];
let events: { type: AccessEventType; detail: AccessEventDetail }[];
let deps: PortalAccessDeps;

beforeEach(() => {
  access = new MemoryAccess();
  pool = new MemoryPool();
  mails = [];
  events = [];
  deps = {
    contacts: access.contactStore,
    store: access,
    logins: pool,
    mailer: { send: async (mail) => void mails.push(mail) },
    events: { emit: async (type, detail) => void events.push({ type, detail }) },
    now: () => new Date(NOW),
    config: { portalUrl: 'https://portal.example.com', invitationTtlDays: 7, applyConcurrency: 4 },
    warn: () => undefined,
  };
});

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

    expect(results).toEqual([{ contactId: 'p1', outcome: 'unchanged', status: 'active' }]);
    expect(again).toEqual([{ contactId: 'p1', outcome: 'unchanged', status: 'active' }]);
    expect(access.contact('p1')).toEqual(before);
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

    expect(results.map((r) => [r.contactId, r.outcome, r.status])).toEqual([
      ['p1', 'unchanged', 'active'],
      ['p2', 'unchanged', 'active'],
    ]);
    expect(mails).toEqual([]);
    expect(access.audit).toEqual([]);
  });
});

describe('lines the request has no time left for', () => {
  it('fail with 503 and status none, and leave their contact as it was; the lines already started finish', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
    access.add({ id: 'p2', companyId: 'co', email: 'p2@example.com' });
    access.add({ id: 'p3', companyId: 'co', email: 'p3@example.com' });
    const before = structuredClone([access.contact('p2'), access.contact('p3')]);
    deps.config.applyConcurrency = 1;
    // The request's time runs out while its first line talks to Cognito.
    const requestEnd = new AbortController();
    pool.during.set('create', async () => requestEnd.abort());

    const results = await applyPortalAccess(deps, 'co', { lines: [grantLine('p1'), grantLine('p2'), grantLine('p3')] }, 'staff:alice', requestEnd.signal);

    expect(results.map((r) => [r.contactId, r.outcome, r.status])).toEqual([
      ['p1', 'granted', 'invited'],
      ['p2', 'failed', 'none'],
      ['p3', 'failed', 'none'],
    ]);
    expect(problemOf(results[1]?.error)).toMatchObject({ status: 503 });
    expect(problemOf(results[2]?.error)).toMatchObject({ status: 503 });
    expect([access.contact('p2'), access.contact('p3')]).toEqual(before);
    expect(mails.map((m) => m.to)).toEqual(['p1@example.com']);
    expect(pool.calls).toEqual([['create', 'p1@example.com']]);
  });

  it('a request already out of time starts no line at all', async () => {
    active('p1');
    access.add({ id: 'p2', email: 'p2@example.com' });
    const results = await applyPortalAccess(deps, 'p2', { lines: [grantLine('p2')] }, 'staff:alice', AbortSignal.abort());
    expect(results).toMatchObject([{ contactId: 'p2', outcome: 'failed', status: 'none' }]);
    expect(access.contact('p2').portal.status).toBe('none');
    expect(access.guards.has('p2@example.com')).toBe(false);
  });
});

describe('a contact that leaves the wizard between its listing and its line', () => {
  /** Lists the company's persons as they are, then lets `change` happen before the lines run. */
  function changeAfterListing(change: () => void) {
    const list = deps.contacts.listCompanyPersons;
    deps.contacts = {
      ...deps.contacts,
      listCompanyPersons: async (...args) => {
        const page = await list(...args);
        change();
        return page;
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
    expect(mails).toHaveLength(1);
    changeAfterListing(() => {
      access.contact('p1').companyId = 'other';
    });
    await expect(reinvite(deps, 'co', { contactId: 'p1' }, 'staff:alice')).rejects.toEqual(new NotFound('The contact is not in this wizard.'));
    expect(mails).toHaveLength(1);
  });
});

describe('a company revocation in which one login cannot be disabled', () => {
  beforeEach(() => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    active('p1', 'co');
    active('p2', 'co');
    active('p3', 'co');
    pool.disableFailsOnce.add('user-p2');
  });

  it('fails (so the event is retried) while revoking and disabling every other person', async () => {
    const failure = await revokeCompany(deps, 'co', 'event:crm', 'contract ended').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toEqual([expect.objectContaining({ name: 'TooManyRequestsException' })]);
    expect((failure as AggregateError).message).toBe('1 of 4 revocations failed');
    // The portal refuses all three already; only p2's login is still enabled.
    expect(['p1', 'p2', 'p3'].map((id) => access.contact(id).portal.status)).toEqual(['revoked', 'revoked', 'revoked']);
    expect(['p1', 'p2', 'p3'].map((id) => pool.user(`user-${id}`).enabled)).toEqual([false, true, false]);
    expect(access.contact('p2').login?.disabledAt).toBeUndefined();
    expect(access.contact('p1').login?.disabledAt).toBe(NOW);
  });

  it('the retry disables the login left enabled, with no second audit entry or event', async () => {
    await expect(revokeCompany(deps, 'co', 'event:crm')).rejects.toBeInstanceOf(AggregateError);
    const audited = access.audit.length;
    const emitted = events.length;

    await revokeCompany(deps, 'co', 'event:crm');

    expect(pool.user('user-p2').enabled).toBe(false);
    expect(access.contact('p2').login?.disabledAt).toBe(NOW);
    expect(access.audit).toHaveLength(audited);
    expect(events).toHaveLength(emitted);
    expect(pool.calls.filter(([op, user]) => op === 'disable' && user === 'user-p1')).toHaveLength(1);
  });

  it('a single contact whose login cannot be disabled: the error itself, not a wrapper', async () => {
    await expect(revokeAccess(deps, 'p2', 'event:crm')).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    expect(await revokeAccess(deps, 'p2', 'event:crm')).toBe('unchanged');
    expect(pool.user('user-p2').enabled).toBe(false);
  });
});

describe('what the events and the audit trail say', () => {
  it('a revocation: PortalAccessRevoked with the login email and the instant; the audit entry names the email and the status before', async () => {
    active('p1');
    await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: false }] }, 'staff:alice');

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
    events.length = 0;

    await reinvite(deps, 'p1', {}, 'staff:bob');

    expect(events).toEqual([{ type: 'PortalInvitationSent', detail: { contactId: 'p1', email: 'login@example.com', at: NOW } }]);
    expect(access.audit.at(-1)).toEqual({ action: 'portal.reinvited', contactId: 'p1', actor: 'staff:bob', at: NOW, details: { email: 'login@example.com' } });
    expect(mails.map((m) => m.to)).toEqual(['login@example.com', 'login@example.com']);
  });

  it('a grant: PortalInvitationSent and PortalAccessGranted with the login email; the audit entry names it and the settings', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice');

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
    expect(mails).toEqual([]);
    expect(events).toEqual([]);
  });
});
