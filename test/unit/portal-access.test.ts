/**
 * The portal-access lifecycle through the outbox: the requests' side (apply, re-invite, revoke)
 * over in-memory stores, and the outbox worker's side (domain/outbox.ts with its kinds' handlers)
 * with the real Cognito and SES adapters over a fake Cognito API and a mocked SES client. `drain()`
 * hands the outbox items written so far to the worker, as the table's stream would: the failure
 * paths of a grant, revocation, re-grant and re-invitation, step by step.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoCustomerLogins } from '../../lambdas/adapters/cognito/customer-logins';
import { SesInvitationMailer } from '../../lambdas/adapters/ses/invitation-mailer';
import { DOCUMENT_TYPES } from '../../lambdas/contract/document-types';
import { Conflict, Invalid, NotFound } from '../../lambdas/contract/errors';
import { OUTBOX_ABANDONED_AFTER_MS } from '../../lambdas/contract/outbox';
import { processOutboxItem, type OutboxDeps, type StepHook } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import { deliverReminder } from '../../lambdas/domain/portal-access/reminder';
import { hashToken } from '../../lambdas/domain/portal-access/invitations';
import type { LineResult } from '../../lambdas/domain/portal-access/lines';
import { MailDeferred, MailRefused, type AccessEventType, type DeliveryDeps, type ReinviteDeps } from '../../lambdas/domain/portal-access/ports';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { revokeAccess, revokeCompany, settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { getWizard } from '../../lambdas/domain/portal-access/wizard';
import { problemTypeOf } from '../../lambdas/contract/problem-types';
import { toProblem } from '../../lambdas/http-kit/problem';
import { cognitoError, fakeCognito } from './cognito-fake';
import { MemoryAccess } from './portal-access.fakes';

const cognito = fakeCognito();
const ses = mockClient(SESv2Client);
const sender = { from: 'Portal <portal@example.com>', replyTo: 'help@example.com', configurationSet: '' };

const throttled = () => Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
const cognitoDown = () => cognitoError('InternalErrorException', 'Service unavailable', 500);
const notFound = () => cognitoError('UserNotFoundException', 'User does not exist.');
const exists = () => cognitoError('UsernameExistsException', 'User account already exists');

let access: MemoryAccess;
let events: { type: AccessEventType; detail: { contactId: string; email: string; at: string } }[];
let deps: ReinviteDeps;
let delivery: DeliveryDeps;
let worker: OutboxDeps;
let clock: Date;
let userCount: number;
let ids: number;
/** Pacing slots taken. */
let slots: number;
/** Emails SES accepted (a rejected SendEmail is not one). */
let delivered: unknown[];
let sesFailures: number;

beforeAll(() => {
  process.env.LOG_LEVEL = 'silent';
});

