/**
 * Scoped and time-bound access in the lifecycle: a line's `scope`, `types` and `until` (granted,
 * `updated`, kept, cleared), re-granting an access that ended, accepting one whose end came, and
 * the scheduled job's expiry (mark, audit, event; idempotent and safe when runs overlap).
 */
import { CognitoCustomerLogins } from '../../lambdas/adapters/cognito/customer-logins';
import { Gone } from '../../lambdas/contract/errors';
import { processOutboxItem, type OutboxDeps } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import { deliverReminder } from '../../lambdas/domain/portal-access/reminder';
import { EXPIRY_CLAIM_STALE_MS, expireAccess, type ExpiryDeps } from '../../lambdas/domain/portal-access/expire';
import { acceptInvitation, hashToken, newToken } from '../../lambdas/domain/portal-access/invitations';
import type { AcceptDeps, AccessEvents, AccessEventType, DeliveryDeps, PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { revokeAccess, settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { getWizard } from '../../lambdas/domain/portal-access/wizard';
import { toProblem } from '../../lambdas/http-kit/problem';
import { cognitoError, fakeCognito } from './cognito-fake';
import { MemoryAccess } from './portal-access.fakes';

const cognito = fakeCognito();

let access: MemoryAccess;
let events: { type: AccessEventType; detail: { contactId: string; email: string; at: string } }[];
/** The requests' side (the table only) and the outbox worker's (the pool, the mail, the bus). */
let deps: PortalAccessDeps;
let delivery: DeliveryDeps;
let accept: AcceptDeps;
let worker: OutboxDeps;
let emitter: AccessEvents;
let clock: Date;
let ids: number;
const mails: string[] = [];

const T0 = new Date('2026-03-01T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms).toISOString();

beforeAll(() => {
  process.env.LOG_LEVEL = 'silent';
});

beforeEach(() => {
  cognito.reset();
  mails.length = 0;
  ids = 0;
  cognito.on('AdminCreateUser', { User: { Username: 'user-1', Attributes: [{ Name: 'sub', Value: 'sub-1' }] } });
  cognito.on('AdminGetUser', () => {
    throw cognitoError('UserNotFoundException', 'User does not exist.');
  });
  access = new MemoryAccess();
  events = [];
  clock = T0;
  const now = () => clock;
  emitter = { emit: async (type, detail) => void events.push({ type, detail }) };
  const logins = new CognitoCustomerLogins(cognito, 'pool-1');
  deps = { contacts: access.contactStore, store: access, now, config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
  delivery = {
    contacts: access.contactStore,
    store: access,
    outbox: access,
    logins,
    mailer: { send: async (mail) => void mails.push(mail.to) },
    pacer: { acquire: async () => ({ usable: () => true }) },
    events: emitter,
    now,
    config: { portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400, businessName: 'Example Business' },
    staff: { profile: async () => undefined },
    warn: () => undefined,
    sleep: async (ms) => void (clock = new Date(clock.getTime() + ms)),
  };
  accept = { contacts: access.contactStore, store: access, logins, now, sleep: async (ms: number) => void (clock = new Date(clock.getTime() + ms)) };
  worker = {
    outbox: access,
    now,
    handlers: {
      invitation: (item, run) => deliverInvitation(delivery, item, run),
      revocation: (item, run) => settleRevocation(delivery, item, run),
      reminder: (item, run) => deliverReminder(delivery, item, run),
    },
  };
});

/** Hands every pending outbox item to the worker, oldest first, as the table's stream would. */
async function drain(): Promise<void> {
  for (let id = access.pending.shift(); id; id = access.pending.shift()) await processOutboxItem(worker, id, new AbortController().signal);
}

type Line = Parameters<typeof applyPortalAccess>[2]['lines'][number];
const apply = async (lines: Line[]) => applyPortalAccess(deps, 'p1', { lines }, 'staff:alice');
const problem = (line: { error?: unknown }) => (line.error === undefined ? undefined : toProblem(line.error).problem);

/** An active portal user p1 (its invitation accepted long ago). */
function activeUser(portal: Partial<Parameters<MemoryAccess['add']>[0]['portal']> = {}) {
  access.add({
    id: 'p1',
    email: 'p1@example.com',
    portal: { status: 'active', activatedAt: later(-86_400_000), ...portal } as Parameters<MemoryAccess['add']>[0]['portal'],
    login: { email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1' },
  });
  access.guards.set('p1@example.com', 'p1');
}

describe('a line with scope, types and until', () => {
  it('a grant stores them (types in their canonical order), shows them on the line, and audits them', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const [result] = await apply([{ contactId: 'p1', inPortal: true, scope: 'own', types: ['ticket', 'invoice', 'ticket'], until: later(3_600_000) }]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(access.contact('p1').portal).toMatchObject({ status: 'invited', scope: 'own', types: ['invoice', 'ticket'], until: later(3_600_000) });
    expect(access.audit.at(-1)).toMatchObject({ action: 'portal.granted', details: { scope: 'own', types: ['invoice', 'ticket'], until: later(3_600_000) } });
    const [line] = (await getWizard(deps, 'p1')).lines;
    expect(line).toMatchObject({ status: 'invited', scope: 'own', types: ['invoice', 'ticket'], until: later(3_600_000) });
  });

  it('changing only them on a contact in the portal is `updated`: one write with its audit entry, no invitation, no mail', async () => {
    activeUser();
    const [result] = await apply([{ contactId: 'p1', inPortal: true, types: ['invoice'], until: later(60_000) }]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'updated', status: 'active' });
    expect(access.contact('p1').portal).toMatchObject({ status: 'active', types: ['invoice'], until: later(60_000) });
    expect(access.audit.map((a) => a.action)).toEqual(['portal.updated']);
    expect(access.audit[0]!.details).toEqual({
      from: { scope: 'company', types: 'all', until: null },
      to: { scope: 'company', types: ['invoice'], until: later(60_000) },
    });
    expect(mails).toEqual([]);
    expect(access.invitations.size).toBe(0);
    await drain();
    expect(cognito.calls('AdminCreateUser')).toHaveLength(0);
    expect(events).toEqual([]);
  });

  it('a line that omits them keeps what the contact has; the same values again are `unchanged`; `until: null` clears the end', async () => {
    activeUser({ scope: 'own', types: ['lead'], until: later(60_000) });
    expect((await apply([{ contactId: 'p1', inPortal: true }]))[0]!.outcome).toBe('unchanged');
    expect((await apply([{ contactId: 'p1', inPortal: true, scope: 'own', types: ['lead'] }]))[0]!.outcome).toBe('unchanged');
    expect(access.contact('p1').portal).toMatchObject({ scope: 'own', types: ['lead'], until: later(60_000) });
    expect((await apply([{ contactId: 'p1', inPortal: true, until: null }]))[0]!.outcome).toBe('updated');
    expect(access.contact('p1').portal).not.toHaveProperty('until');
    // The defaults spelled out are the defaults: scope company, all ten types.
    expect((await apply([{ contactId: 'p1', inPortal: true, scope: 'company', types: ['lead'] }]))[0]!.outcome).toBe('updated');
    expect(access.contact('p1').portal).not.toHaveProperty('scope');
  });

  it('an until that is not in the future fails the line (400 on lines.<i>.until) and changes nothing', async () => {
    activeUser();
    for (const until of [T0.toISOString(), later(-1)]) {
      const [result] = await apply([{ contactId: 'p1', inPortal: true, until }]);
      expect(result).toMatchObject({ outcome: 'failed', status: 'active' });
      expect(problem(result!)).toMatchObject({ status: 400, errors: [{ path: 'lines.0.until' }] });
    }
    expect(access.audit).toEqual([]);
  });

  it('a revoke line ignores them', async () => {
    activeUser();
    const [result] = await apply([{ contactId: 'p1', inPortal: false, until: later(-5) }]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'revoked', status: 'revoked' });
  });
});

describe('an access that ended', () => {
  it('reads expired on the line from its until on (before any job ran); a revoke line leaves it as it is', async () => {
    activeUser({ until: later(1000) });
    clock = new Date(T0.getTime() + 999);
    expect((await getWizard(deps, 'p1')).lines[0]).toMatchObject({ status: 'active', inPortal: true });
    clock = new Date(T0.getTime() + 1000);
    expect((await getWizard(deps, 'p1')).lines[0]).toMatchObject({ status: 'expired', inPortal: false, until: later(1000) });
    const [result] = await apply([{ contactId: 'p1', inPortal: false }]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'expired' });
    expect(access.audit).toEqual([]);
  });

  it('re-granting it needs a new end (or none): keeping the past one fails the line; with one it is `regranted`, a fresh invitation', async () => {
    activeUser({ until: later(1000) });
    clock = new Date(T0.getTime() + 5000);
    const [kept] = await apply([{ contactId: 'p1', inPortal: true }]);
    expect(kept).toMatchObject({ outcome: 'failed', status: 'expired' });
    expect(problem(kept!)).toMatchObject({ status: 400, errors: [{ path: 'lines.0.until' }] });
    const [regranted] = await apply([{ contactId: 'p1', inPortal: true, until: later(86_400_000) }]);
    expect(regranted).toEqual({ contactId: 'p1', outcome: 'regranted', status: 'invited' });
    expect(access.contact('p1').portal).toMatchObject({ status: 'invited', until: later(86_400_000) });
    await drain();
    expect(mails).toEqual(['p1@example.com']);
  });

  it('an archive or a revocation event revokes it all the same (its login is disabled too)', async () => {
    activeUser({ until: later(1000) });
    clock = new Date(T0.getTime() + 5000);
    await expect(revokeAccess(deps, 'p1', 'event:crm')).resolves.toBe('revoked');
    expect(access.contact('p1').portal.status).toBe('revoked');
    await drain();
    expect(cognito.calls('AdminDisableUser')).toHaveLength(1);
  });

  it('an invitation whose access ended cannot be accepted (410), nor one whose access ends before the activation\'s second (invitations.ts); a millisecond later it can', async () => {
    const invite = (until: string) => {
      const token = newToken();
      access.add({
        id: 'p9',
        portal: { status: 'invited', invitedAt: T0.toISOString(), until },
        login: { email: 'p9@example.com', username: 'user-p9', sub: 'sub-p9' },
        invitation: { tokenHash: hashToken(token), expiresAt: later(7 * 86_400_000), sentAt: T0.toISOString() },
      });
      access.invitations.set(hashToken(token), { contactId: 'p9', expiresAt: later(7 * 86_400_000) });
      return token;
    };
    await expect(acceptInvitation(accept, invite(T0.toISOString()), 'Correct-Horse-7-battery')).rejects.toBeInstanceOf(Gone);
    // Accepted at T0, the access begins at T0 + 1 s (the next whole second): one ending then never began.
    clock = T0;
    await expect(acceptInvitation(accept, invite(later(1000)), 'Correct-Horse-7-battery')).rejects.toBeInstanceOf(Gone);
    clock = T0;
    await expect(acceptInvitation(accept, invite(later(1001)), 'Correct-Horse-7-battery')).resolves.toBeUndefined();
    expect(access.contact('p9').portal.status).toBe('active');
  });
});

describe('the scheduled expiry of an access', () => {
  const UNTIL = later(1000);
  const job = (): ExpiryDeps => ({ contacts: access.contactStore, store: access, events: emitter, now: () => clock });

  it('marks it expired with the audit entry, drops its invitation, emits PortalAccessExpired (at = until), and is done', async () => {
    activeUser({ until: UNTIL });
    clock = new Date(T0.getTime() + 30_000);
    await expect(expireAccess(job(), 'p1', UNTIL)).resolves.toBe('expired');
    expect(access.contact('p1').portal.status).toBe('expired');
    expect(access.audit).toEqual([{ at: clock.toISOString(), actor: 'schedule', action: 'portal.expired', contactId: 'p1', details: { until: UNTIL, previousStatus: 'active' } }]);
    expect(events).toEqual([{ type: 'PortalAccessExpired', detail: { contactId: 'p1', email: 'p1@example.com', at: UNTIL } }]);
    expect(access.announced).toEqual(['p1']);
    // Run again: nothing more.
    await expect(expireAccess(job(), 'p1', UNTIL)).resolves.toBe('unchanged');
    expect(events).toHaveLength(1);
    expect(access.audit).toHaveLength(1);
  });

  it('two runs at once: one marks and announces, the other does nothing and leaves the entry pending', async () => {
    activeUser({ until: UNTIL });
    clock = new Date(T0.getTime() + 30_000);
    const outcomes = await Promise.all([expireAccess(job(), 'p1', UNTIL), expireAccess(job(), 'p1', UNTIL)]);
    expect(outcomes.sort()).toEqual(['expired', 'pending']);
    expect(events).toHaveLength(1);
    expect(access.audit).toHaveLength(1);
  });

  it('a run that died after marking is made up for once its claim is stale: the event goes out then, once', async () => {
    activeUser({ until: UNTIL });
    clock = new Date(T0.getTime() + 30_000);
    const failing: ExpiryDeps = { ...job(), events: { emit: async () => Promise.reject(new Error('bus down')) } };
    await expect(expireAccess(failing, 'p1', UNTIL)).rejects.toThrow('bus down');
    expect(access.contact('p1').portal.status).toBe('expired');
    await expect(expireAccess(job(), 'p1', UNTIL)).resolves.toBe('pending'); // its claim is fresh: someone may still be on it
    expect(events).toEqual([]);
    clock = new Date(clock.getTime() + EXPIRY_CLAIM_STALE_MS);
    await expect(expireAccess(job(), 'p1', UNTIL)).resolves.toBe('announced');
    expect(events.map((e) => e.type)).toEqual(['PortalAccessExpired']);
    expect(access.audit).toHaveLength(1);
    await expect(expireAccess(job(), 'p1', UNTIL)).resolves.toBe('unchanged');
  });

  it('leaves an access that is not yet at its end, one given another end meanwhile, and a revoked one', async () => {
    activeUser({ until: UNTIL });
    clock = new Date(T0.getTime() + 999);
    await expect(expireAccess(job(), 'p1', UNTIL)).resolves.toBe('unchanged');
    clock = new Date(T0.getTime() + 5000);
    await expect(expireAccess(job(), 'p1', later(500))).resolves.toBe('unchanged');
    access.contact('p1').portal.status = 'revoked';
    await expect(expireAccess(job(), 'p1', UNTIL)).resolves.toBe('unchanged');
    expect(events).toEqual([]);
    expect(access.audit).toEqual([]);
  });
});
