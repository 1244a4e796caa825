/**
 * The portal-access lifecycle with its real Cognito and SES adapters over mocked SDK clients
 * (aws-sdk-client-mock) and in-memory stores: the failure paths of a grant, revocation, re-grant.
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoCustomerLogins } from '../../lambdas/adapters/cognito/customer-logins';
import { SesInvitationMailer } from '../../lambdas/adapters/ses/invitation-mailer';
import { DOCUMENT_TYPES } from '../../lambdas/contract/document-types';
import { Conflict, Invalid, NotFound, Unavailable } from '../../lambdas/contract/errors';
import { hashToken } from '../../lambdas/domain/portal-access/invitations';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import type { LineResult } from '../../lambdas/domain/portal-access/lines';
import type { AccessEventType, PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { revokeAccess, revokeCompany } from '../../lambdas/domain/portal-access/revoke';
import { getWizard } from '../../lambdas/domain/portal-access/wizard';
import { problemTypeOf } from '../../lambdas/contract/problem-types';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryAccess } from './portal-access.fakes';

const cognito = mockClient(CognitoIdentityProviderClient);
const ses = mockClient(SESv2Client);
const sesMailer = () => new SesInvitationMailer(new SESv2Client({ region: 'eu-west-1' }), { from: 'Portal <portal@example.com>', replyTo: 'help@example.com', configurationSet: '' }, 3, 0);

const throttled = () => Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
const cognitoDown = () => Object.assign(new Error('Service unavailable'), { name: 'InternalErrorException', $metadata: { httpStatusCode: 500 } });

let access: MemoryAccess;
let events: { type: AccessEventType; detail: { contactId: string; email: string } }[];
let deps: PortalAccessDeps;
let clock: Date;
let userCount: number;
/** Emails SES accepted (a rejected SendEmail is not one). */
let delivered: unknown[];
let sesFailures: number;

beforeAll(() => {
  Object.assign(process.env, {
    CUSTOMER_USER_POOL_ID: 'pool-1',
    SENDER_EMAIL: 'Portal <portal@example.com>',
    REPLY_TO_EMAIL: 'help@example.com',
    LOG_LEVEL: 'silent',
  });
});

