/**
 * The invitation lifecycle in real time, on a stack of this file's own started with short durations
 * (support/lifecycle-stack.ts: the reminder after 8 s, links valid 30 s; the stack's schedule runner
 * every 2 s): exactly one reminder with a fresh link (the old one 410) and the inviter's notice;
 * none after acceptance; the expiry (line, audit, event) and a re-invite that revives it; a link
 * handed to staff instead of a mail; the mails in the contact's language with the business and the
 * inviter named; a worker dying mid-reminder sending no mail twice; and two scheduled runs at once
 * sending one reminder; and a reminder that waits for an acceptance under way.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lambdas/contract/keys';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { hashToken } from '../../lambdas/domain/tokens';
import type { StackProcess } from '../../local/stack-process';
import { LIFECYCLE, scheduleJobOf, startLifecycleStack } from './support/lifecycle-stack';
import { api, cognito, emails, events, eventually, mailsTo as mailsArrived, outboxDone, signIn, stack, uniq, type Email, type ReceivedEvent } from './support/stack';

jest.setTimeout(120_000);

const PASSWORD = 'Lifecycle-Passw0rd!';
let lifecycle: StackProcess;
let admin: string;

const staff = (path: string, init: { method?: string; body?: unknown } = {}, token = admin) => api(path, { ...init, token });
const mailsTo = async (address: string): Promise<Email[]> => (await emails()).filter((m) => m.destination.to.includes(address));
const tokenIn = (mail: Email | undefined) => /\/invitation\?token=([A-Za-z0-9_-]{43})/.exec(mail?.body.text ?? '')?.[1];
const accept = (token: string | undefined) => api('/invitations/accept', { method: 'POST', body: { token, password: PASSWORD } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function person(extra: { lang?: 'en' | 'nl' } = {}): Promise<Contact & { email: string }> {
  const email = `${uniq('life')}@example.com`;
  const res = await staff('/contacts', { method: 'POST', body: { kind: 'person', name: uniq('Invitee'), email, ...extra } });
  if (res.status !== 201) throw new Error(`POST /contacts → ${res.status} ${res.text}`);
  return res.body as Contact & { email: string };
}

/** Grants, and waits for the outbox worker to mail the invitation: answers it. */
async function grant(contact: Contact & { email: string }, token = admin): Promise<Email> {
  const res = await staff(`/contacts/${contact.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: contact.id, inPortal: true }] } }, token);
  if (res.status !== 200 || res.body.results[0].outcome !== 'granted') throw new Error(`grant → ${res.status} ${res.text}`);
  const [invitation] = await mailsArrived(contact.email);
  await outboxDone([contact.id]);
  return invitation!;
}

async function lineOf(contact: Contact) {
  const res = await staff(`/contacts/${contact.id}/portal-access`);
  return (res.body.lines as { contactId: string; status: string; delivery?: string; invitation?: { status: string; sentAt?: string; expiresAt: string; remindedAt?: string } }[]).find((l) => l.contactId === contact.id)!;
}

const auditOf = async (contact: Contact) => (await staff(`/contacts/${contact.id}/audit?limit=50`)).body.items as { action: string; actor: string; details: Record<string, unknown> }[];
const expiredEvents = async (contact: Contact): Promise<ReceivedEvent[]> =>
  (await events()).filter((e) => e['detail-type'] === 'PortalInvitationExpired' && e.detail.contactId === contact.id);
/** Arms the lifecycle stack's outbox switch: the worker dies right after `step` of an item of `contactId`, once. */
async function crashAfter(step: string, contactId: string): Promise<void> {
  const res = await fetch(`${stack().eventsEndpoint}/outbox/faults`, { method: 'POST', body: JSON.stringify({ step, contactId, times: 1 }) });
  if (res.status !== 201) throw new Error(`arming the outbox fault: ${res.status}`);
}
const faultsArmed = async () => (await (await fetch(`${stack().eventsEndpoint}/outbox/faults`)).json()) as { step: string; contactId?: string; times: number }[];
/** The second mail to the contact (its reminder), waited for up to REMINDER_AFTER and a margin. */
const reminderTo = async (contact: { email: string }): Promise<Email | undefined> =>
  (
    await eventually(
      async () => {
        const mails = await mailsTo(contact.email);
        if (mails.length < 2) throw new Error('no reminder yet');
        return mails;
      },
      { timeoutMs: (LIFECYCLE.reminderAfterSeconds + 10) * 1000 },
    )
  )[1];
const noticesAbout = async (to: string, contact: Contact) => (await mailsTo(to)).filter((m) => m.subject.includes(contact.name));

beforeAll(async () => {
  lifecycle = await startLifecycleStack();
  admin = (await signIn('staff', stack().admin.username, stack().admin.password)).accessToken;
});

afterAll(async () => {
  await lifecycle?.stop();
});

describe('the invitation lifecycle, in real time', () => {
  it.concurrent('one reminder after REMINDER_AFTER: a fresh link (the old one 410), the inviter told; never a second one; the new link works', async () => {
    const contact = await person();
    const first = await grant(contact);
    expect((await lineOf(contact)).invitation).toEqual({ status: 'pending', sentAt: expect.any(String), expiresAt: expect.any(String) });

    const reminder = await reminderTo(contact);
    expect(reminder!.subject).toBe('Reminder: your invitation to the Example Business customer portal');
    expect(reminder!.body.text).toContain('The link in the earlier email no longer works.');
    expect(tokenIn(reminder)).not.toBe(tokenIn(first));
    expect((await accept(tokenIn(first))).status).toBe(410);

    const notices = await eventually(async () => {
      const found = await noticesAbout(stack().admin.email, contact);
      if (found.length === 0) throw new Error('no notice yet');
      return found;
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe(`Reminder sent: ${contact.name} has not accepted the portal invitation yet`);
    expect(notices[0]!.body.text).toContain(`${contact.name} (${contact.email}) has not yet accepted the invitation`);
    expect(notices[0]!.body.text).not.toContain('token=');

    const line = await lineOf(contact);
    expect(line.invitation).toEqual({ status: 'pending', sentAt: line.invitation!.sentAt, expiresAt: line.invitation!.expiresAt, remindedAt: expect.any(String) });
    expect((await auditOf(contact)).filter((a) => a.action === 'invitation.reminded')).toEqual([
      expect.objectContaining({ actor: 'schedule', details: expect.objectContaining({ email: contact.email, invitedBy: `staff:${stack().admin.username}` }) }),
    ]);

    // Several more runs: still one reminder and one notice.
    await outboxDone([contact.id]);
    await sleep(5_000);
    expect(await mailsTo(contact.email)).toHaveLength(2);
    expect(await noticesAbout(stack().admin.email, contact)).toHaveLength(1);
    expect((await accept(tokenIn(reminder))).status).toBe(204);
    expect((await lineOf(contact)).invitation?.status).toBe('accepted');
  });

  it.concurrent('no reminder to an address that hard-bounced or complained (SES feedback): one mail, nothing for the inviter', async () => {
    const bounced = await person();
    const complained = await person();
    await Promise.all([grant(bounced), grant(complained)]);
    const s = stack();
    const ses = new EventBridgeClient({ region: s.region, endpoint: s.eventsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const feedback = (DetailType: string, detail: Record<string, unknown>) => ses.send(new PutEventsCommand({ Entries: [{ Source: 'aws.ses', DetailType, Detail: JSON.stringify(detail) }] }));
    await feedback('Email Bounced', {
      eventType: 'Bounce',
      mail: { messageId: uniq('msg'), destination: [bounced.email], tags: { 'ses:configuration-set': [s.sesConfigurationSet] } },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: bounced.email }] },
    });
    await feedback('Email Complaint Received', {
      eventType: 'Complaint',
      mail: { messageId: uniq('msg'), destination: [complained.email], tags: { 'ses:configuration-set': [s.sesConfigurationSet] } },
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: complained.email }] },
    });
    await eventually(async () => expect([(await lineOf(bounced)).delivery, (await lineOf(complained)).delivery]).toEqual(['bounced', 'complained']));
    await sleep((LIFECYCLE.reminderAfterSeconds + 6) * 1000);
    for (const contact of [bounced, complained]) {
      expect(await mailsTo(contact.email)).toHaveLength(1);
      expect(await noticesAbout(stack().admin.email, contact)).toHaveLength(0);
      expect((await lineOf(contact)).invitation).not.toHaveProperty('remindedAt');
    }
  });

  it.concurrent('no reminder once accepted', async () => {
    const contact = await person();
    const invitation = await grant(contact);
    expect((await accept(tokenIn(invitation))).status).toBe(204);
    await sleep((LIFECYCLE.reminderAfterSeconds + 5) * 1000);
    expect(await mailsTo(contact.email)).toHaveLength(1);
    expect(await noticesAbout(stack().admin.email, contact)).toHaveLength(0);
    expect((await lineOf(contact)).invitation).toEqual({ status: 'accepted', sentAt: expect.any(String), expiresAt: expect.any(String) });
    expect((await auditOf(contact)).map((a) => a.action)).not.toContain('invitation.reminded');
  });

  it.concurrent('at expiry: the line reads expired (the contact stays invited), audited, PortalInvitationExpired; a re-invite revives it', async () => {
    const contact = await person();
    await grant(contact);
    const expiresAt = (await lineOf(contact)).invitation!.expiresAt;
    await eventually(async () => expect(await expiredEvents(contact)).toHaveLength(1), { timeoutMs: (LIFECYCLE.invitationTtlSeconds + 15) * 1000 });
    const [event] = await expiredEvents(contact);
    expect(event).toMatchObject({ source: 'portal.access', detail: { contactId: contact.id, email: contact.email, at: expiresAt } });

    const line = await lineOf(contact);
    expect(line.status).toBe('invited');
    expect(line.invitation).toMatchObject({ status: 'expired', expiresAt, remindedAt: expect.any(String) });
    expect((await auditOf(contact)).filter((a) => a.action === 'invitation.expired')).toEqual([
      expect.objectContaining({ actor: 'schedule', details: expect.objectContaining({ expiresAt }) }),
    ]);
    const sent = await mailsTo(contact.email);
    expect(sent).toHaveLength(2); // the invitation and its reminder
    for (const mail of sent) expect((await accept(tokenIn(mail))).status).toBe(410);

    const revived = await staff(`/contacts/${contact.id}/portal-access/reinvite`, { method: 'POST', body: { contactId: contact.id } });
    expect(revived.status).toBe(202);
    await mailsArrived(contact.email, { count: 3 });
    await outboxDone([contact.id]);
    const after = await lineOf(contact);
    expect(after.invitation).toEqual({ status: 'pending', sentAt: expect.any(String), expiresAt: expect.any(String) });
    expect(Date.parse(after.invitation!.expiresAt)).toBeGreaterThan(Date.parse(expiresAt));
    const latest = (await mailsTo(contact.email)).at(-1);
    expect((await accept(tokenIn(latest))).status).toBe(204);
    await sleep(3_000);
    expect(await expiredEvents(contact)).toHaveLength(1);
  });

  it.concurrent('re-invite with delivery "link": 200 with the URL, no email; the previous link dies, the URL works; audited', async () => {
    const contact = await person();
    const first = await grant(contact);
    const res = await staff(`/contacts/${contact.id}/portal-access/reinvite`, { method: 'POST', body: { contactId: contact.id, delivery: 'link' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ url: expect.stringMatching(new RegExp(`^${stack().portalUrl}/invitation\\?token=[A-Za-z0-9_-]{43}$`)), expiresAt: expect.any(String) });
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan((LIFECYCLE.invitationTtlSeconds - 5) * 1000);
    await sleep(2_500);
    expect(await mailsTo(contact.email)).toHaveLength(1);
    expect((await accept(tokenIn(first))).status).toBe(410);
    expect((await accept(new URL(res.body.url).searchParams.get('token') ?? '')).status).toBe(204);
    expect((await auditOf(contact)).find((a) => a.action === 'portal.reinvited')).toMatchObject({ details: { email: contact.email, delivery: 'link' } });
  });

  it.concurrent('a link handed to staff (delivery "link") gets its one reminder too: a fresh link mailed, the handed one 410', async () => {
    const contact = await person();
    await grant(contact);
    const res = await staff(`/contacts/${contact.id}/portal-access/reinvite`, { method: 'POST', body: { contactId: contact.id, delivery: 'link' } });
    expect(res.status).toBe(200);
    const reminder = await reminderTo(contact);
    expect(reminder!.subject).toBe('Reminder: your invitation to the Example Business customer portal');
    expect((await accept(new URL(res.body.url).searchParams.get('token') ?? '')).status).toBe(410);
    expect((await accept(tokenIn(reminder))).status).toBe(204);
  });

  it.concurrent('writes in the contact’s language, names the business and the inviter (from the staff pool), and tells the inviter in theirs', async () => {
    const username = uniq('mia');
    const mia = `${username}@example.com`;
    const UserPoolId = stack().staffUserPoolId;
    await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'name', Value: 'Mia <Staff>' },
          { Name: 'email', Value: mia },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'locale', Value: 'nl-NL' },
        ],
      }),
    );
    await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: PASSWORD, Permanent: true }));
    await cognito().send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: 'portal-admins' }));
    const token = (await signIn('staff', username, PASSWORD)).accessToken;

    const contact = await person({ lang: 'nl' });
    expect(contact.lang).toBe('nl');
    const invitation = await grant(contact, token);
    expect(invitation!.from).toBe('"Example Business" <portal@example.com>');
    expect(invitation!.subject).toBe('Uw uitnodiging voor het klantenportaal van Example Business');
    expect(invitation!.body.text).toContain('Mia <Staff> heeft u uitgenodigd voor het klantenportaal van Example Business.');
    expect(invitation!.body.text).toMatch(/geldig tot \d{1,2} [a-z]+ \d{4} om \d{2}:\d{2} UTC\./);
    expect(invitation!.body.html).toContain('Mia &lt;Staff&gt;');
    expect(invitation!.body.html).not.toContain('<Staff>');

    const notice = await eventually(
      async () => {
        const [found] = await noticesAbout(mia, contact);
        if (!found) throw new Error('no notice yet');
        return found;
      },
      { timeoutMs: (LIFECYCLE.reminderAfterSeconds + 10) * 1000 },
    );
    expect(notice.subject).toBe(`Herinnering verstuurd: ${contact.name} heeft de portaaluitnodiging nog niet geaccepteerd`);
    const reminder = (await mailsArrived(contact.email, { count: 2 }))[1];
    expect(reminder?.subject).toBe('Herinnering: uw uitnodiging voor het klantenportaal van Example Business');
    expect(await noticesAbout(stack().admin.email, contact)).toHaveLength(0);
  });

  it.concurrent('an inviter removed from portal-admins, or disabled, since the grant hears nothing of the reminder; the contact gets it all the same', async () => {
    const UserPoolId = stack().staffUserPoolId;
    const inviters = await Promise.all(
      ['removed', 'disabled'].map(async (what) => {
        const username = uniq(`inviter-${what}`);
        const address = `${username}@staff.example.com`;
        await cognito().send(
          new AdminCreateUserCommand({
            UserPoolId,
            Username: username,
            MessageAction: 'SUPPRESS',
            UserAttributes: [{ Name: 'email', Value: address }, { Name: 'email_verified', Value: 'true' }],
          }),
        );
        await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: PASSWORD, Permanent: true }));
        await cognito().send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: 'portal-admins' }));
        const contact = await person();
        await grant(contact, (await signIn('staff', username, PASSWORD)).accessToken);
        // Gone from the staff side before the reminder is due.
        if (what === 'removed') await cognito().send(new AdminRemoveUserFromGroupCommand({ UserPoolId, Username: username, GroupName: 'portal-admins' }));
        else await cognito().send(new AdminDisableUserCommand({ UserPoolId, Username: username }));
        return { address, contact };
      }),
    );
    for (const { address, contact } of inviters) {
      expect(await reminderTo(contact)).toBeDefined();
      await outboxDone([contact.id]);
      expect(await noticesAbout(address, contact)).toEqual([]);
    }
  });

  it.concurrent('lang on a contact: set on create and by PATCH, cleared by null (English then), only a language we write', async () => {
    const contact = await person({ lang: 'nl' });
    expect((await staff(`/contacts/${contact.id}`)).body.lang).toBe('nl');
    const cleared = await staff(`/contacts/${contact.id}`, { method: 'PATCH', body: { lang: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.lang).toBeUndefined();
    expect((await staff(`/contacts/${contact.id}`, { method: 'PATCH', body: { lang: 'en' } })).body.lang).toBe('en');
    const refused = await staff(`/contacts/${contact.id}`, { method: 'PATCH', body: { lang: 'de' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'lang' })]);
    expect((await staff('/contacts', { method: 'POST', body: { kind: 'person', name: 'X', lang: 'EN' } })).status).toBe(400);
  });

  it.concurrent('a worker that dies mid-reminder (after the fresh link, after its record, after the notice) mails no reminder or notice twice', async () => {
    const contact = await person();
    // The reminder's own steps (the invitation's are named otherwise): armed before the grant, they wait for the reminder.
    for (const step of ['reminder-link', 'reminder-marked', 'notice']) await crashAfter(step, contact.id);
    const first = await grant(contact);
    const [, reminder] = await mailsArrived(contact.email, { count: 2, timeoutMs: (LIFECYCLE.reminderAfterSeconds + 20) * 1000 });
    await eventually(async () => expect(await noticesAbout(stack().admin.email, contact)).toHaveLength(1), { timeoutMs: 20_000 });
    await outboxDone([contact.id]);
    // Every switch fired: the worker died three times, and the stream brought the item back each time.
    expect((await faultsArmed()).filter((f) => f.contactId === contact.id)).toEqual([
      { step: 'reminder-link', contactId: contact.id, times: 0 },
      { step: 'reminder-marked', contactId: contact.id, times: 0 },
      { step: 'notice', contactId: contact.id, times: 0 },
    ]);
    await sleep(3_000);
    expect(await mailsTo(contact.email)).toHaveLength(2);
    expect(await noticesAbout(stack().admin.email, contact)).toHaveLength(1);
    expect((await auditOf(contact)).filter((a) => a.action === 'invitation.reminded')).toHaveLength(1);
    // The first fresh link (made before the first crash) was never mailed; the invitation's is dead; the reminder's works.
    expect((await accept(tokenIn(first))).status).toBe(410);
    expect((await accept(tokenIn(reminder))).status).toBe(204);
  });

  it.concurrent('two scheduled runs at once (and the stack’s own runner) send one reminder and one notice', async () => {
    const job = await scheduleJobOf(lifecycle);
    const contact = await person();
    await grant(contact);
    const sentAt = Date.parse((await lineOf(contact)).invitation!.sentAt!);
    // The reminder comes due at most REMINDER_AFTER after it was sent: from just before then, runs in pairs.
    await sleep(Math.max(0, sentAt + LIFECYCLE.reminderAfterSeconds * 1000 - 300 - Date.now()));
    for (let round = 0; round < 10; round++) {
      const runs = await Promise.all([job({}), job({})]);
      for (const run of runs) expect(run.reports.every((r) => r.failed === 0)).toBe(true);
      await sleep(150);
    }
    await mailsArrived(contact.email, { count: 2 });
    await outboxDone([contact.id]);
    await sleep(2_500);
    expect(await mailsTo(contact.email)).toHaveLength(2);
    expect(await noticesAbout(stack().admin.email, contact)).toHaveLength(1);
    expect((await auditOf(contact)).filter((a) => a.action === 'invitation.reminded')).toHaveLength(1);
  });
});

// Alone, after the concurrent ones: the held claim keeps the stack's outbox worker on this reminder for seconds.
it('an invitee accepting the link when its reminder comes due: the reminder waits (the link stays) until the acceptance is answered, then goes', async () => {
  const contact = await person();
  const first = tokenIn(await grant(contact))!;
  const s = stack();
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: s.region, endpoint: s.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const link = { TableName: s.tableName, Key: keys.invitation(hashToken(first)) };
  // What an acceptance writes first (invitation-store.ts claimInvitation), held as if its password were being set.
  await db.send(new UpdateCommand({ ...link, UpdateExpression: 'SET claimedAt = :now', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':now': new Date().toISOString() } }));
  const reminderItem = await eventually(
    async () => {
      const item = (await db.send(new GetCommand({ TableName: s.tableName, Key: keys.contact(contact.id), ConsistentRead: true }))).Item;
      if (item?.outbox?.kind !== 'reminder') throw new Error('no reminder queued yet');
      return item.outbox.id as string;
    },
    { timeoutMs: (LIFECYCLE.reminderAfterSeconds + 10) * 1000 },
  );
  await sleep(3_000);
  expect((await db.send(new GetCommand({ TableName: s.tableName, Key: keys.outbox(reminderItem), ConsistentRead: true }))).Item).not.toHaveProperty('doneAt');
  expect(await mailsTo(contact.email)).toHaveLength(1);
  expect((await db.send(new GetCommand({ ...link, ConsistentRead: true }))).Item).toHaveProperty('claimedAt');
  // The acceptance fails and releases its claim (as a password the pool refuses does): the reminder goes now.
  await db.send(new UpdateCommand({ ...link, UpdateExpression: 'REMOVE claimedAt' }));
  const reminder = await reminderTo(contact);
  expect(tokenIn(reminder)).not.toBe(first);
  expect((await accept(first)).status).toBe(410);
  expect((await accept(tokenIn(reminder))).status).toBe(204);
});
