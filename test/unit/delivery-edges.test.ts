/**
 * The outbox worker's invitation delivery at its edges, over the in-memory stores, the real Cognito
 * and SES adapters (a fake Cognito API, a mocked SES client): items overtaken by a newer request or
 * by the contact's acceptance, a sent marker that cannot be written at once, SES deferring past the
 * invocation's end, a login that vanished from the pool, a re-grant that cannot go on, and what the
 * item, the audit trail and the events say in each case; and a revocation's follow-up: queued again
 * once abandoned, overtaken by a re-grant, for an archived contact, for an access that already ended.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoCustomerLogins } from '../../lambdas/adapters/cognito/customer-logins';
import { SesInvitationMailer } from '../../lambdas/adapters/ses/invitation-mailer';
import { Conflict, Gone, Unavailable } from '../../lambdas/contract/errors';
import { OUTBOX_ABANDONED_AFTER_MS } from '../../lambdas/contract/outbox';
import { processOutboxItem, type OutboxDeps, type StepHook } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import { expireAccess, type ExpiryDeps } from '../../lambdas/domain/portal-access/expire';
import { acceptInvitation, GONE_DETAIL } from '../../lambdas/domain/portal-access/invitations';
import type { AccessEventType, DeliveryDeps, ReinviteDeps } from '../../lambdas/domain/portal-access/ports';
import { deliverReminder } from '../../lambdas/domain/portal-access/reminder';
import { archiveRevoker, revokeAccess, revokeCompany, settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { cognitoError, fakeCognito } from './cognito-fake';
import { MemoryAccess } from './portal-access.fakes';

const cognito = fakeCognito();
const ses = mockClient(SESv2Client);
const sender = { from: 'Portal <portal@example.com>', replyTo: 'help@example.com', configurationSet: '' };
const throttled = () => Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
const notFound = () => cognitoError('UserNotFoundException', 'User does not exist.');
const exists = () => cognitoError('UsernameExistsException', 'User account already exists');
const GOOD_PASSWORD = 'Abcdefgh1!xy';

let access: MemoryAccess;
let events: { type: AccessEventType; detail: { contactId: string; email: string; at: string } }[];
let warnings: { message: string; details: unknown }[];
let deps: ReinviteDeps;
let delivery: DeliveryDeps;
let worker: OutboxDeps;
let clock: Date;
let userCount: number;
let ids: number;

beforeAll(() => {
  process.env.LOG_LEVEL = 'silent';
});

beforeEach(() => {
  cognito.reset();
  ses.reset();
  userCount = 0;
  ids = 0;
  cognito.on('AdminCreateUser', () => {
    userCount += 1;
    return { User: { Username: `user-${userCount}`, Attributes: [{ Name: 'sub', Value: `sub-${userCount}` }] } };
  });
  cognito.on('AdminGetUser', () => {
    throw notFound();
  });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  access = new MemoryAccess();
  events = [];
  warnings = [];
  clock = new Date('2026-03-01T10:00:00.000Z');
  const now = () => clock;
  deps = {
    contacts: access.contactStore,
    store: access,
    now,
    config: { applyConcurrency: 4, portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400 },
    newId: () => `o-${++ids}`,
    warn: () => undefined,
  };
  delivery = {
    contacts: access.contactStore,
    store: access,
    outbox: access,
    logins: new CognitoCustomerLogins(cognito, 'pool-1'),
    mailer: new SesInvitationMailer(new SESv2Client({ region: 'eu-west-1' }), sender),
    pacer: { acquire: async () => ({ usable: () => true }) },
    events: { emit: async (type, detail) => void events.push({ type, detail }) },
    now,
    config: { portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400, businessName: 'Example Business' },
    staff: { profile: async () => undefined },
    warn: (message, details) => void warnings.push({ message, details }),
    sleep: async (ms) => void (clock = new Date(clock.getTime() + ms)),
  };
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

/** Hands the pending outbox items to the worker, oldest first, as the stream would; answers the errors (draining stops at the first). */
async function drain(signal = new AbortController().signal): Promise<unknown[]> {
  while (access.pending.length > 0) {
    try {
      await processOutboxItem(worker, access.pending[0]!, signal);
      access.pending.shift();
    } catch (error) {
      return [error];
    }
  }
  return [];
}