beforeEach(() => {
  cognito.reset();
  ses.reset();
  userCount = 0;
  ids = 0;
  slots = 0;
  delivered = [];
  sesFailures = 0;
  cognito.on('AdminCreateUser', () => {
    userCount += 1;
    return { User: { Username: `user-${userCount}`, Attributes: [{ Name: 'sub', Value: `sub-${userCount}` }] } };
  });
  // No user in the pool under the email yet (the worker looks when the create says it exists), unless a test says otherwise.
  cognito.on('AdminGetUser', () => {
    throw notFound();
  });
  ses.on(SendEmailCommand).callsFake((input) => {
    if (sesFailures > 0) {
      sesFailures -= 1;
      throw throttled();
    }
    delivered.push(input);
    return { MessageId: `m-${delivered.length}` };
  });
  access = new MemoryAccess();
  events = [];
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
    pacer: { acquire: async () => ((slots += 1), { usable: () => true }) },
    events: { emit: async (type, detail) => void events.push({ type, detail }) },
    now,
    config: { portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400, businessName: 'Example Business' },
    staff: { profile: async () => undefined },
    warn: () => undefined,
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

/**
 * Hands every pending outbox item to the worker, oldest first, as the stream would; an item that
 * throws stays at the head (the stream retries it) and draining stops there. Answers the errors.
 */
async function drain(signal = new AbortController().signal): Promise<unknown[]> {
  const errors: unknown[] = [];
  while (access.pending.length > 0) {
    const id = access.pending[0]!;
    try {
      await processOutboxItem(worker, id, signal);
      access.pending.shift();
    } catch (error) {
      errors.push(error);
      break;
    }
  }
  return errors;
}

const grantLine = (contactId: string, email?: string) => ({ contactId, inPortal: true, ...(email ? { email } : {}) });
const apply = (wizardId: string, lines: { contactId: string; inPortal: boolean; email?: string }[], message?: string) =>
  applyPortalAccess(deps, wizardId, { lines, ...(message ? { message } : {}) }, 'staff:alice');
const problemOf = (line: LineResult | undefined) => (line?.error === undefined ? undefined : toProblem(line.error).problem);
const sentEmails = () => ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
const tokenOf = (text: string | undefined) => /token=([A-Za-z0-9_-]+)/.exec(text ?? '')?.[1];
const lastToken = () => tokenOf(sentEmails().at(-1)?.Content?.Simple?.Body?.Text?.Data);

describe('grant: the request writes, the outbox worker does the rest', () => {
  it('apply answers after one write per line; the worker creates the login without a Cognito message, invites once and emits', async () => {
    access.add({ id: 'p1', name: 'Pat' });
    const [result] = await apply('p1', [grantLine('p1', ' Pat@Example.COM ')]);

    expect(result).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    // The request touched neither Cognito nor SES: the record says queued, the outbox holds the rest.
    expect(cognito.calls('AdminCreateUser')).toHaveLength(0);
    expect(sentEmails()).toHaveLength(0);
    expect(access.contact('p1')).toMatchObject({ email: 'pat@example.com', portal: { status: 'invited', delivery: 'queued' }, login: { email: 'pat@example.com' }, outbox: { id: 'o-1', kind: 'invitation' } });
    expect(access.guards.get('pat@example.com')).toBe('p1');
    expect(access.audit).toEqual([expect.objectContaining({ action: 'portal.granted', actor: 'staff:alice', contactId: 'p1' })]);
    expect(access.pending).toEqual(['o-1']);

    expect(await drain()).toEqual([]);
    expect(cognito.calls('AdminCreateUser')[0]).toMatchObject({
      UserPoolId: 'pool-1',
      Username: 'pat@example.com',
      MessageAction: 'SUPPRESS',
      UserAttributes: expect.arrayContaining([
        { Name: 'email', Value: 'pat@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    });
    const contact = access.contact('p1');
    expect(contact.portal).toMatchObject({ status: 'invited', delivery: 'sent' });
    expect(contact.login).toEqual({ email: 'pat@example.com', username: 'user-1', sub: 'sub-1' });
    expect(access.subjects.get('sub-1')).toBe('p1');
    const [mail] = sentEmails();
    expect(sentEmails()).toHaveLength(1);
    expect(slots).toBe(1);
    expect(mail?.Destination).toEqual({ ToAddresses: ['pat@example.com'] });
    const token = lastToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail?.Content?.Simple?.Body?.Text?.Data).toContain(`https://portal.example.com/invitation?token=${token}`);
    expect(contact.invitation).toMatchObject({ tokenHash: hashToken(token ?? ''), expiresAt: '2026-03-08T10:00:00.000Z', outboxId: 'o-1', sentAt: expect.any(String) });
    expect(JSON.stringify(contact)).not.toContain(token);
    expect(events.map((e) => e.type).sort()).toEqual(['PortalAccessGranted', 'PortalInvitationSent']);
    expect(events[0]?.detail).toMatchObject({ contactId: 'p1', email: 'pat@example.com' });
    expect(access.outboxItems.get('o-1')).toMatchObject({ outcome: 'done', doneAt: expect.any(String), steps: { mail: expect.any(String), events: expect.any(String) } });

    // The record delivered again (at least once): nothing happens twice.
    access.pending.push('o-1');
    await drain();
    expect(sentEmails()).toHaveLength(1);
    expect(cognito.calls('AdminCreateUser')).toHaveLength(1);
    expect(events).toHaveLength(2);
  });

  it('SES throttled: tried again after a backoff with a fresh pacing slot; one email, the line never fails', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    sesFailures = 2;
    const [result] = await apply('p1', [grantLine('p1')]);
    expect(result?.outcome).toBe('granted');
    expect(await drain()).toEqual([]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(slots).toBe(3);
    expect(delivered).toHaveLength(1);
    expect(access.contact('p1').portal.delivery).toBe('sent');
  });

  it('a pacing slot gone stale before the send (the marker took the rest of its second) is left unused: the mail goes on a fresh one, once', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    // The first slot is stale by the time the mail is ready; every later one is usable.
    const handed: boolean[] = [];
    delivery.pacer = {
      acquire: async () => {
        const usable = handed.length > 0;
        handed.push(usable);
        return { usable: () => usable };
      },
    };
    const slotsAtSend: number[] = [];
    ses.on(SendEmailCommand).callsFake((input) => {
      slotsAtSend.push(handed.length);
      delivered.push(input);
      return { MessageId: 'm-1' };
    });
    await apply('p1', [grantLine('p1')]);
    expect(await drain()).toEqual([]);
    expect(handed).toEqual([false, true]);
    expect(slotsAtSend).toEqual([2]);
    expect(delivered).toHaveLength(1);
    expect(access.contact('p1').portal.delivery).toBe('sent');
  });

  it('SES still throttled when the invocation ends: the item goes back to the stream, and its retry sends exactly one email with a live link', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    sesFailures = 1_000;
    const ending = new AbortController();
    delivery.sleep = async () => ending.abort();
    await apply('p1', [grantLine('p1')]);
    const errors = await drain(ending.signal);
    expect(errors).toHaveLength(1);
    expect(access.contact('p1').portal).toMatchObject({ status: 'invited', delivery: 'queued' });
    expect(access.pending).toEqual(['o-1']);
    expect(delivered).toHaveLength(0);

    sesFailures = 0;
    expect(await drain()).toEqual([]);
    expect(delivered).toHaveLength(1);
    expect(cognito.calls('AdminCreateUser')).toHaveLength(1);
    const hash = hashToken(lastToken() ?? '');
    expect(access.contact('p1').invitation?.tokenHash).toBe(hash);
    // Only the invitation that went out is alive.
    expect([...access.invitations.keys()]).toEqual([hash]);
  });

  it('Cognito fails after the record was written: the retry completes it with one AdminCreateUser success', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    cognito.on('AdminCreateUser', () => {
      throw cognitoDown();
    });
    await apply('p1', [grantLine('p1')]);
    expect(await drain()).toEqual([expect.objectContaining({ name: 'InternalErrorException' })]);
    expect(access.guards.get('p1@example.com')).toBe('p1');
    expect(sentEmails()).toHaveLength(0);

    let created = 0;
    cognito.on('AdminCreateUser', () => {
      created += 1;
      return { User: { Username: 'user-9', Attributes: [{ Name: 'sub', Value: 'sub-9' }] } };
    });
    expect(await drain()).toEqual([]);
    expect(created).toBe(1);
    expect(access.contact('p1').login).toEqual({ email: 'p1@example.com', username: 'user-9', sub: 'sub-9' });
    expect(delivered).toHaveLength(1);
    expect((await apply('p1', [grantLine('p1')]))[0]?.outcome).toBe('unchanged');
  });

  it('a login created before a crash (UsernameExists on the retry) is adopted, not duplicated, and its sessions ended', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    cognito.on('AdminGetUser', { Username: 'user-old', UserAttributes: [{ Name: 'sub', Value: 'sub-old' }] });

    expect(await drain()).toEqual([]);
    expect(access.contact('p1').login).toEqual({ email: 'p1@example.com', username: 'user-old', sub: 'sub-old' });
    expect(access.subjects.get('sub-old')).toBe('p1');
    expect(cognito.calls('AdminEnableUser')[0]?.Username).toBe('user-old');
    expect(cognito.calls('AdminUserGlobalSignOut').map((c) => c.Username)).toEqual(['user-old']);
    expect(delivered).toHaveLength(1);
  });

  it("never adopts a login that another contact's access record links: the grant is withdrawn, the line says why, nothing is mailed", async () => {
    // U's login (sub-u, linked to u) had its email changed in Cognito to the victim's address.
    access.add({ id: 'u', email: 'u@example.com', portal: { status: 'active' }, login: { email: 'u@example.com', username: 'user-u', sub: 'sub-u' } });
    access.guards.set('u@example.com', 'u');
    access.subjects.set('sub-u', 'u');
    access.add({ id: 'v', email: 'victim@example.com' });
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    cognito.on('AdminGetUser', (input) => {
      if (input.Username !== 'victim@example.com') throw notFound();
      return { Username: 'user-u', UserAttributes: [{ Name: 'sub', Value: 'sub-u' }] };
    });

    expect((await apply('v', [grantLine('v')]))[0]).toEqual({ contactId: 'v', outcome: 'granted', status: 'invited' });
    expect(await drain()).toEqual([]);

    const v = access.contact('v');
    expect(v.portal).toEqual({ status: 'none', delivery: 'failed' });
    expect(v.login).toBeUndefined();
    expect(v.deliveryError).toEqual({ code: 'login_in_use', detail: "The email is another contact's portal login.", at: expect.any(String) });
    expect(access.guards.has('victim@example.com')).toBe(false);
    expect(access.subjects.get('sub-u')).toBe('u');
    expect(cognito.calls('AdminEnableUser')).toHaveLength(0);
    expect(cognito.calls('AdminUserGlobalSignOut')).toHaveLength(0);
    expect(sentEmails()).toHaveLength(0);
    expect(events).toEqual([]);
    expect(access.audit.map((a) => a.action)).toEqual(['portal.granted', 'portal.withdrawn']);
    expect((await getWizard(deps, 'v')).lines[0]).toMatchObject({ status: 'none', inPortal: false, delivery: 'failed', deliveryError: { code: 'login_in_use' } });
  });

  it('a login linked meanwhile (after the look-up, when it is recorded) is not adopted either', async () => {
    access.add({ id: 'u', portal: { status: 'active' }, login: { email: 'u@example.com', username: 'user-u', sub: 'sub-u' } });
    access.add({ id: 'v', email: 'victim@example.com' });
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    // Unlinked at the look-up; linked to u by the time the grant records it.
    cognito.on('AdminGetUser', () => {
      access.subjects.set('sub-u', 'u');
      return { Username: 'user-u', UserAttributes: [{ Name: 'sub', Value: 'sub-u' }] };
    });
    await apply('v', [grantLine('v')]);
    expect(await drain()).toEqual([]);
    expect(access.subjects.get('sub-u')).toBe('u');
    expect(access.contact('v')).toMatchObject({ portal: { status: 'none', delivery: 'failed' }, deliveryError: { code: 'login_in_use' } });
    expect(access.contact('v').login).toBeUndefined();
    expect(sentEmails()).toHaveLength(0);
  });

  it('escapes the message in the HTML part and keeps it out of every header', async () => {
    access.add({ id: 'p1', name: 'Ann <b>', email: 'p1@example.com' });
    const hostile = '<script>alert(1)</script>\r\nBcc: x@evil.test';
    await apply('p1', [grantLine('p1')], hostile);
    await drain();

    const mail = sentEmails()[0];
    expect(mail?.Destination).toEqual({ ToAddresses: ['p1@example.com'] });
    expect(mail?.FromEmailAddress).toBe('Portal <portal@example.com>');
    expect(mail?.ReplyToAddresses).toEqual(['help@example.com']);
    expect(mail?.Content?.Simple?.Subject?.Data).toBe('Your invitation to the Example Business customer portal');
    expect(mail?.Content?.Simple?.Headers).toBeUndefined();
    const html = mail?.Content?.Simple?.Body?.Html?.Data ?? '';
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;<br>Bcc: x@evil.test');
    expect(html).toContain('Ann &lt;b&gt;');
    expect(html).not.toContain('<script>');
    const text = mail?.Content?.Simple?.Body?.Text?.Data ?? '';
    expect(text).toContain('<script>alert(1)</script>\nBcc: x@evil.test');
    expect(text).not.toMatch(/\r/);
    expect(text).not.toMatch(/temporary password|your password is/i);
  });

  it('fails bad lines alone: no email, invalid email, out of the wizard, unknown, a duplicate', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    access.add({ id: 'p1', companyId: 'co' });
    access.add({ id: 'p2', companyId: 'co', email: 'p2@example.com' });
    access.add({ id: 'p3', companyId: 'co' });
    access.add({ id: 'other', email: 'other@example.com' });

    const results = await apply('co', [grantLine('p1'), grantLine('p2'), grantLine('p3', 'not an email'), grantLine('other'), grantLine('ghost'), grantLine('p2')]);

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'granted', 'failed', 'failed', 'failed', 'failed']);
    expect(problemOf(results[0])).toMatchObject({ status: 400, type: problemTypeOf('no-email'), errors: [{ path: 'lines.0.email' }] });
    expect(problemOf(results[2])).toMatchObject({ status: 400, type: problemTypeOf('validation'), errors: [{ path: 'lines.2.email' }] });
    expect(problemOf(results[3])).toMatchObject({ status: 404, type: problemTypeOf('out-of-scope') });
    expect(problemOf(results[4])).toMatchObject({ status: 404, type: problemTypeOf('out-of-scope') });
    expect(problemOf(results[5])?.status).toBe(400);
    expect(results[0]?.status).toBe('none');
    expect(access.contact('other').portal.status).toBe('none');
    expect(access.pending).toHaveLength(1);
    await drain();
    expect(sentEmails()).toHaveLength(1);
  });

  it("refuses another contact's login email with 409, but takes over the guard of an archived contact", async () => {
    access.add({ id: 'a', email: 'same@example.com', portal: { status: 'active' }, login: { email: 'same@example.com', username: 'ua', sub: 'sa' } });
    access.guards.set('same@example.com', 'a');
    access.add({ id: 'b' });

    const [taken] = await apply('b', [grantLine('b', 'same@example.com')]);
    expect(taken).toMatchObject({ outcome: 'failed', status: 'none' });
    expect(problemOf(taken)?.status).toBe(409);
    expect(access.pending).toEqual([]);

    access.contact('a').archived = true;
    const [granted] = await apply('b', [grantLine('b', 'same@example.com')]);
    expect(granted?.outcome).toBe('granted');
    expect(access.guards.get('same@example.com')).toBe('b');
  });

  it("a person of an archived company is not granted: 409 from the claim's own transaction, the person unchanged", async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co', archived: true });
    access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
    const before = structuredClone(access.contact('p1'));
    const [result] = await apply('co', [grantLine('p1')]);
    expect(result).toMatchObject({ contactId: 'p1', outcome: 'failed', status: 'none' });
    expect(problemOf(result)).toMatchObject({ status: 409, detail: "The contact's company is archived." });
    expect(access.contact('p1')).toEqual(before);
    expect(access.guards.size).toBe(0);
    expect(access.pending).toEqual([]);
  });

  it('a live login with another email is 409 (revoke first); the same request again is unchanged, queued or sent', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    const [other] = await apply('p1', [grantLine('p1', 'new@example.com')]);
    expect(problemOf(other)?.status).toBe(409);
    expect(other?.status).toBe('invited');
    expect((await apply('p1', [grantLine('p1', 'P1@example.com')]))[0]).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'invited' });
    await drain();
    expect((await apply('p1', [grantLine('p1')]))[0]).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'invited' });
    expect(access.pending).toEqual([]);
    expect(delivered).toHaveLength(1);
  });

  it('concurrent applies of one contact: one claim wins, one outbox item, one login, one email', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => apply('p1', [grantLine('p1')])));
    const outcomes = answers.map(([r]) => r?.outcome);
    expect(outcomes.filter((o) => o === 'granted')).toHaveLength(1);
    for (const [r] of answers) if (r?.outcome === 'failed') expect(problemOf(r)?.status).toBe(409);
    expect(access.pending).toHaveLength(1);
    await drain();
    expect(delivered).toHaveLength(1);
    expect(userCount).toBe(1);
  });

  it('a refused recipient: delivery failed with the reason, audited, no event; a repeated grant queues it again', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    ses.on(SendEmailCommand).rejectsOnce(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    await apply('p1', [grantLine('p1')]);
    expect(await drain()).toEqual([]);
    const contact = access.contact('p1');
    expect(contact.portal).toMatchObject({ status: 'invited', delivery: 'failed' });
    expect(contact.deliveryError).toEqual({ code: 'recipient_rejected', detail: expect.stringContaining('p1@example.com'), at: expect.any(String) });
    expect(contact.deliveryError?.detail).not.toMatch(/verified/);
    expect(contact.invitation).toBeUndefined();
    expect(access.audit.map((a) => a.action)).toEqual(['portal.granted', 'invitation.failed']);
    expect(events).toEqual([]);
    expect((await getWizard(deps, 'p1')).lines[0]).toMatchObject({ delivery: 'failed', deliveryError: { code: 'recipient_rejected' } });

    ses.on(SendEmailCommand).callsFake((input) => void delivered.push(input));
    expect((await apply('p1', [grantLine('p1')]))[0]).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(access.contact('p1').deliveryError).toBeUndefined();
    await drain();
    expect(delivered).toHaveLength(1);
    expect(access.contact('p1').portal.delivery).toBe('sent');
    expect(cognito.calls('AdminCreateUser')).toHaveLength(1);
  });

  it('an item no worker can still hold (older than the stream keeps records) is queued again by a repeat; a younger one is not', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    access.pending.length = 0; // its record expired to the on-failure queue
    clock = new Date(clock.getTime() + OUTBOX_ABANDONED_AFTER_MS - 1000);
    expect((await apply('p1', [grantLine('p1')]))[0]?.outcome).toBe('unchanged');
    clock = new Date(clock.getTime() + 2000);
    expect((await apply('p1', [grantLine('p1')]))[0]?.outcome).toBe('granted');
    expect(access.pending).toEqual(['o-2']);
    await drain();
    expect(delivered).toHaveLength(1);
    // The old item, should its record still come, is superseded: no second email.
    access.pending.push('o-1');
    await drain();
    expect(delivered).toHaveLength(1);
    expect(access.outboxItems.get('o-1')?.outcome).toBe('superseded');
  });

  it("a company's apply is one entry in the company's history: who applied what to which persons, each line's outcome", async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
    access.add({ id: 'p2', companyId: 'co' });
    await apply('co', [grantLine('p1'), grantLine('p2')], 'Welcome');
    const entries = access.audit.filter((a) => a.action === 'portal.applied');
    expect(entries).toEqual([
      expect.objectContaining({
        contactId: 'co',
        actor: 'staff:alice',
        details: {
          lines: [
            { contactId: 'p1', outcome: 'granted', status: 'invited' },
            { contactId: 'p2', outcome: 'failed', status: 'none', reason: 'The contact has no email; give one on the line.' },
          ],
          withMessage: true,
        },
      }),
    ]);
    // An apply that changes nothing is not history; a person's own wizard has its own entries only.
    await apply('co', [grantLine('p1')]);
    access.add({ id: 'solo', email: 'solo@example.com' });
    await apply('solo', [grantLine('solo')]);
    expect(access.audit.filter((a) => a.action === 'portal.applied')).toHaveLength(1);
  });

  it('a revoke line with an invalid email fails alone', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const [result] = await apply('p1', [{ contactId: 'p1', inPortal: false, email: 'bad\u0000@x' }]);
    expect(result).toMatchObject({ outcome: 'failed', status: 'none' });
    expect(problemOf(result)).toMatchObject({ status: 400, errors: [{ path: 'lines.0.email' }] });
  });

  it('writes lines with bounded concurrency and answers them in request order', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    const people = Array.from({ length: 30 }, (_, i) => `p${i}`);
    for (const id of people) access.add({ id, companyId: 'co', email: `${id}@example.com` });
    let inFlight = 0;
    let most = 0;
    const claim = access.claimLogin.bind(access);
    access.claimLogin = async (input) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      inFlight -= 1;
      return claim(input);
    };
    const results = await apply('co', people.map((id) => grantLine(id)));
    expect(results.map((r) => r.contactId)).toEqual(people);
    expect(results.every((r) => r.outcome === 'granted')).toBe(true);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(deps.config.applyConcurrency);
  });

  it('lists the wizard: the company and its non-archived persons, with login emails and delivery', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co', email: 'co@example.com' });
    access.add({ id: 'p1', companyId: 'co', name: 'P1', email: 'p1@example.com', portal: { status: 'active', delivery: 'sent' }, login: { email: 'login@example.com' } });
    access.add({ id: 'p2', companyId: 'co', name: 'P2', archived: true });
    access.add({ id: 'p3', companyId: 'co', name: 'P3', email: 'p3@example.com', portal: { status: 'invited', delivery: 'queued' }, login: { email: 'p3@example.com' } });
    const wizard = await getWizard(deps, 'co');
    expect(wizard).toEqual({
      contactId: 'co',
      lines: [
        { contactId: 'co', name: 'Co', email: 'co@example.com', inPortal: false, status: 'none' },
        // Once a contact has had access, its line shows its scope and types (the defaults here).
        { contactId: 'p1', name: 'P1', email: 'login@example.com', inPortal: true, status: 'active', delivery: 'sent', scope: 'company', types: [...DOCUMENT_TYPES] },
        { contactId: 'p3', name: 'P3', email: 'p3@example.com', inPortal: true, status: 'invited', delivery: 'queued', scope: 'company', types: [...DOCUMENT_TYPES] },
      ],
    });
    await expect(getWizard(deps, 'ghost')).rejects.toBeInstanceOf(NotFound);
  });
});

