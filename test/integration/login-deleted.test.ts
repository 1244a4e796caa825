/**
 * A portal login deleted in Cognito behind the product's back — an operator in the AWS console
 * answering an erasure request, a clean-up script, the user itself (`DeleteUser`) — while the
 * contact's record still names it. Staff must still be able to revoke (the revocation's event is
 * not lost), grant again, re-invite and change the contact's email; the invitee's link says it is
 * no longer valid rather than failing; and the login made again is the only one that signs in.
 */
import { AdminDeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { createContact, invitationTokenIn, PORTAL_PASSWORD, portalUser } from './support/principals';
import { adminToken, api, cognito, events, mailsTo, outboxDeadLetters, outboxDone, signIn, stack, uniq } from './support/stack';

jest.setTimeout(120_000);

let company: Contact;

beforeAll(async () => {
  company = await createContact({ kind: 'company', name: uniq('Deleted logins') });
});

const deleteLogin = (email: string) => cognito().send(new AdminDeleteUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }));

const apply = async (contactId: string, inPortal: boolean) => {
  const res = await api(`/contacts/${company.id}/portal-access`, { method: 'POST', token: await adminToken(), body: { lines: [{ contactId, inPortal }] } });
  expect(res.status).toBe(200);
  return res.body.results[0] as { outcome: string; status: string };
};

const line = async (contactId: string) => {
  const res = await api(`/contacts/${company.id}/portal-access`, { token: await adminToken() });
  return (res.body.lines as { contactId: string; status: string; delivery?: string }[]).find((l) => l.contactId === contactId);
};

const accept = (token: string | undefined, password = PORTAL_PASSWORD) => api('/invitations/accept', { method: 'POST', body: { token, password } });

it('an active contact whose login was deleted is revoked (with its event), granted again, and signs in with a new login', async () => {
  const user = await portalUser(company.id, 'deleted-active');
  await deleteLogin(user.email);
  const deadBefore = (await outboxDeadLetters()).length;

  expect(await apply(user.contact.id, false)).toMatchObject({ outcome: 'revoked', status: 'revoked' });
  await outboxDone([user.contact.id]);
  const revokedEvents = (await events()).filter((e) => e['detail-type'] === 'PortalAccessRevoked' && e.detail.contactId === user.contact.id);
  expect(revokedEvents).toHaveLength(1);

  expect(await apply(user.contact.id, true)).toMatchObject({ outcome: 'regranted', status: 'invited' });
  const mails = await mailsTo(user.email, { count: 2 });
  expect(await line(user.contact.id)).toMatchObject({ status: 'invited', delivery: 'sent' });
  expect((await accept(invitationTokenIn(mails[1]), 'Again-Portal-Pw-2!')).status).toBe(204);

  const tokens = await signIn('customer', user.email, 'Again-Portal-Pw-2!');
  const me = await api('/portal/me', { token: tokens.accessToken });
  expect(me.status).toBe(200);
  expect(me.body.contact.id).toBe(user.contact.id);
  // The deleted login's tokens are not the contact's login any more.
  expect((await api('/portal/me', { token: user.tokens.accessToken })).status).toBe(401);
  expect(await outboxDeadLetters()).toHaveLength(deadBefore);
});

it('an invitation whose login was deleted is no longer valid, and a re-invitation makes the login again', async () => {
  const email = `${uniq('deleted-invited')}@example.com`;
  const contact = await createContact({ kind: 'person', name: 'Deleted invitee', email, companyId: company.id });
  expect(await apply(contact.id, true)).toMatchObject({ outcome: 'granted' });
  const [first] = await mailsTo(email);
  await outboxDone([contact.id]);
  await deleteLogin(email);

  const refused = await accept(invitationTokenIn(first));
  expect(refused.status).toBe(410);
  expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);

  const reinvite = await api(`/contacts/${company.id}/portal-access/reinvite`, { method: 'POST', token: await adminToken(), body: { contactId: contact.id } });
  expect(reinvite.status).toBe(202);
  const mails = await mailsTo(email, { count: 2 });
  expect((await accept(invitationTokenIn(mails[1]))).status).toBe(204);
  const me = await api('/portal/me', { token: (await signIn('customer', email, PORTAL_PASSWORD)).accessToken });
  expect(me.body.contact.id).toBe(contact.id);
});

it('the email of a contact whose login was deleted can be changed, and its next grant signs in under the new email', async () => {
  const user = await portalUser(company.id, 'deleted-moved');
  await deleteLogin(user.email);
  const moved = `${uniq('deleted-moved-to')}@example.com`;

  const patched = await api(`/contacts/${user.contact.id}`, { method: 'PATCH', token: await adminToken(), body: { email: moved } });
  expect(patched.status).toBe(200);
  expect(patched.body.email).toBe(moved);

  expect(await apply(user.contact.id, false)).toMatchObject({ outcome: 'revoked' });
  expect(await apply(user.contact.id, true)).toMatchObject({ outcome: 'regranted' });
  const [mail] = await mailsTo(moved);
  expect((await accept(invitationTokenIn(mail))).status).toBe(204);
  const me = await api('/portal/me', { token: (await signIn('customer', moved, PORTAL_PASSWORD)).accessToken });
  expect(me.body.contact.id).toBe(user.contact.id);
});
