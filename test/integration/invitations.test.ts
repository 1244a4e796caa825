/**
 * Accepting invitations over HTTP against the local stack: the link read back from the SES
 * emulator, one identical 410 for every unusable token, the password policy, concurrent accepts.
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store';
import { DynamoContactReader } from '../../lambdas/adapters/dynamodb/contact-reader';
import { keys } from '../../lambdas/contract/keys';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { adminToken, api, mailsTo, signIn, stack, uniq, withoutInstance } from './support/stack';

const PASSWORD = 'Invitee-Passw0rd!';
let token: string;

/** A person granted portal access; answers the token of the invitation the SES emulator received. */
async function invitedPerson(): Promise<{ person: Contact; email: string; invitation: string }> {
  const email = `${uniq('invitee')}@example.com`;
  const created = await api('/contacts', { method: 'POST', token, body: { kind: 'person', name: uniq('Invitee'), email } });
  if (created.status !== 201) throw new Error(`POST /contacts → ${created.status}`);
  const person = created.body as Contact;
  const applied = await api(`/contacts/${person.id}/portal-access`, { method: 'POST', token, body: { lines: [{ contactId: person.id, inPortal: true }] } });
  expect(applied.body.results[0].outcome).toBe('granted');
  const [mail] = await mailsTo(email);
  const invitation = /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
  if (!invitation) throw new Error('no invitation link in the email');
  return { person, email, invitation };
}

const accept = (invitation: string, password = PASSWORD) => api('/invitations/accept', { method: 'POST', body: { token: invitation, password } });

const tableClient = () => {
  const s = stack();
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region: s.region, endpoint: s.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
};

/** Moves an invitation's expiry into the past, straight in DynamoDB Local (the TTL is days; the clock is not ours here). */
async function expire(invitation: string): Promise<void> {
  const db = tableClient();
  const hash = createHash('sha256').update(invitation, 'utf8').digest('hex');
  await db.send(
    new UpdateCommand({
      TableName: stack().tableName,
      Key: keys.invitation(hash),
      UpdateExpression: 'SET expiresAt = :past',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
    }),
  );
}

// Each test drives several emulators over HTTP; jest's project-level testTimeout does not apply per project.
jest.setTimeout(60_000);

beforeAll(async () => {
  token = await adminToken();
});