const grant = (contactId: string, email?: string) => applyPortalAccess(deps, contactId, { lines: [{ contactId, inPortal: true, ...(email ? { email } : {}) }] }, 'staff:alice');
const revoke = (contactId: string) => applyPortalAccess(deps, contactId, { lines: [{ contactId, inPortal: false }] }, 'staff:alice');
const sentEmails = () => ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
const tokenOf = (n: number) => /token=([A-Za-z0-9_-]+)/.exec(sentEmails()[n]?.Content?.Simple?.Body?.Text?.Data ?? '')?.[1] ?? '';
const outcomeOf = (id: string) => access.outboxItems.get(id)?.outcome;
const dyingAfter = (step: string): StepHook => {
  let died = false;
  return async (at) => {
    if (at !== step || died) return;
    died = true;
    throw new Error(`died after ${step}`);
  };
};

describe('an invitation item overtaken before the worker ran', () => {
  it('revoked and granted again: the first grant is superseded without asking Cognito; one login, one mail, from the newest item', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    await revoke('p1');
    await grant('p1');
    expect(access.pending).toEqual(['o-1', 'o-2', 'o-3']);

    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('superseded');
    expect(outcomeOf('o-3')).toBe('done');
    expect(cognito.calls('AdminCreateUser')).toHaveLength(1);
    expect(sentEmails()).toHaveLength(1);
    expect(access.contact('p1')).toMatchObject({ portal: { status: 'invited', delivery: 'sent' }, login: { username: 'user-1' } });
  });

  it('the contact accepted the first link while its sent marker was lost: the repeat mails nothing and asks Cognito nothing', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    worker.afterStep = dyingAfter('mail');
    expect(await drain()).toEqual([expect.objectContaining({ message: 'died after mail' })]);
    await acceptInvitation({ contacts: access.contactStore, store: access, logins: new CognitoCustomerLogins(cognito, 'pool-1'), now: () => clock, sleep: async (ms: number) => void (clock = new Date(clock.getTime() + ms)) }, tokenOf(0), GOOD_PASSWORD);
    expect(access.contact('p1').portal.status).toBe('active');
    const cognitoCalls = () => ['AdminEnableUser', 'AdminCreateUser', 'AdminDisableUser'].map((op) => cognito.calls(op as never).length);
    const before = cognitoCalls();

    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('superseded');
    expect(sentEmails()).toHaveLength(1);
    expect(cognitoCalls()).toEqual(before);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('revoked between the login and the mail: no invitation, no mail, the item superseded and the login left to the revocation', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    worker.afterStep = async (step) => {
      if (step === 'login') await revoke('p1');
    };
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('superseded');
    expect(sentEmails()).toHaveLength(0);
    expect(access.contact('p1').invitation).toBeUndefined();
    expect(access.invitations.size).toBe(0);
    expect(access.contact('p1')).toMatchObject({ portal: { status: 'revoked' }, login: { disabledAt: expect.any(String) } });
  });
});

describe('a contact archived while its revocation did not go through (the record still names the grant)', () => {
  it('gets no login and no mail: the item is superseded', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    access.contacts.get('p1')!.archived = true;
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('superseded');
    expect(cognito.calls('AdminCreateUser')).toHaveLength(0);
    expect(sentEmails()).toHaveLength(0);
  });
});

describe('the login recorded on the contact', () => {
  it("linked to another contact between the look-up and the record (the adopted user's sessions ended meanwhile): the grant is withdrawn, nothing mailed", async () => {
    access.add({ id: 'u', email: 'u@example.com', portal: { status: 'active' }, login: { email: 'u@example.com', username: 'user-u', sub: 'sub-u' } });
    access.add({ id: 'v', email: 'victim@example.com' });
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    cognito.on('AdminGetUser', () => ({ Username: 'user-u', UserAttributes: [{ Name: 'sub', Value: 'sub-u' }] }));
    cognito.on('AdminUserGlobalSignOut', () => void access.subjects.set('sub-u', 'u'));
    await grant('v');
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('withdrawn');
    expect(access.contact('v')).toMatchObject({ portal: { status: 'none', delivery: 'failed' }, deliveryError: { code: 'login_in_use' } });
    expect(access.subjects.get('sub-u')).toBe('u');
    expect(sentEmails()).toHaveLength(0);
  });

  it('the contact changed while its login was made (revoked): the item fails for now and comes back, then is superseded; nothing mailed', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    cognito.once('AdminCreateUser', async () => {
      await revoke('p1');
      return { User: { Username: 'user-1', Attributes: [{ Name: 'sub', Value: 'sub-1' }] } };
    });
    const errors = await drain();
    expect(errors).toEqual([expect.any(Unavailable)]);
    expect((errors[0] as Error).message).toBe('The contact changed while its login was made; it will be tried again.');
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('superseded');
    expect(sentEmails()).toHaveLength(0);
  });
});