beforeEach(() => {
  cognito.reset();
  ses.reset();
  userCount = 0;
  delivered = [];
  sesFailures = 0;
  cognito.on(AdminCreateUserCommand).callsFake(() => {
    userCount += 1;
    return { User: { Username: `user-${userCount}`, Attributes: [{ Name: 'sub', Value: `sub-${userCount}` }] } };
  });
  // No user in the pool under the email yet (the grant looks first), unless a test says otherwise.
  cognito.on(AdminGetUserCommand).rejects(Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' }));
  cognito.on(AdminEnableUserCommand).resolves({});
  cognito.on(AdminDisableUserCommand).resolves({});
  cognito.on(AdminUserGlobalSignOutCommand).resolves({});
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
  deps = {
    contacts: access.contactStore,
    store: access,
    logins: new CognitoCustomerLogins(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), 'pool-1'),
    mailer: sesMailer(),
    events: { emit: async (type, detail) => void events.push({ type, detail }) },
    now: () => clock,
    config: { portalUrl: 'https://portal.example.com', invitationTtlDays: 7, applyConcurrency: 4 },
    warn: () => undefined,
    sleep: async (ms) => {
      clock = new Date(clock.getTime() + ms);
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
  };
});

const grantLine = (contactId: string, email?: string) => ({ contactId, inPortal: true, ...(email ? { email } : {}) });
const apply = (wizardId: string, lines: { contactId: string; inPortal: boolean; email?: string }[], message?: string) =>
  applyPortalAccess(deps, wizardId, { lines, ...(message ? { message } : {}) }, 'staff:alice');
const problemOf = (line: LineResult | undefined) => (line?.error === undefined ? undefined : toProblem(line.error).problem);
const successfulSends = () => delivered;
const sentEmails = () => ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
const tokenOf = (text: string | undefined) => /token=([A-Za-z0-9_-]+)/.exec(text ?? '')?.[1];

describe('grant', () => {
  it('creates the login without a Cognito message, stores the line email, invites once, audits and emits', async () => {
    access.add({ id: 'p1', name: 'Pat' });
    const [result] = await apply('p1', [grantLine('p1', ' Pat@Example.COM ')]);

    expect(result).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    const create = cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input;
    expect(create).toMatchObject({
      UserPoolId: 'pool-1',
      Username: 'pat@example.com',
      MessageAction: 'SUPPRESS',
      UserAttributes: expect.arrayContaining([
        { Name: 'email', Value: 'pat@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    });
    const contact = access.contact('p1');
    expect(contact.email).toBe('pat@example.com');
    expect(contact.portal.status).toBe('invited');
    expect(contact.login).toEqual({ email: 'pat@example.com', username: 'user-1', sub: 'sub-1' });
    expect(access.guards.get('pat@example.com')).toBe('p1');
    expect(access.subjects.get('sub-1')).toBe('p1');

    const [mail] = sentEmails();
    expect(sentEmails()).toHaveLength(1);
    expect(mail?.Destination).toEqual({ ToAddresses: ['pat@example.com'] });
    const token = tokenOf(mail?.Content?.Simple?.Body?.Text?.Data);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail?.Content?.Simple?.Body?.Text?.Data).toContain(`https://portal.example.com/invitation?token=${token}`);
    expect(contact.invitation?.tokenHash).toBe(hashToken(token ?? ''));
    expect(contact.invitation?.expiresAt).toBe('2026-03-08T10:00:00.000Z');
    expect(JSON.stringify(contact)).not.toContain(token);

    expect(access.audit).toEqual([expect.objectContaining({ action: 'portal.granted', actor: 'staff:alice', contactId: 'p1' })]);
    expect(events.map((e) => e.type).sort()).toEqual(['PortalAccessGranted', 'PortalInvitationSent']);
    expect(events[0]?.detail).toMatchObject({ contactId: 'p1', email: 'pat@example.com' });
  });

  it('SES throttled, then OK: one SendEmail succeeds, one email, the line is granted', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    sesFailures = 1;

    const [result] = await apply('p1', [grantLine('p1')]);

    expect(result?.outcome).toBe('granted');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(successfulSends()).toHaveLength(1);
    expect(access.contact('p1').invitation?.sentAt).toBeDefined();
  });

  it('SES still throttled: the line fails with 503, and the repeat sends exactly one email with a live link', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    sesFailures = 3;

    const [failed] = await apply('p1', [grantLine('p1')]);
    expect(failed).toMatchObject({ outcome: 'failed', status: 'invited' });
    expect(problemOf(failed)?.status).toBe(503);
    expect(access.audit).toHaveLength(0);
    expect(access.contact('p1').invitation).toBeUndefined(); // dropped: the mail never went out

    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    const [repeat] = await apply('p1', [grantLine('p1')]);

    expect(repeat).toMatchObject({ outcome: 'granted', status: 'invited' });
    expect(successfulSends()).toHaveLength(1);
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(1);
    const hash = hashToken(tokenOf(sentEmails()[3]?.Content?.Simple?.Body?.Text?.Data) ?? '');
    expect(access.invitations.has(hash)).toBe(true);
    expect(access.contact('p1').invitation?.tokenHash).toBe(hash);
    expect(access.audit).toHaveLength(1);

    const [third] = await apply('p1', [grantLine('p1')]);
    expect(third?.outcome).toBe('unchanged');
    expect(successfulSends()).toHaveLength(1);
  });

  it('Cognito fails after the record was written: the repeat completes it with one AdminCreateUser success', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    cognito.on(AdminCreateUserCommand).rejects(cognitoDown());

    const [failed] = await apply('p1', [grantLine('p1')]);
    expect(failed).toMatchObject({ outcome: 'failed', status: 'invited' });
    expect(problemOf(failed)?.status).toBe(503);
    expect(access.guards.get('p1@example.com')).toBe('p1');
    expect(sentEmails()).toHaveLength(0);

    let created = 0;
    cognito.on(AdminCreateUserCommand).callsFake(() => {
      created += 1;
      return { User: { Username: 'user-9', Attributes: [{ Name: 'sub', Value: 'sub-9' }] } };
    });
    const [repeat] = await apply('p1', [grantLine('p1')]);

    expect(repeat).toMatchObject({ outcome: 'granted', status: 'invited' });
    expect(created).toBe(1);
    const [fourth] = await apply('p1', [grantLine('p1')]);
    expect(fourth?.outcome).toBe('unchanged');
    expect(created).toBe(1);
    expect(access.contact('p1').login).toEqual({ email: 'p1@example.com', username: 'user-9', sub: 'sub-9' });
    expect(successfulSends()).toHaveLength(1);
  });

  it('a login created before a crash (UsernameExists on the repeat) is adopted, not duplicated, and its sessions ended', async () => {
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'invited', invitedAt: '2026-03-01T09:00:00.000Z' }, login: { email: 'p1@example.com' } });
    access.guards.set('p1@example.com', 'p1');
    cognito.on(AdminCreateUserCommand).rejects(Object.assign(new Error('User account already exists'), { name: 'UsernameExistsException' }));
    cognito.on(AdminGetUserCommand).resolves({ Username: 'user-old', UserAttributes: [{ Name: 'sub', Value: 'sub-old' }] });

    const [result] = await apply('p1', [grantLine('p1')]);

    expect(result?.outcome).toBe('granted');
    expect(access.contact('p1').login).toEqual({ email: 'p1@example.com', username: 'user-old', sub: 'sub-old' });
    expect(access.subjects.get('sub-old')).toBe('p1');
    expect(cognito.commandCalls(AdminEnableUserCommand)[0]?.args[0].input.Username).toBe('user-old');
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand).map((c) => c.args[0].input.Username)).toEqual(['user-old']);
    expect(successfulSends()).toHaveLength(1);
  });

  it("never adopts a login that another contact's access record links: 409 before anything is written", async () => {
    // U's login (sub-u, linked to u) had its email changed in Cognito to the victim's address.
    access.add({ id: 'u', email: 'u@example.com', portal: { status: 'active' }, login: { email: 'u@example.com', username: 'user-u', sub: 'sub-u' } });
    access.guards.set('u@example.com', 'u');
    access.subjects.set('sub-u', 'u');
    access.add({ id: 'v', email: 'victim@example.com' });
    cognito.on(AdminGetUserCommand, { Username: 'victim@example.com' }).resolves({ Username: 'user-u', UserAttributes: [{ Name: 'sub', Value: 'sub-u' }] });
    const before = structuredClone(access.contact('v'));

    const [result] = await apply('v', [grantLine('v')]);

    expect(result).toMatchObject({ contactId: 'v', outcome: 'failed', status: 'none' });
    expect(problemOf(result)).toMatchObject({ status: 409, detail: "The email is another contact's portal login." });
    expect(access.contact('v')).toEqual(before);
    expect(access.guards.has('victim@example.com')).toBe(false);
    expect(access.subjects.get('sub-u')).toBe('u');
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminEnableUserCommand)).toHaveLength(0);
    expect(successfulSends()).toHaveLength(0);
    expect(access.audit).toEqual([]);
  });

  it('a login linked meanwhile (after the look-up, at AdminCreateUser) is not adopted either', async () => {
    access.add({ id: 'u', portal: { status: 'active' }, login: { email: 'u@example.com', username: 'user-u', sub: 'sub-u' } });
    access.subjects.set('sub-u', 'u');
    access.add({ id: 'v', email: 'victim@example.com' });
    // Not there at the first look; there at AdminCreateUser (its email changed in between).
    cognito
      .on(AdminGetUserCommand)
      .rejectsOnce(Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' }))
      .resolves({ Username: 'user-u', UserAttributes: [{ Name: 'sub', Value: 'sub-u' }] });
    cognito.on(AdminCreateUserCommand).rejects(Object.assign(new Error('User account already exists'), { name: 'UsernameExistsException' }));

    const [result] = await apply('v', [grantLine('v')]);

    expect(result).toMatchObject({ outcome: 'failed', error: expect.any(Conflict) });
    expect(access.subjects.get('sub-u')).toBe('u');
    expect(access.contact('v').login?.sub).toBeUndefined();
    expect(cognito.commandCalls(AdminEnableUserCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(0);
    expect(successfulSends()).toHaveLength(0);
  });

  it('escapes the message in the HTML part and keeps it out of every header', async () => {
    access.add({ id: 'p1', name: 'Ann <b>', email: 'p1@example.com' });
    const hostile = '<script>alert(1)</script>\r\nBcc: x@evil.test';

    await apply('p1', [grantLine('p1')], hostile);

    const mail = sentEmails()[0];
    expect(mail?.Destination).toEqual({ ToAddresses: ['p1@example.com'] });
    expect(mail?.FromEmailAddress).toBe('Portal <portal@example.com>');
    expect(mail?.ReplyToAddresses).toEqual(['help@example.com']);
    expect(mail?.Content?.Simple?.Subject?.Data).toBe('Your invitation to the customer portal');
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

    const results = await apply('co', [
      grantLine('p1'),
      grantLine('p2'),
      grantLine('p3', 'not an email'),
      grantLine('other'),
      grantLine('ghost'),
      grantLine('p2'),
    ]);

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'granted', 'failed', 'failed', 'failed', 'failed']);
    expect(problemOf(results[0])).toMatchObject({ status: 400, type: problemTypeOf('no-email'), errors: [{ path: 'lines.0.email' }] });
    expect(problemOf(results[2])).toMatchObject({ status: 400, type: problemTypeOf('validation'), errors: [{ path: 'lines.2.email' }] });
    expect(problemOf(results[3])).toMatchObject({ status: 404, type: problemTypeOf('out-of-scope') });
    expect(problemOf(results[4])).toMatchObject({ status: 404, type: problemTypeOf('out-of-scope') });
    expect(problemOf(results[5])?.status).toBe(400);
    expect(results[0]?.status).toBe('none');
    expect(access.contact('other').portal.status).toBe('none');
    expect(sentEmails()).toHaveLength(1);
  });

  it("refuses another contact's login email with 409, but takes over the guard of an archived contact", async () => {
    access.add({ id: 'a', email: 'same@example.com', portal: { status: 'active' }, login: { email: 'same@example.com', username: 'ua', sub: 'sa' } });
    access.guards.set('same@example.com', 'a');
    access.add({ id: 'b' });

    const [taken] = await apply('b', [grantLine('b', 'same@example.com')]);
    expect(taken).toMatchObject({ outcome: 'failed', status: 'none' });
    expect(problemOf(taken)?.status).toBe(409);
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);

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
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
    expect(successfulSends()).toHaveLength(0);
  });

  it('a live login with another email is 409 (revoke first); the same request twice is unchanged', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    const [other] = await apply('p1', [grantLine('p1', 'new@example.com')]);
    expect(problemOf(other)?.status).toBe(409);
    expect(other?.status).toBe('invited');
    const [same] = await apply('p1', [grantLine('p1', 'P1@example.com')]);
    expect(same).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'invited' });
    expect(successfulSends()).toHaveLength(1);
  });

  it('concurrent applies of one contact: one login, one email; the others wait for it and are unchanged or 409', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    ses.on(SendEmailCommand).callsFake(async (input) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      delivered.push(input);
      return { MessageId: 'm' };
    });
    const answers = await Promise.all(Array.from({ length: 6 }, () => apply('p1', [grantLine('p1')])));
    const outcomes = answers.map(([r]) => r?.outcome);
    expect(outcomes.filter((o) => o === 'granted')).toHaveLength(1);
    for (const [r] of answers) if (r?.outcome === 'failed') expect(problemOf(r)?.status).toBe(409);
    expect(delivered).toHaveLength(1);
    expect(userCount).toBe(1);
  });

  it('an unsent invitation left by a dead request: the repeat waits out the sending window, then sends once', async () => {
    access.add({
      id: 'p1',
      email: 'p1@example.com',
      portal: { status: 'invited', invitedAt: '2026-03-01T09:59:59.000Z' },
      login: { email: 'p1@example.com', username: 'u1', sub: 's1' },
      invitation: { tokenHash: 'dead', expiresAt: '2026-03-08T09:59:59.000Z', issuedAt: '2026-03-01T09:59:59.000Z' },
    });
    access.invitations.set('dead', { contactId: 'p1', expiresAt: '2026-03-08T09:59:59.000Z' });
    const start = clock.getTime();
    const [result] = await apply('p1', [grantLine('p1')]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(clock.getTime() - start).toBeGreaterThanOrEqual(14_000);
    expect(delivered).toHaveLength(1);
    expect(access.invitations.has('dead')).toBe(false);
  });

  it('stops waiting for another request when its own time is up: 503 for that line, nothing sent', async () => {
    access.add({
      id: 'p1',
      email: 'p1@example.com',
      portal: { status: 'invited', invitedAt: '2026-03-01T09:59:59.000Z' },
      login: { email: 'p1@example.com', username: 'u1', sub: 's1' },
      invitation: { tokenHash: 'live', expiresAt: '2026-03-08T09:59:59.000Z', issuedAt: '2026-03-01T09:59:59.000Z' },
    });
    const timeUp = new AbortController();
    deps.sleep = async () => timeUp.abort();
    const [result] = await applyPortalAccess(deps, 'p1', { lines: [grantLine('p1')] }, 'staff:alice', timeUp.signal);
    expect(result).toMatchObject({ outcome: 'failed', status: 'invited' });
    expect(problemOf(result)?.status).toBe(503);
    expect(delivered).toHaveLength(0);
    expect(access.contact('p1').invitation?.tokenHash).toBe('live');
  });

  it('a failed mail drops its invitation, so the repeat does not wait', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    sesFailures = 3;
    await apply('p1', [grantLine('p1')]);
    expect(access.contact('p1').invitation).toBeUndefined();
    const start = clock.getTime();
    await apply('p1', [grantLine('p1')]);
    expect(clock.getTime()).toBe(start);
    expect(delivered).toHaveLength(1);
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

  it('processes lines with bounded concurrency and answers them in request order', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);
    for (const id of ids) access.add({ id, companyId: 'co', email: `${id}@example.com` });
    let inFlight = 0;
    let most = 0;
    cognito.on(AdminCreateUserCommand).callsFake(async (input: { Username: string }) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      inFlight -= 1;
      return { User: { Username: `u-${input.Username}`, Attributes: [{ Name: 'sub', Value: `s-${input.Username}` }] } };
    });
    const results = await apply('co', ids.map((id) => grantLine(id)));
    expect(results.map((r) => r.contactId)).toEqual(ids);
    expect(results.every((r) => r.outcome === 'granted')).toBe(true);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(deps.config.applyConcurrency);
  });

  it('lists the wizard: the company and its non-archived persons, with login emails', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co', email: 'co@example.com' });
    access.add({ id: 'p1', companyId: 'co', name: 'P1', email: 'p1@example.com', portal: { status: 'active', delivery: 'sent' }, login: { email: 'login@example.com' } });
    access.add({ id: 'p2', companyId: 'co', name: 'P2', archived: true });
    const wizard = await getWizard(deps, 'co');
    expect(wizard).toEqual({
      contactId: 'co',
      lines: [
        { contactId: 'co', name: 'Co', email: 'co@example.com', inPortal: false, status: 'none' },
        // Once a contact has had access, its line shows its scope and types (the defaults here).
        { contactId: 'p1', name: 'P1', email: 'login@example.com', inPortal: true, status: 'active', delivery: 'sent', scope: 'company', types: [...DOCUMENT_TYPES] },
      ],
    });
    await expect(getWizard(deps, 'ghost')).rejects.toBeInstanceOf(NotFound);
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

  it('revokes first in the record, then disables and signs the login out; the guard stays', async () => {
    activeContact();
    const [result] = await apply('p1', [{ contactId: 'p1', inPortal: false }]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'revoked', status: 'revoked' });
    expect(access.contact('p1').portal.status).toBe('revoked');
    expect(access.contact('p1').login?.disabledAt).toBeDefined();
    expect(cognito.commandCalls(AdminDisableUserCommand)[0]?.args[0].input.Username).toBe('user-p1');
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(1);
    expect(access.guards.get('p1@example.com')).toBe('p1');
    expect(access.audit.map((a) => a.action)).toEqual(['portal.revoked']);
    expect(events.map((e) => e.type)).toEqual(['PortalAccessRevoked']);
  });

  it("tolerates exactly cognito-local's missing AdminUserGlobalSignOut, not other failures", async () => {
    activeContact('p1');
    activeContact('p2');
    cognito.on(AdminUserGlobalSignOutCommand).rejectsOnce(
      Object.assign(new Error('Cognito Local unsupported feature: Unsupported x-amz-target header "AdminUserGlobalSignOut"'), { name: 'Unsupported' }),
    );
    expect(await revokeAccess(deps, 'p1', 'event:test')).toBe('revoked');

    cognito.on(AdminUserGlobalSignOutCommand).rejects(cognitoDown());
    await expect(revokeAccess(deps, 'p2', 'event:test')).rejects.toMatchObject({ name: 'InternalErrorException' });
    // The portal refuses already; the repeat finishes the Cognito part without a second audit entry.
    expect(access.contact('p2').portal.status).toBe('revoked');
    expect(access.contact('p2').login?.disabledAt).toBeUndefined();
    cognito.on(AdminUserGlobalSignOutCommand).resolves({});
    expect(await revokeAccess(deps, 'p2', 'event:test')).toBe('unchanged');
    expect(access.contact('p2').login?.disabledAt).toBeDefined();
    expect(access.audit.filter((a) => a.contactId === 'p2')).toHaveLength(1);
  });

  it('revokeAccess is idempotent and kills the pending invitation', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    await apply('p1', [grantLine('p1')]);
    const hash = access.contact('p1').invitation?.tokenHash ?? '';
    expect(access.invitations.has(hash)).toBe(true);

    expect(await revokeAccess(deps, 'p1', 'event:billing', 'unpaid')).toBe('revoked');
    expect(await revokeAccess(deps, 'p1', 'event:billing', 'unpaid')).toBe('unchanged');
    expect(access.invitations.has(hash)).toBe(false);
    expect(access.audit.filter((a) => a.action === 'portal.revoked')).toEqual([
      expect.objectContaining({ actor: 'event:billing', details: expect.objectContaining({ reason: 'unpaid' }) }),
    ]);
    await expect(revokeAccess(deps, 'ghost', 'x')).rejects.toBeInstanceOf(NotFound);
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
    /** The pool's users: enabled or not, as the mocked Cognito calls leave them. */
    let pool: Map<string, boolean>;
    beforeEach(() => {
      pool = new Map([['user-p1', true]]);
      cognito.on(AdminEnableUserCommand).callsFake((input: { Username: string }) => void pool.set(input.Username, true));
      cognito.on(AdminDisableUserCommand).callsFake((input: { Username: string }) => void pool.set(input.Username, false));
      cognito.on(AdminGetUserCommand).callsFake((input: { Username: string }) => ({ Username: input.Username, Enabled: pool.get(input.Username), UserAttributes: [{ Name: 'sub', Value: 'sub-p1' }] }));
    });
    const invitedAndSent = () => {
      activeContact();
      const p1 = access.contact('p1');
      p1.portal = { status: 'invited', invitedAt: '2026-02-01T00:00:00.000Z' };
      p1.invitation = { tokenHash: 'h0', expiresAt: '2026-04-01T00:00:00.000Z', issuedAt: '2026-02-01T00:00:00.000Z', sentAt: '2026-02-01T00:00:01.000Z' };
    };

    it("the revoke's disable lands after the re-grant's enable: the revoke enables it again", async () => {
      invitedAndSent();
      let regrant: Promise<LineResult[]> | undefined;
      // The revoke has written `revoked`; before its disable lands, a re-grant runs to its end.
      cognito.on(AdminDisableUserCommand).callsFakeOnce(async (input: { Username: string }) => {
        regrant = apply('p1', [grantLine('p1')]);
        await regrant;
        pool.set(input.Username, false);
      });

      const [revoked] = await apply('p1', [{ contactId: 'p1', inPortal: false }]);

      expect(revoked?.outcome).toBe('revoked');
      expect((await regrant)?.[0]).toMatchObject({ outcome: 'regranted', status: 'invited' });
      expect(access.contact('p1').portal.status).toBe('invited');
      expect(access.contact('p1').login?.disabledAt).toBeUndefined();
      expect(pool.get('user-p1')).toBe(true);
    });

    it("the re-grant's enable lands after the revoke's disable: the re-grant disables it again", async () => {
      activeContact();
      await apply('p1', [{ contactId: 'p1', inPortal: false }]);
      expect(pool.get('user-p1')).toBe(false);
      let revoke: Promise<unknown> | undefined;
      // The re-grant has written `invited`; before its enable lands, a revoke runs to its end.
      cognito.on(AdminEnableUserCommand).callsFakeOnce(async (input: { Username: string }) => {
        revoke = revokeAccess(deps, 'p1', 'staff:bob');
        await revoke;
        pool.set(input.Username, true);
      });

      const [regranted] = await apply('p1', [grantLine('p1')]);

      expect(await revoke).toBe('revoked');
      expect(regranted?.outcome).toBe('failed');
      expect(access.contact('p1').portal.status).toBe('revoked');
      expect(pool.get('user-p1')).toBe(false);
      expect(successfulSends()).toHaveLength(0);
    });

    it('a re-grant that read the contact before the revocation marked its login disabled still enables it', async () => {
      activeContact();
      access.contact('p1').portal = { status: 'revoked', revokedAt: '2026-02-02T00:00:00.000Z' };
      pool.set('user-p1', false); // disabled, but `disabledAt` not written yet
      const [result] = await apply('p1', [grantLine('p1')]);
      expect(result?.outcome).toBe('regranted');
      expect(pool.get('user-p1')).toBe(true);
    });

    it('a repeated grant of a contact in the portal repairs a login found disabled, and leaves an enabled one alone', async () => {
      activeContact();
      pool.set('user-p1', false);
      const [repaired] = await apply('p1', [grantLine('p1')]);
      expect(repaired).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'active' });
      expect(pool.get('user-p1')).toBe(true);
      expect(cognito.commandCalls(AdminEnableUserCommand)).toHaveLength(1);
      const [again] = await apply('p1', [grantLine('p1')]);
      expect(again?.outcome).toBe('unchanged');
      expect(cognito.commandCalls(AdminEnableUserCommand)).toHaveLength(1);
    });
  });

  it('re-grant enables the same login with a fresh invitation', async () => {
    activeContact();
    await apply('p1', [{ contactId: 'p1', inPortal: false }]);
    const [result] = await apply('p1', [grantLine('p1')]);
    expect(result).toEqual({ contactId: 'p1', outcome: 'regranted', status: 'invited' });
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminEnableUserCommand)[0]?.args[0].input.Username).toBe('user-p1');
    expect(access.contact('p1').login).toEqual({ email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1' });
    expect(successfulSends()).toHaveLength(1);
    expect(access.audit.map((a) => a.action)).toEqual(['portal.revoked', 'portal.regranted']);
  });

  it('an archived contact releases its login (guard and subject): a new contact with that email adopts it, with its sessions ended', async () => {
    access.add({ id: 'old', email: 'shared@example.com', archived: true, portal: { status: 'active' }, login: { email: 'shared@example.com', username: 'user-old', sub: 'sub-old' } });
    access.guards.set('shared@example.com', 'old');
    access.subjects.set('sub-old', 'old');
    await revokeAccess(deps, 'old', 'staff:alice', 'contact archived');
    expect(access.guards.has('shared@example.com')).toBe(false);
    expect(access.subjects.has('sub-old')).toBe(false);

    access.add({ id: 'new', email: 'shared@example.com' });
    cognito.on(AdminGetUserCommand).resolves({ Username: 'user-old', UserAttributes: [{ Name: 'sub', Value: 'sub-old' }] });
    cognito.on(AdminCreateUserCommand).rejects(Object.assign(new Error('exists'), { name: 'UsernameExistsException' }));
    const [result] = await apply('new', [grantLine('new')]);

    expect(result?.outcome).toBe('granted');
    expect(access.subjects.get('sub-old')).toBe('new');
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand).map((c) => c.args[0].input.Username)).toEqual(['user-old', 'user-old']);
  });

  it("an archived contact whose revocation failed half-way does not disable its login once another contact adopted it", async () => {
    access.add({ id: 'old', email: 'shared@example.com', archived: true, portal: { status: 'active' }, login: { email: 'shared@example.com', username: 'user-old', sub: 'sub-old' } });
    access.guards.set('shared@example.com', 'old');
    access.subjects.set('sub-old', 'old');
    cognito.on(AdminDisableUserCommand).rejectsOnce(cognitoDown());
    await expect(revokeAccess(deps, 'old', 'staff:alice', 'contact archived')).rejects.toMatchObject({ name: 'InternalErrorException' });
    expect(access.contact('old').login?.disabledAt).toBeUndefined();

    access.add({ id: 'new', email: 'shared@example.com' });
    cognito.on(AdminGetUserCommand).resolves({ Username: 'user-old', UserAttributes: [{ Name: 'sub', Value: 'sub-old' }] });
    cognito.on(AdminCreateUserCommand).rejects(Object.assign(new Error('exists'), { name: 'UsernameExistsException' }));
    expect((await apply('new', [grantLine('new')]))[0]?.outcome).toBe('granted');
    const disables = cognito.commandCalls(AdminDisableUserCommand).length;

    // The archive repeated (DELETE again): the login is the new contact's now, and stays enabled.
    expect(await revokeAccess(deps, 'old', 'staff:alice', 'contact archived')).toBe('unchanged');
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(disables);
  });

  it('UsernameExists on a re-grant with a new email: the existing user is adopted and enabled', async () => {
    activeContact();
    await apply('p1', [{ contactId: 'p1', inPortal: false }]);
    cognito.on(AdminCreateUserCommand).rejects(Object.assign(new Error('exists'), { name: 'UsernameExistsException' }));
    cognito.on(AdminGetUserCommand).resolves({ Username: 'user-x', UserAttributes: [{ Name: 'sub', Value: 'sub-x' }] });

    const [result] = await apply('p1', [grantLine('p1', 'new@example.com')]);

    expect(result?.outcome).toBe('regranted');
    expect(cognito.commandCalls(AdminGetUserCommand)[0]?.args[0].input.Username).toBe('new@example.com');
    expect(cognito.commandCalls(AdminEnableUserCommand).map((c) => c.args[0].input.Username)).toEqual(['user-x']);
    expect(access.contact('p1').login).toEqual({ email: 'new@example.com', username: 'user-x', sub: 'sub-x' });
    expect(access.guards.has('p1@example.com')).toBe(false);
    expect(access.guards.get('new@example.com')).toBe('p1');
    expect(access.subjects.has('sub-p1')).toBe(false);
    expect(access.subjects.get('sub-x')).toBe('p1');
  });
});