describe('a worker that dies between two steps', () => {
  const dyingAfter = (step: string): StepHook => {
    let died = false;
    return async (at) => {
      if (at !== step || died) return;
      died = true;
      throw new Error(`died after ${step}`);
    };
  };

  it.each(['login', 'invitation', 'marked', 'events'])('after %s: the retry goes on from there — one login, one live invitation, one email, the events once', async (step) => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    worker.afterStep = dyingAfter(step);
    expect(await drain()).toEqual([expect.objectContaining({ message: `died after ${step}` })]);
    expect(await drain()).toEqual([]);

    expect(cognito.calls('AdminCreateUser')).toHaveLength(1);
    expect(delivered).toHaveLength(1);
    const hash = hashToken(lastToken() ?? '');
    expect(access.contact('p1')).toMatchObject({ portal: { delivery: 'sent' }, invitation: { tokenHash: hash, sentAt: expect.any(String) } });
    expect([...access.invitations.keys()]).toEqual([hash]);
    expect(events.filter((e) => e.type === 'PortalInvitationSent')).toHaveLength(1);
  });

  it('after SES accepted the mail but before it was recorded: the retry records that mail and sends none (no second link)', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    worker.afterStep = dyingAfter('mail');
    expect(await drain()).toEqual([expect.objectContaining({ message: 'died after mail' })]);
    const first = lastToken();
    expect(access.contact('p1').portal.delivery).toBe('queued');
    expect(await drain()).toEqual([]);

    expect(delivered).toHaveLength(1);
    expect(cognito.calls('AdminCreateUser')).toHaveLength(1);
    expect(access.contact('p1')).toMatchObject({ portal: { delivery: 'sent' }, invitation: { tokenHash: hashToken(first ?? ''), sentAt: expect.any(String) } });
    expect([...access.invitations.keys()]).toEqual([hashToken(first ?? '')]);
    expect(events.filter((e) => e.type === 'PortalInvitationSent')).toHaveLength(1);
  });
});