describe('POST /invitations/accept', () => {
  it('sets the password from the emailed link: the contact is active, the customer signs in, the token is dead', async () => {
    const { person, email, invitation } = await invitedPerson();
    const res = await accept(invitation);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const tokens = await signIn('customer', email, PASSWORD);
    const me = await api('/portal/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.contact).toMatchObject({ id: person.id, email });
    expect((await api(`/contacts/${person.id}`, { token })).body.portal).toMatchObject({ status: 'active', activatedAt: expect.any(String) });
    const audit = await api(`/contacts/${person.id}/audit`, { token });
    expect(audit.body.items[0]).toMatchObject({ action: 'invitation.accepted', actor: 'invitee' });

    expect((await accept(invitation)).status).toBe(410);
  });

  it('the customer then signs in with its email in any case, as in AWS (both pools ignore the case); another email signs no one in', async () => {
    const { person, email, invitation } = await invitedPerson();
    expect((await accept(invitation)).status).toBe(204);
    for (const typed of [email.toUpperCase(), `${email[0]!.toUpperCase()}${email.slice(1, -4)}.COM`]) {
      const me = await api('/portal/me', { token: (await signIn('customer', typed, PASSWORD)).accessToken });
      expect({ typed, status: me.status, id: me.body.contact?.id }).toEqual({ typed, status: 200, id: person.id });
    }
    await expect(signIn('customer', `X${email}`, PASSWORD)).rejects.toThrow();
    await expect(signIn('customer', email.toUpperCase(), 'Wrong-Passw0rd!')).rejects.toThrow();
  });

  it('answers the same 410 for used, unknown, malformed, expired, re-invited and revoked tokens', async () => {
    const used = await invitedPerson();
    expect((await accept(used.invitation)).status).toBe(204);
    const expired = await invitedPerson();
    await expire(expired.invitation);
    const reinvited = await invitedPerson();
    expect((await api(`/contacts/${reinvited.person.id}/portal-access/reinvite`, { method: 'POST', token, body: {} })).status).toBe(202);
    const revoked = await invitedPerson();
    await api(`/contacts/${revoked.person.id}/portal-access`, { method: 'POST', token, body: { lines: [{ contactId: revoked.person.id, inPortal: false }] } });

    const answers = await Promise.all(
      [used.invitation, 'A'.repeat(43), 'not a token', expired.invitation, reinvited.invitation, revoked.invitation].map((t) => accept(t)),
    );
    expect(answers.map((a) => a.status)).toEqual([410, 410, 410, 410, 410, 410]);
    // One and the same problem, but for the request each answers (`instance`, the request id).
    expect(new Set(answers.map((a) => JSON.stringify(withoutInstance(a.body)))).size).toBe(1);
    expect(answers.map((a) => a.body.instance)).toEqual(answers.map((a) => `urn:request:${a.headers['x-request-id']}`));
    expect(answers[0]!.headers['content-type']).toContain('application/problem+json');
    expect(answers[0]!.body).toMatchObject({ status: 410, type: 'urn:portal-access:problem:invitation-unusable', title: 'Invitation unusable' });
    expect((await api(`/contacts/${expired.person.id}`, { token })).body.portal.status).toBe('invited');
  });

  it('a re-invite by email kills the previous link as it answers 202, before the worker mails the next; the next one works', async () => {
    const { person, email, invitation } = await invitedPerson();
    expect((await api(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', token, body: {} })).status).toBe(202);
    // At once: the outbox worker has not issued the new invitation yet (it polls the stream).
    expect((await accept(invitation)).status).toBe(410);
    const links = (await mailsTo(email, { count: 2 })).map((mail) => /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail.body.text ?? '')?.[1]);
    const next = links.find((link) => link !== invitation);
    expect(links).toHaveLength(2);
    expect(next).toBeDefined();
    expect((await accept(next!)).status).toBe(204);
    expect((await api(`/contacts/${person.id}`, { token })).body.portal.status).toBe('active');
  });

  it('a re-invite by email read before a link was shared refuses, not answering 202 while the shared link still works', async () => {
    const { person } = await invitedPerson();
    const link = async () => {
      const res = await api(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', token, body: { delivery: 'link' } });
      expect(res.status).toBe(200);
      return new URL(res.body.url).searchParams.get('token') ?? '';
    };
    await link();
    // The re-invite by email reads the contact (the first shared link, no outbox item) ...
    const db = tableClient();
    const read = await new DynamoContactReader(db, stack().tableName).get(person.id);
    // ... staff share another link meanwhile ...
    const shared = await link();
    // ... and its write comes: it would kill the link it read (already dead), not the one shared meanwhile.
    const item = { id: uniq('outbox'), kind: 'invitation' as const, reason: 'reinvited' as const, contactId: person.id, actor: 'test', at: new Date().toISOString() };
    expect(await new DynamoAccessStore(db, stack().tableName).requeueInvitation(read!, item, undefined)).toBe(false);
    expect((await accept(shared)).status).toBe(204);
  });

  it('refuses a password below the policy with 400 on `password`; the same link then works', async () => {
    const { invitation } = await invitedPerson();
    const weak = await accept(invitation, 'weak');
    expect(weak.status).toBe(400);
    expect(weak.body.errors).toEqual([expect.objectContaining({ path: 'password' })]);
    expect((await accept(invitation)).status).toBe(204);
  });

  it('refuses with 400 what the pool in AWS refuses although the local emulator would not: a space at either end, a line break, no symbol of its set', async () => {
    const { invitation } = await invitedPerson();
    for (const password of [' Leading-Space-Pw-1', 'Trailing-Space-Pw-1 ', 'Line-Break-Pw-1\nx', 'NoCognitoSymbol12é€']) {
      const refused = await accept(invitation, password);
      expect({ password, status: refused.status, errors: refused.body.errors }).toEqual({ password, status: 400, errors: [expect.objectContaining({ path: 'password' })] });
    }
    expect((await accept(invitation, 'Inner Space-Pw-1')).status).toBe(204);
  });

  it('two concurrent accepts of one token: exactly one 204', async () => {
    const { invitation } = await invitedPerson();
    const answers = await Promise.all([accept(invitation), accept(invitation)]);
    expect(answers.map((a) => a.status).sort()).toEqual([204, 410]);
  });

  it('validates the body strictly', async () => {
    expect((await api('/invitations/accept', { method: 'POST', body: { token: 'x' } })).status).toBe(400);
    expect((await api('/invitations/accept', { method: 'POST', body: { token: 'x', password: PASSWORD, extra: 1 } })).status).toBe(400);
  });
});