describe('the sent marker', () => {
  it('a table that fails twice to record it: written on the third try in the same invocation, one mail, sent', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const mark = access.markInvitationSent.bind(access);
    let failures = 2;
    access.markInvitationSent = async (...args) => {
      if (failures-- > 0) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      return mark(...args);
    };
    await grant('p1');
    expect(await drain()).toEqual([]);
    expect(sentEmails()).toHaveLength(1);
    expect(access.contact('p1').portal.delivery).toBe('sent');
    expect(outcomeOf('o-1')).toBe('done');
  });

  it('a table still failing when the invocation ends: the write error goes up and the item comes back', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const ending = new AbortController();
    access.markInvitationSent = async () => {
      throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
    };
    delivery.sleep = async () => ending.abort();
    await grant('p1');
    const errors = await drain(ending.signal);
    expect(errors).toEqual([expect.objectContaining({ name: 'ProvisionedThroughputExceededException' })]);
    expect(access.pending).toEqual(['o-1']);
    expect(sentEmails()).toHaveLength(1);
  });

  it("the events carry the mail's time, even when they are emitted later (a worker that died after the marker)", async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    let died = false;
    worker.afterStep = async (step) => {
      if (step !== 'marked' || died) return;
      died = true;
      clock = new Date(clock.getTime() + 60_000);
      throw new Error('died after marked');
    };
    await drain();
    const sentAt = access.contact('p1').invitation?.sentAt;
    expect(sentAt).toBe('2026-03-01T10:00:00.000Z');
    expect(await drain()).toEqual([]);
    expect(events.find((e) => e.type === 'PortalInvitationSent')?.detail).toEqual({ contactId: 'p1', email: 'p1@example.com', at: sentAt });
  });

  it("a grant's second event refused a while: each event emitted once, the first not again with every try", async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    let refusals = 3;
    delivery.events = {
      emit: async (type, detail) => {
        if (type === 'PortalAccessGranted' && refusals-- > 0) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        events.push({ type, detail });
      },
    };
    for (let tries = 0; tries < 10 && access.pending.length > 0; tries++) await drain();
    expect(access.pending).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['PortalInvitationSent', 'PortalAccessGranted']);
    expect(Object.keys(access.outboxItems.get('o-1')?.steps ?? {})).toEqual(expect.arrayContaining(['invitation-event', 'events']));
  });

  it('the events carry the mail time when the clock moves on within one run too', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    worker.afterStep = async (step) => {
      if (step === 'marked') clock = new Date(clock.getTime() + 60_000);
    };
    expect(await drain()).toEqual([]);
    expect(events.find((e) => e.type === 'PortalInvitationSent')?.detail.at).toBe('2026-03-01T10:00:00.000Z');
  });
});

describe('SES deferring', () => {
  it('is told to the operators with its reason and the attempt it was', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    ses.on(SendEmailCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MessageId: 'm-2' });
    await grant('p1');
    expect(await drain()).toEqual([]);
    expect(warnings).toEqual([1, 2].map((attempt) => ({ message: expect.stringContaining('deferred'), details: { reason: expect.any(String), attempt } })));
    expect(sentEmails()).toHaveLength(3);
  });

  it('past the end of the invocation: Unavailable after the pause, no further attempt, the item comes back', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    ses.on(SendEmailCommand).rejects(throttled());
    const ending = new AbortController();
    delivery.sleep = async () => ending.abort();
    await grant('p1');
    const errors = await drain(ending.signal);
    expect(errors).toEqual([expect.any(Unavailable)]);
    expect((errors[0] as Error).message).toMatch(/deferring/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(access.pending).toEqual(['o-1']);
  });
});

describe('the login', () => {
  it("the pool says the email's user exists, then cannot find it: Unavailable, the item comes back, nothing mailed", async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    await grant('p1');
    const errors = await drain();
    expect(errors).toEqual([expect.any(Unavailable)]);
    expect((errors[0] as Error).message).toMatch(/could not be found/);
    expect(sentEmails()).toHaveLength(0);
    expect(access.pending).toEqual(['o-1']);
  });
});