describe('re-invite', () => {
  it('sends a fresh link and kills the old one; only an invited contact of the wizard', async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
    access.add({ id: 'p2', email: 'p2@example.com' });
    await apply('co', [grantLine('p1')]);
    const first = access.contact('p1').invitation?.tokenHash ?? '';

    await reinvite(deps, 'co', { contactId: 'p1', message: 'Again' }, 'staff:bob');

    const second = access.contact('p1').invitation?.tokenHash;
    expect(second).not.toBe(first);
    expect(access.invitations.has(first)).toBe(false);
    expect(successfulSends()).toHaveLength(2);
    expect(access.audit.map((a) => a.action)).toEqual(['portal.granted', 'portal.applied', 'portal.reinvited']);
    await expect(reinvite(deps, 'co', { contactId: 'p2' }, 'staff:bob')).rejects.toBeInstanceOf(NotFound);
    await expect(reinvite(deps, 'co', {}, 'staff:bob')).rejects.toBeInstanceOf(Conflict);
  });
});

describe('errors are domain errors', () => {
  it('maps an unavailable mailer to Unavailable', async () => {
    ses.reset();
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('nope'), { name: 'MessageRejected' }));
    await expect(sesMailer().send({ to: 'a@example.com', subject: 's', text: 't', html: 'h' })).rejects.toBeInstanceOf(Unavailable);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('after a mail finally failed, the next ones try once for a few seconds', async () => {
    const mailer = sesMailer();
    const mail = { to: 'a@example.com', subject: 's', text: 't', html: 'h' };
    sesFailures = 10;
    await expect(mailer.send(mail)).rejects.toBeInstanceOf(Unavailable);
    await expect(mailer.send(mail)).rejects.toBeInstanceOf(Unavailable);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(4);
    sesFailures = 0;
    await mailer.send(mail);
    expect(delivered).toHaveLength(1);
  });

  it('an Invalid line keeps its path', () => {
    expect(toProblem(new Invalid('x', 'lines.3.email')).problem.errors).toEqual([{ path: 'lines.3.email', message: 'x' }]);
  });
});