describe('revoke and re-grant', () => {
  const activeContact = (id = 'p1') => {
    access.add({
      id,
      email: `${id}@example.com`,
      portal: { status: 'active', activatedAt: '2026-02-01T00:00:00.000Z' },
      login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` },
    });
    access.guards.set(`${id}@example.com`, id);
  };

  it('revokes in the record at once; the worker then disables and signs the login out and emits; the guard stays', async () => {
    activeContact();
    const [result] = await apply('p1', [{ contactId: 'p1', inPortal: false }]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'revoked', status: 'revoked' });
    expect(access.contact('p1').portal.status).toBe('revoked');
    expect(cognito.calls('AdminDisableUser')).toHaveLength(0);
    expect(access.audit.map((a) => a.action)).toEqual(['portal.revoked']);

    await drain();
    expect(access.contact('p1').login?.disabledAt).toBeDefined();
    expect(cognito.calls('AdminDisableUser')[0]?.Username).toBe('user-p1');
    expect(cognito.calls('AdminUserGlobalSignOut')).toHaveLength(1);
    expect(access.guards.get('p1@example.com')).toBe('p1');
    expect(events.map((e) => e.type)).toEqual(['PortalAccessRevoked']);
    expect(events[0]?.detail).toEqual({ contactId: 'p1', email: 'p1@example.com', at: expect.any(String) });
  });

  it("tolerates exactly cognito-local's missing AdminUserGlobalSignOut; another failure is retried without a second audit entry", async () => {
    activeContact('p1');
    activeContact('p2');
    cognito.once('AdminUserGlobalSignOut', () => {
      throw cognitoError('Unsupported', 'Cognito Local unsupported feature: Unsupported x-amz-target header "AdminUserGlobalSignOut"', 500);
    });
    expect(await revokeAccess(deps, 'p1', 'event:test')).toBe('revoked');
    expect(await drain()).toEqual([]);
    expect(access.contact('p1').login?.disabledAt).toBeDefined();

    cognito.once('AdminUserGlobalSignOut', () => {
      throw cognitoDown();
    });
    expect(await revokeAccess(deps, 'p2', 'event:test')).toBe('revoked');
    expect(await drain()).toEqual([expect.objectContaining({ name: 'InternalErrorException' })]);
    // The portal refuses already; the retry finishes the Cognito part.
    expect(access.contact('p2').portal.status).toBe('revoked');
    expect(access.contact('p2').login?.disabledAt).toBeUndefined();
    expect(await drain()).toEqual([]);
    expect(access.contact('p2').login?.disabledAt).toBeDefined();
    expect(access.audit.filter((a) => a.contactId === 'p2')).toHaveLength(1);
    expect(events.filter((e) => e.detail.contactId === 'p2')).toHaveLength(1);
  });

  it('revokeAccess is idempotent and kills the pending invitation', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    await drain();
    const hash = access.contact('p1').invitation?.tokenHash ?? '';
    expect(access.invitations.has(hash)).toBe(true);

    expect(await revokeAccess(deps, 'p1', 'event:billing', 'unpaid')).toBe('revoked');
    expect(await revokeAccess(deps, 'p1', 'event:billing', 'unpaid')).toBe('unchanged');
    expect(access.invitations.has(hash)).toBe(false);
    expect(access.audit.filter((a) => a.action === 'portal.revoked')).toEqual([
      expect.objectContaining({ actor: 'event:billing', details: expect.objectContaining({ reason: 'unpaid' }) }),
    ]);
    expect(access.pending).toHaveLength(1);
    await expect(revokeAccess(deps, 'ghost', 'x')).rejects.toBeInstanceOf(NotFound);
  });

  it('a revocation granted before the worker ran: the grant is superseded (no login, no mail), the revocation emitted', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    await apply('p1', [{ contactId: 'p1', inPortal: false }]);
    await drain();
    expect(cognito.calls('AdminCreateUser')).toHaveLength(0);
    expect(sentEmails()).toHaveLength(0);
    expect(access.outboxItems.get('o-1')?.outcome).toBe('superseded');
    expect(events.map((e) => e.type)).toEqual(['PortalAccessRevoked']);
  });

  it('revokeCompany revokes the company and every person; an archived contact releases its guard', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    activeContact('p1');
    activeContact('p2');
    access.contact('p1').companyId = 'co';
    access.contact('p2').companyId = 'co';
    await revokeCompany(deps, 'co', 'event:crm');
    expect(access.contact('p1').portal.status).toBe('revoked');
    expect(access.contact('p2').portal.status).toBe('revoked');

    access.contact('p1').archived = true;
    await revokeAccess(deps, 'p1', 'staff:alice');
    expect(access.guards.has('p1@example.com')).toBe(false);
    expect(access.guards.get('p2@example.com')).toBe('p2');
  });

  describe('a revoke and a re-grant at the same time: the login follows the record', () => {
    /** The pool's users: enabled or not, as the fake Cognito calls leave them. */
    let pool: Map<string, boolean>;
    beforeEach(() => {
      pool = new Map([['user-p1', true]]);
      cognito.on('AdminEnableUser', (input) => void pool.set(String(input.Username), true));
      cognito.on('AdminDisableUser', (input) => void pool.set(String(input.Username), false));
      cognito.on('AdminGetUser', (input) => ({ Username: input.Username, Enabled: pool.get(String(input.Username)), UserAttributes: [{ Name: 'sub', Value: 'sub-p1' }] }));
    });

    it("the revoke's disable lands after the re-grant's worker enabled it: the revoke's worker enables it again", async () => {
      activeContact();
      await apply('p1', [{ contactId: 'p1', inPortal: false }]);
      // The revocation's worker calls Cognito; before its disable lands, a re-grant is applied and its worker runs to its end.
      cognito.once('AdminDisableUser', async (input) => {
        const revocation = access.pending.shift()!;
        expect((await apply('p1', [grantLine('p1')]))[0]).toMatchObject({ outcome: 'regranted', status: 'invited' });
        await drain();
        access.pending.unshift(revocation);
        pool.set(String(input.Username), false);
      });
      await drain();

      expect(access.contact('p1').portal.status).toBe('invited');
      expect(access.contact('p1').login?.disabledAt).toBeUndefined();
      expect(pool.get('user-p1')).toBe(true);
      expect(delivered).toHaveLength(1);
    });

    it("the re-grant's enable lands after the revoke's worker disabled it: the re-grant's worker disables it again and sends nothing", async () => {
      activeContact();
      await apply('p1', [{ contactId: 'p1', inPortal: false }]);
      await drain();
      expect(pool.get('user-p1')).toBe(false);
      await apply('p1', [grantLine('p1')]);
      cognito.once('AdminEnableUser', async (input) => {
        const grant = access.pending.shift()!;
        expect(await revokeAccess(deps, 'p1', 'staff:bob')).toBe('revoked');
        await drain();
        access.pending.unshift(grant);
        pool.set(String(input.Username), true);
      });
      await drain();

      expect(access.contact('p1').portal.status).toBe('revoked');
      expect(pool.get('user-p1')).toBe(false);
      expect(delivered).toHaveLength(0);
    });

    it('a re-grant whose record still says the login is disabled enables it', async () => {
      activeContact();
      access.contact('p1').portal = { status: 'revoked', revokedAt: '2026-02-02T00:00:00.000Z' };
      access.contact('p1').login!.disabledAt = '2026-02-02T00:00:01.000Z';
      pool.set('user-p1', false);
      expect((await apply('p1', [grantLine('p1')]))[0]?.outcome).toBe('regranted');
      expect(access.contact('p1').login?.disabledAt).toBeUndefined();
      await drain();
      expect(pool.get('user-p1')).toBe(true);
    });

    it('a repeated grant of a contact in the portal asks no dependency: nothing but the record is read', async () => {
      activeContact();
      expect((await apply('p1', [grantLine('p1')]))[0]).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'active' });
      expect(cognito.calls('AdminGetUser')).toHaveLength(0);
      expect(cognito.calls('AdminEnableUser')).toHaveLength(0);
      expect(access.pending).toEqual([]);
    });
  });

  it('re-grant enables the same login with a fresh invitation', async () => {
    activeContact();
    await apply('p1', [{ contactId: 'p1', inPortal: false }]);
    const [result] = await apply('p1', [grantLine('p1')]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'regranted', status: 'invited' });
    await drain();
    expect(cognito.calls('AdminCreateUser')).toHaveLength(0);
    expect(cognito.calls('AdminEnableUser').map((c) => c.Username)).toEqual(['user-p1']);
    expect(access.contact('p1').login).toEqual({ email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1' });
    expect(delivered).toHaveLength(1);
    expect(access.audit.map((a) => a.action)).toEqual(['portal.revoked', 'portal.regranted']);
  });

  it('an archived contact releases its login (guard and subject): a new contact with that email adopts it, with its sessions ended', async () => {
    access.add({ id: 'old', email: 'shared@example.com', archived: true, portal: { status: 'active' }, login: { email: 'shared@example.com', username: 'user-old', sub: 'sub-old' } });
    access.guards.set('shared@example.com', 'old');
    access.subjects.set('sub-old', 'old');
    await revokeAccess(deps, 'old', 'staff:alice', 'contact archived');
    expect(access.guards.has('shared@example.com')).toBe(false);
    expect(access.subjects.has('sub-old')).toBe(false);
    await drain();

    access.add({ id: 'new', email: 'shared@example.com' });
    cognito.on('AdminGetUser', { Username: 'user-old', UserAttributes: [{ Name: 'sub', Value: 'sub-old' }] });
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    expect((await apply('new', [grantLine('new')]))[0]?.outcome).toBe('granted');
    await drain();
    expect(access.subjects.get('sub-old')).toBe('new');
    expect(cognito.calls('AdminUserGlobalSignOut').map((c) => c.Username)).toEqual(['user-old', 'user-old']);
  });

  it('an archived contact whose revocation never finished does not disable its login once another contact adopted it', async () => {
    access.add({ id: 'old', email: 'shared@example.com', archived: true, portal: { status: 'active' }, login: { email: 'shared@example.com', username: 'user-old', sub: 'sub-old' } });
    access.guards.set('shared@example.com', 'old');
    access.subjects.set('sub-old', 'old');
    await revokeAccess(deps, 'old', 'staff:alice', 'contact archived');
    const revocation = access.pending.shift()!; // its record is late

    access.add({ id: 'new', email: 'shared@example.com' });
    cognito.on('AdminGetUser', { Username: 'user-old', UserAttributes: [{ Name: 'sub', Value: 'sub-old' }] });
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    expect((await apply('new', [grantLine('new')]))[0]?.outcome).toBe('granted');
    await drain();
    access.pending.push(revocation);
    await drain();
    expect(cognito.calls('AdminDisableUser')).toHaveLength(0);
    expect(events.map((e) => e.type)).toContain('PortalAccessRevoked');
  });

  it('UsernameExists on a re-grant with a new email: the existing user is adopted and enabled', async () => {
    activeContact();
    await apply('p1', [{ contactId: 'p1', inPortal: false }]);
    await drain();
    cognito.on('AdminCreateUser', () => {
      throw exists();
    });
    cognito.on('AdminGetUser', { Username: 'user-x', UserAttributes: [{ Name: 'sub', Value: 'sub-x' }] });

    expect((await apply('p1', [grantLine('p1', 'new@example.com')]))[0]?.outcome).toBe('regranted');
    await drain();
    expect(cognito.calls('AdminGetUser')[0]?.Username).toBe('new@example.com');
    expect(cognito.calls('AdminEnableUser').map((c) => c.Username)).toEqual(['user-x']);
    expect(access.contact('p1').login).toEqual({ email: 'new@example.com', username: 'user-x', sub: 'sub-x' });
    expect(access.guards.has('p1@example.com')).toBe(false);
    expect(access.guards.get('new@example.com')).toBe('p1');
    expect(access.subjects.has('sub-p1')).toBe(false);
    expect(access.subjects.get('sub-x')).toBe('p1');
  });
});

describe('re-invite', () => {
  it('queues a fresh link (audited), which the worker sends, killing the old one; only an invited contact of the wizard', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
    access.add({ id: 'p2', email: 'p2@example.com' });
    await apply('co', [grantLine('p1')]);
    await drain();
    const first = access.contact('p1').invitation?.tokenHash ?? '';

    await reinvite(deps, 'co', { contactId: 'p1', message: 'Again' }, 'staff:bob');
    expect(access.contact('p1').portal.delivery).toBe('queued');
    expect(delivered).toHaveLength(1);
    await drain();

    const second = access.contact('p1').invitation?.tokenHash;
    expect(second).not.toBe(first);
    expect(access.invitations.has(first)).toBe(false);
    expect(delivered).toHaveLength(2);
    expect(sentEmails()[1]?.Content?.Simple?.Body?.Text?.Data).toContain('Again');
    expect(access.audit.map((a) => a.action)).toEqual(['portal.granted', 'portal.applied', 'portal.reinvited']);
    expect(events.map((e) => e.type).sort()).toEqual(['PortalAccessGranted', 'PortalInvitationSent', 'PortalInvitationSent']);
    await expect(reinvite(deps, 'co', { contactId: 'p2' }, 'staff:bob')).rejects.toBeInstanceOf(NotFound);
    await expect(reinvite(deps, 'co', {}, 'staff:bob')).rejects.toBeInstanceOf(Conflict);
  });
});

describe('the mailer and the errors', () => {
  const mail = { to: 'a@example.com', subject: 's', text: 't', html: 'h' };
  const signal = new AbortController().signal;

  it('one attempt a call: a refusal of the recipient is MailRefused (in words of ours), a throttle MailDeferred, anything else as it came', async () => {
    const mailer = new SesInvitationMailer(new SESv2Client({ region: 'eu-west-1' }), sender);
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('Illegal address'), { name: 'BadRequestException' }))
      .rejectsOnce(throttled())
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const refused = await mailer.send(mail, signal).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MailRefused);
    expect((refused as MailRefused).detail).not.toContain('Illegal');
    await expect(mailer.send(mail, signal)).rejects.toBeInstanceOf(MailDeferred);
    await expect(mailer.send(mail, signal)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it('a deferral SES answered surely has not the mail; one without an answer (a timeout, a reset) may have it; a refused connection never reached it', async () => {
    const mailer = new SesInvitationMailer(new SESv2Client({ region: 'eu-west-1' }), sender);
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(Object.assign(new Error('Socket timed out'), { name: 'TimeoutError' }))
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' }))
      .rejectsOnce(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error', code: 'ECONNREFUSED' }));
    const deferrals = [];
    for (let i = 0; i < 4; i++) deferrals.push(await mailer.send(mail, signal).catch((e: unknown) => e));
    expect(deferrals.map((d) => [d instanceof MailDeferred, (d as MailDeferred).maybeSent])).toEqual([
      [true, false],
      [true, true],
      [true, true],
      [true, false],
    ]);
  });

  it('an Invalid line keeps its path', () => {
    expect(toProblem(new Invalid('x', 'lines.3.email')).problem.errors).toEqual([{ path: 'lines.3.email', message: 'x' }]);
  });
});