describe('a login deleted from the pool while the record names it (an operator, a clean-up, the user itself)', () => {
  const withLogin = (id: string, portal: Parameters<MemoryAccess['add']>[0]['portal']) => {
    access.add({ id, email: `${id}@example.com`, portal, login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` } });
    access.guards.set(`${id}@example.com`, id);
    access.subjects.set(`sub-${id}`, id);
  };
  const gone = () => {
    throw notFound();
  };

  it('revoked: the revocation is done (nothing to disable or sign out) and PortalAccessRevoked is emitted', async () => {
    withLogin('p1', { status: 'active', activatedAt: '2026-02-01T00:00:00.000Z' });
    cognito.on('AdminDisableUser', gone).on('AdminUserGlobalSignOut', gone);
    await revoke('p1');
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('done');
    expect(events.map((e) => e.type)).toEqual(['PortalAccessRevoked']);
    expect(cognito.calls('AdminUserGlobalSignOut')).toEqual([]);
  });

  it('granted again: a new login is made and recorded, the old subject no longer points at the contact, one mail', async () => {
    withLogin('p1', { status: 'revoked', revokedAt: '2026-02-01T00:00:00.000Z' });
    cognito.on('AdminEnableUser', gone);
    await grant('p1');
    expect(await drain()).toEqual([]);
    expect(cognito.calls('AdminCreateUser').map((c) => c.Username)).toEqual(['p1@example.com']);
    expect(access.contact('p1').login).toMatchObject({ email: 'p1@example.com', username: 'user-1', sub: 'sub-1' });
    expect(access.subjects.get('sub-1')).toBe('p1');
    expect(access.subjects.has('sub-p1')).toBe(false);
    expect(sentEmails()).toHaveLength(1);
    expect(outcomeOf('o-1')).toBe('done');
  });

  it('deleted after the invitation was mailed: accepting it is Gone, and the invitee may not retry into a failure', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await grant('p1');
    expect(await drain()).toEqual([]);
    cognito.on('AdminSetUserPassword', gone);
    const accept = () => acceptInvitation({ contacts: access.contactStore, store: access, logins: new CognitoCustomerLogins(cognito, 'pool-1'), now: () => clock, sleep: async (ms: number) => void (clock = new Date(clock.getTime() + ms)) }, tokenOf(0), GOOD_PASSWORD);
    await expect(accept()).rejects.toEqual(new Gone(GONE_DETAIL));
    await expect(accept()).rejects.toEqual(new Gone(GONE_DETAIL));
    expect(access.contact('p1').portal.status).toBe('invited');
  });
});

describe('a recipient SES refuses', () => {
  it('is audited with the address and the code; the item says failed', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    await grant('p1');
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('failed');
    expect(access.audit.at(-1)).toMatchObject({ action: 'invitation.failed', contactId: 'p1', actor: 'staff:alice', details: { email: 'p1@example.com', code: 'recipient_rejected' } });
  });

  it('refused while the contact was revoked meanwhile: the item is superseded, the revocation stands, nothing says failed', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    ses.on(SendEmailCommand).callsFake(async () => {
      await revoke('p1');
      throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
    });
    await grant('p1');
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('superseded');
    expect(access.contact('p1').portal).toMatchObject({ status: 'revoked' });
    expect(access.contact('p1').deliveryError).toBeUndefined();
    expect(access.audit.map((a) => a.action)).not.toContain('invitation.failed');
  });
});

describe("a grant withdrawn because the email's login is another contact's", () => {
  const victimOf = (email: string) => {
    access.add({ id: 'u', email: 'u@example.com', portal: { status: 'active' }, login: { email: 'u@example.com', username: 'user-u', sub: 'sub-u' } });
    access.guards.set('u@example.com', 'u');
    access.subjects.set('sub-u', 'u');
    cognito.on('AdminCreateUser', (input) => {
      if (input.Username === email) throw exists();
      userCount += 1;
      return { User: { Username: `user-${userCount}`, Attributes: [{ Name: 'sub', Value: `sub-${userCount}` }] } };
    });
    cognito.on('AdminGetUser', (input) => {
      if (input.Username !== email) throw notFound();
      return { Username: 'user-u', UserAttributes: [{ Name: 'sub', Value: 'sub-u' }] };
    });
  };

  it('a first grant: the contact back to none, audited with the email and the code, the item withdrawn', async () => {
    victimOf('victim@example.com');
    access.add({ id: 'v', email: 'victim@example.com' });
    await grant('v');
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('withdrawn');
    expect(access.contact('v').portal).toEqual({ status: 'none', delivery: 'failed' });
    expect(access.audit.at(-1)).toMatchObject({ action: 'portal.withdrawn', contactId: 'v', actor: 'staff:alice', details: { email: 'victim@example.com', code: 'login_in_use' } });
  });

  it('a re-grant under a new email: the contact back to revoked, not none', async () => {
    victimOf('victim@example.com');
    access.add({ id: 'v', email: 'v@example.com' });
    await grant('v');
    await drain();
    await revoke('v');
    await drain();
    expect(access.contact('v').portal.status).toBe('revoked');
    await grant('v', 'victim@example.com');
    expect(await drain()).toEqual([]);
    expect(outcomeOf(access.contact('v').outbox?.id ?? '')).toBe('withdrawn');
    expect(access.contact('v').portal).toMatchObject({ status: 'revoked', delivery: 'failed' });
    expect(access.contact('v').deliveryError?.code).toBe('login_in_use');
  });
});

describe("a revocation's follow-up", () => {
  const revokedWithLogin = (id: string, over: Parameters<MemoryAccess['add']>[0] = { id }) => {
    access.add({ email: `${id}@example.com`, portal: { status: 'revoked', revokedAt: '2026-02-01T00:00:00.000Z' }, login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` }, ...over });
    access.guards.set(`${id}@example.com`, id);
    access.subjects.set(`sub-${id}`, id);
  };
  const activeWithLogin = (id: string, over: Partial<Parameters<MemoryAccess['add']>[0]> = {}) => {
    access.add({ id, email: `${id}@example.com`, portal: { status: 'active', activatedAt: '2026-02-01T00:00:00.000Z' }, login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` }, ...over });
    access.guards.set(`${id}@example.com`, id);
    access.subjects.set(`sub-${id}`, id);
  };
  const disabled = () => cognito.calls('AdminDisableUser').map((c) => c.Username);

  it('abandoned (its item older than any worker can hold, the login still enabled): a repeated revoke queues it again and the login is disabled; a younger one is not', async () => {
    activeWithLogin('p1');
    await revoke('p1');
    access.pending.length = 0; // its record expired to the on-failure queue
    clock = new Date(clock.getTime() + OUTBOX_ABANDONED_AFTER_MS);
    expect((await revoke('p1'))[0]?.outcome).toBe('unchanged');
    expect(access.pending).toEqual([]);
    clock = new Date(clock.getTime() + 1);
    expect((await revoke('p1'))[0]?.outcome).toBe('unchanged');
    expect(access.pending).toEqual(['o-2']);
    expect(access.contact('p1').outbox?.id).toBe('o-2');
    expect(await drain()).toEqual([]);
    expect(disabled()).toEqual(['user-p1']);
    expect(access.contact('p1').login?.disabledAt).toEqual(expect.any(String));
  });

  it('a revoked record without any outbox item (written before the outbox) and an enabled login is queued too, also by an event', async () => {
    revokedWithLogin('p1');
    expect(await revokeAccess(deps, 'p1', 'event:crm')).toBe('unchanged');
    expect(access.pending).toEqual(['o-1']);
    expect(access.outboxItems.get('o-1')).toMatchObject({ kind: 'revocation', contactId: 'p1', actor: 'event:crm', email: 'p1@example.com' });
    await drain();
    expect(disabled()).toEqual(['user-p1']);
  });

  it('nothing is queued again for a login already disabled, for a contact without a login, or for an access that never was', async () => {
    revokedWithLogin('p1', { id: 'p1', login: { email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1', disabledAt: '2026-02-01T00:00:01.000Z' } });
    revokedWithLogin('p2', { id: 'p2', login: { email: 'p2@example.com' } });
    access.add({ id: 'p3', email: 'p3@example.com' });
    for (const id of ['p1', 'p2', 'p3']) expect(await revokeAccess(deps, id, 'event:crm')).toBe('unchanged');
    expect(access.pending).toEqual([]);
  });

  it('a contact changed while its revocation was queued again: 409, to be repeated', async () => {
    revokedWithLogin('p1');
    access.requeueRevocation = async () => false;
    await expect(revokeAccess(deps, 'p1', 'event:crm')).rejects.toEqual(new Conflict('The contact changed meanwhile; repeat the request.'));
  });

  it('overtaken by a re-grant: the login stays enabled, the revocation is still announced with its email, the item is superseded', async () => {
    activeWithLogin('p1');
    await revoke('p1');
    await grant('p1');
    expect(await drain()).toEqual([]);
    expect(outcomeOf('o-1')).toBe('superseded');
    expect(disabled()).toEqual([]);
    expect(events.filter((e) => e.type === 'PortalAccessRevoked').map((e) => e.detail)).toEqual([{ contactId: 'p1', email: 'p1@example.com', at: '2026-03-01T10:00:00.000Z' }]);
    expect(access.contact('p1').portal.status).toBe('invited');
  });

  it("an archived person's login is disabled although its email and subject were released with the archive", async () => {
    activeWithLogin('p1');
    access.contacts.get('p1')!.archived = true;
    await archiveRevoker(deps).revokeForArchive('p1', 'staff:ann');
    expect(access.guards.has('p1@example.com')).toBe(false);
    expect(access.subjects.has('sub-p1')).toBe(false);
    expect(await drain()).toEqual([]);
    expect(disabled()).toEqual(['user-p1']);
    expect(outcomeOf('o-1')).toBe('done');
  });

  it('an access that already ended (expired) is revoked by an event and by a company revocation, its login disabled', async () => {
    const ended = { status: 'active' as const, activatedAt: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' };
    access.add({ id: 'c1', kind: 'company', name: 'Acme' });
    activeWithLogin('p1', { portal: ended });
    activeWithLogin('p2', { portal: ended, companyId: 'c1' });
    expect(await revokeAccess(deps, 'p1', 'event:crm')).toBe('revoked');
    await revokeCompany(deps, 'c1', 'event:crm');
    expect(access.contact('p1').portal.status).toBe('revoked');
    expect(access.contact('p2').portal.status).toBe('revoked');
    expect(await drain()).toEqual([]);
    expect(disabled().sort()).toEqual(['user-p1', 'user-p2']);
  });

  it('an end revoked before the job recorded it is still announced and audited by the job, once; one revoked before its end is not', async () => {
    const job = (): ExpiryDeps => ({ contacts: access.contactStore, store: access, now: () => clock, events: { emit: async (type, detail) => void events.push({ type, detail }) } });
    const until = '2026-03-01T09:00:00.000Z';
    activeWithLogin('p1', { portal: { status: 'active', activatedAt: '2026-01-01T00:00:00.000Z', until } });
    activeWithLogin('p2', { portal: { status: 'active', activatedAt: '2026-01-01T00:00:00.000Z', until: '2026-03-02T00:00:00.000Z' } });
    expect(await revokeAccess(deps, 'p1', 'event:crm')).toBe('revoked');
    expect(await revokeAccess(deps, 'p2', 'event:crm')).toBe('revoked');
    expect(await expireAccess(job(), 'p1', until)).toBe('expired');
    expect(await expireAccess(job(), 'p1', until)).toBe('unchanged');
    clock = new Date('2026-03-02T00:00:01.000Z');
    expect(await expireAccess(job(), 'p2', '2026-03-02T00:00:00.000Z')).toBe('unchanged');
    expect(events.filter((e) => e.type === 'PortalAccessExpired').map((e) => e.detail)).toEqual([{ contactId: 'p1', email: 'p1@example.com', at: until }]);
    expect(access.audit.filter((a) => a.action === 'portal.expired')).toEqual([
      expect.objectContaining({ contactId: 'p1', actor: 'schedule', details: { until, revokedAt: '2026-03-01T10:00:00.000Z' } }),
    ]);
    expect(access.contact('p1')).toMatchObject({ portal: expect.objectContaining({ status: 'revoked' }), expiryAnnounced: until });
  });

  it('an end recorded (expired) but not yet announced, then revoked: the claim stays, and the job announces it once without a second audit entry', async () => {
    const job = (): ExpiryDeps => ({ contacts: access.contactStore, store: access, now: () => clock, events: { emit: async (type, detail) => void events.push({ type, detail }) } });
    const until = '2026-03-01T09:00:00.000Z';
    activeWithLogin('p1', { portal: { status: 'expired', activatedAt: '2026-01-01T00:00:00.000Z', until }, expiryClaim: '2026-03-01T09:00:30.000Z' });
    expect(await revokeAccess(deps, 'p1', 'event:crm')).toBe('revoked');
    expect(access.contact('p1').expiryClaim).toBe('2026-03-01T09:00:30.000Z');
    expect(await expireAccess(job(), 'p1', until)).toBe('announced');
    expect(events.filter((e) => e.type === 'PortalAccessExpired')).toHaveLength(1);
    expect(access.audit.filter((a) => a.action === 'portal.expired')).toEqual([]);
  });
});
