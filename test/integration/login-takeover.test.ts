/**
 * Login takeover across companies (issue 10, finding 1). A portal user U of company A, holding its
 * tokens, points its Cognito login at the email of contact V of company B; staff then grant V.
 * The grant must never hand U's login to V: U never reads B's documents and `/portal/me` never names V.
 *
 * 1. U changes its own email with its access token (UpdateUserAttributes). The pool keeps the
 *    original until the new address is verified (keepOriginal, mirrored by the local pool; in AWS
 *    the app client may not even write `email`), so V's grant creates V's own login.
 * 2. The login's email is changed some other way (an administrator, AdminUpdateUserAttributes,
 *    which cognito-local applies at once): V's grant is written (the apply asks no Cognito), and
 *    its outbox worker finds U's login under that email, linked to U's access record: the grant is
 *    taken back — V as it was (no access, no login, its email guard released), the line says why
 *    (`delivery: failed`, `login_in_use`), nothing is mailed.
 * 3. An archived contact's login is adopted by a new contact of its email: whoever knew its former
 *    password signs in while the new contact accepts, or refreshes a session it kept (the acceptance
 *    signs the login out everywhere; locally too, local/cognito-local.cjs). Token times are whole seconds, so the new
 *    access must begin in a later second than the password was replaced in (invitations.ts).
 * 4. A browser signed in before the adoption (or before the login's email moved) keeps Cognito's
 *    hosted-UI session cookie, which no sign-out ends: it gets fresh tokens — a later `iat`, the
 *    `auth_time` of its own sign-in. Such tokens are made here as Cognito would issue them: a real
 *    token of that session, re-signed by cognito-local's key with a fresh `iat` (support/principals.ts).
 */
import { AdminGetUserCommand, AdminUpdateUserAttributesCommand, InitiateAuthCommand, UpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { createContact, invitationTokenIn, PORTAL_PASSWORD, portalUser, reissued, type PortalUser } from './support/principals';
import { adminToken, api, cognito, emails, mailsTo, settled, signIn, stack, uniq } from './support/stack';

jest.setTimeout(90_000);

let companyA: Contact;
let companyB: Contact;
let docB: string;

beforeAll(async () => {
  companyA = await createContact({ kind: 'company', name: uniq('Takeover A') });
  companyB = await createContact({ kind: 'company', name: uniq('Takeover B') });
  docB = uniq('INV-B');
  const put = await api(`/documents/invoice/${docB}`, { method: 'PUT', token: await adminToken(), body: { customerId: companyB.id, name: 'B only' } });
  expect(put.status).toBe(201);
});

const poolUser = async (username: string) => {
  try {
    const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: username }));
    const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
    return { sub: attribute('sub'), email: attribute('email') };
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return undefined;
    throw error;
  }
};

/** U's fresh access token, from its refresh token: what U holds after the grant. */
async function refreshed(user: PortalUser): Promise<string> {
  const out = await cognito().send(
    new InitiateAuthCommand({ ClientId: stack().customerClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: user.tokens.refreshToken ?? '' } }),
  );
  return out.AuthenticationResult?.AccessToken ?? '';
}

/** U, signed in again (refresh), is still U and sees nothing of company B. */
async function expectStillOnlyU(user: PortalUser): Promise<void> {
  for (const token of [user.tokens.accessToken, await refreshed(user)]) {
    const me = await api('/portal/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.contact.id).toBe(user.contact.id);
    expect(me.body.company?.id).toBe(companyA.id);
    expect((await api(`/portal/documents/invoice/${docB}`, { token })).status).toBe(404);
    const listed = await api('/portal/documents?limit=100', { token });
    expect(listed.body.items.map((d: { id: string }) => d.id)).not.toContain(docB);
  }
}

const grantV = async (v: Contact) =>
  api(`/contacts/${companyB.id}/portal-access`, { method: 'POST', token: await adminToken(), body: { lines: [{ contactId: v.id, inPortal: true }] } });

it('a portal user that changes its own email to another contact’s does not get that contact’s login', async () => {
  const u = await portalUser(companyA.id, 'takeover-self');
  const before = await poolUser(u.email);
  const victim = `${uniq('victim-self')}@example.com`;

  await cognito().send(new UpdateUserAttributesCommand({ AccessToken: u.tokens.accessToken, UserAttributes: [{ Name: 'email', Value: victim }] }));
  // The change waits for a verification U cannot give: the login keeps its email.
  expect(await poolUser(u.email)).toEqual(before);
  expect(await poolUser(victim)).toBeUndefined();

  const v = await createContact({ kind: 'person', name: 'Victim V', email: victim, companyId: companyB.id });
  const applied = await grantV(v);
  expect(applied.status).toBe(200);
  expect(applied.body.results).toEqual([expect.objectContaining({ contactId: v.id, outcome: 'granted' })]);
  expect((await settled(companyB.id)).find((l) => l.contactId === v.id)).toMatchObject({ status: 'invited', delivery: 'sent' });
  const vLogin = await poolUser(victim);
  expect(vLogin?.sub).toBeDefined();
  expect(vLogin?.sub).not.toBe(before?.sub);

  // V accepts its own invitation; U, signed in again, is still only U.
  const [mail] = await mailsTo(victim);
  const accepted = await api('/invitations/accept', { method: 'POST', body: { token: invitationTokenIn(mail), password: 'Victim-Own-Pw-1!' } });
  expect(accepted.status).toBe(204);
  await expectStillOnlyU(u);
});

it('a grant never adopts a login that another contact’s access record links: the line fails 409, the contact stays as it was', async () => {
  const u = await portalUser(companyA.id, 'takeover-admin');
  const victim = `${uniq('victim-admin')}@example.com`;
  const uLogin = await poolUser(u.email);
  // The login's email changed outside the backend (cognito-local applies an admin's change at once).
  await cognito().send(
    new AdminUpdateUserAttributesCommand({ UserPoolId: stack().customerUserPoolId, Username: u.email, UserAttributes: [{ Name: 'email', Value: victim }] }),
  );
  expect((await poolUser(victim))?.sub).toBe(uLogin?.sub);

  const v = await createContact({ kind: 'person', name: 'Victim V2', email: victim, companyId: companyB.id });
  const applied = await grantV(v);
  expect(applied.status).toBe(200);
  // The apply only writes; the outbox worker is the one that looks at the pool, and refuses.
  expect(applied.body.results).toEqual([expect.objectContaining({ contactId: v.id, outcome: 'granted', status: 'invited' })]);
  const line = (await settled(companyB.id)).find((l) => l.contactId === v.id);
  expect(line).toMatchObject({ status: 'none', inPortal: false, delivery: 'failed', deliveryError: { code: 'login_in_use', detail: expect.stringContaining("another contact's portal login") } });
  expect((await emails()).filter((m) => m.destination.to.includes(victim))).toEqual([]);
  expect((await poolUser(victim))?.sub).toBe(uLogin?.sub);
  const trail = await api(`/contacts/${v.id}/audit`, { token: await adminToken() });
  expect(trail.body.items.map((i: { action: string }) => i.action)).toEqual(['portal.withdrawn', 'portal.granted']);
  // A repeat is refused the same way.
  expect((await grantV(v)).body.results[0]).toMatchObject({ outcome: 'granted' });
  expect((await settled(companyB.id)).find((l) => l.contactId === v.id)).toMatchObject({ status: 'none', delivery: 'failed', deliveryError: { code: 'login_in_use' } });
  expect((await emails()).filter((m) => m.destination.to.includes(victim))).toEqual([]);
  await expectStillOnlyU(u);
});

it('the login of an archived contact is released with it: a new contact with that email adopts it, and the old tokens stay refused', async () => {
  const old = await portalUser(companyA.id, 'takeover-archived');
  const oldLogin = await poolUser(old.email);
  // Token times are whole seconds: the old token's must be strictly before the new access begins.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  expect((await api(`/contacts/${old.contact.id}`, { method: 'DELETE', token: await adminToken() })).status).toBe(204);
  expect((await api('/portal/me', { token: old.tokens.accessToken })).status).toBe(401);

  const fresh = await createContact({ kind: 'person', name: 'Same mailbox', email: old.email, companyId: companyB.id });
  const applied = await grantV(fresh);
  expect(applied.body.results).toEqual([expect.objectContaining({ contactId: fresh.id, outcome: 'granted' })]);
  await settled(companyB.id);
  // The pool's user under that email was adopted (no second one), enabled again for the new contact.
  expect((await poolUser(old.email))?.sub).toBe(oldLogin?.sub);
  const mail = (await mailsTo(old.email, { count: 2 })).at(-1);
  expect((await api('/invitations/accept', { method: 'POST', body: { token: invitationTokenIn(mail), password: 'Fresh-Contact-Pw-1!' } })).status).toBe(204);

  // The archived contact's token (issued before the new access began) is refused; the new contact's own works.
  expect((await api('/portal/me', { token: old.tokens.accessToken })).status).toBe(401);
  const signedIn = await cognito().send(
    new InitiateAuthCommand({ ClientId: stack().customerClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: old.email, PASSWORD: 'Fresh-Contact-Pw-1!' } }),
  );
  const me = await api('/portal/me', { token: signedIn.AuthenticationResult?.AccessToken ?? '' });
  expect(me.status).toBe(200);
  expect(me.body.contact.id).toBe(fresh.id);
});

it("an adopted login's former refresh token signs no one in: the acceptance ends the login's earlier sessions, locally as in Cognito", async () => {
  const old = await portalUser(companyA.id, 'takeover-refresh');
  expect(old.tokens.refreshToken).toBeDefined();
  expect((await api(`/contacts/${old.contact.id}`, { method: 'DELETE', token: await adminToken() })).status).toBe(204);
  const fresh = await createContact({ kind: 'person', name: 'Same mailbox, refreshing', email: old.email, companyId: companyB.id });
  expect((await grantV(fresh)).body.results).toEqual([expect.objectContaining({ contactId: fresh.id, outcome: 'granted' })]);
  await settled(companyB.id);
  const mail = (await mailsTo(old.email, { count: 2 })).at(-1);
  expect((await api('/invitations/accept', { method: 'POST', body: { token: invitationTokenIn(mail), password: 'Fresh-Refresh-Pw-1!' } })).status).toBe(204);

  // Whoever kept the archived contact's session asks the pool for fresh tokens: refused, so nothing of company B can be read.
  await expect(refreshed(old)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  // The new contact's own session refreshes.
  const own = await signIn('customer', old.email, 'Fresh-Refresh-Pw-1!');
  const me = await api('/portal/me', { token: await refreshed({ ...old, tokens: own }) });
  expect(me.status).toBe(200);
  expect(me.body.contact.id).toBe(fresh.id);
});

it("an adopted login's former password signs no one in to the new contact: not even with a token of the second the invitee accepted in", async () => {
  const old = await portalUser(companyA.id, 'takeover-race');
  expect((await api(`/contacts/${old.contact.id}`, { method: 'DELETE', token: await adminToken() })).status).toBe(204);
  const fresh = await createContact({ kind: 'person', name: 'Same mailbox, racing', email: old.email, companyId: companyB.id });
  expect((await grantV(fresh)).body.results).toEqual([expect.objectContaining({ contactId: fresh.id, outcome: 'granted' })]);
  await settled(companyB.id);
  const invitation = invitationTokenIn((await mailsTo(old.email, { count: 2 })).at(-1));

  // The archived contact's user signs in with the password it knows, again and again, while the new contact accepts:
  // token times are whole seconds, so some of its tokens are of the very second the new access begins in.
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let accepting = true;
  const formerTokens: string[] = [];
  const former = async () => {
    while (accepting) {
      try {
        formerTokens.push((await signIn('customer', old.email, PORTAL_PASSWORD)).accessToken);
      } catch {
        await sleep(5); // the password was replaced
      }
    }
  };
  while (Date.now() % 1000 > 200) await sleep(10); // early in a second: the acceptance's second holds former tokens
  const signingIn = [former(), former()];
  await sleep(100);
  const accepted = await api('/invitations/accept', { method: 'POST', body: { token: invitation, password: 'Fresh-Racing-Pw-1!' } });
  accepting = false;
  await Promise.all(signingIn);
  expect(accepted.status).toBe(204);
  expect(formerTokens.length).toBeGreaterThan(0);

  const answers = await Promise.all(formerTokens.map(async (token) => (await api('/portal/me', { token })).status));
  expect(answers).toEqual(formerTokens.map(() => 401));
  expect((await api(`/portal/documents/invoice/${docB}`, { token: formerTokens.at(-1) })).status).toBe(401);
  // The new contact's own sign-in, right after the answer, is let in.
  const own = await signIn('customer', old.email, 'Fresh-Racing-Pw-1!');
  const me = await api('/portal/me', { token: own.accessToken });
  expect(me.status).toBe(200);
  expect(me.body.contact.id).toBe(fresh.id);
});

describe('a session begun before the login changed hands, renewed by the hosted UI (a fresh `iat`, its own `auth_time`), is refused', () => {
  const epochSeconds = () => Math.floor(Date.now() / 1000);
  /** What the hosted UI's session cookie hands the browser now: the same sign-in (`auth_time`), issued now. */
  const renewed = (token: string) => reissued(token, { iat: epochSeconds(), exp: epochSeconds() + 600 });
  /** The same token, of a sign-in made now: let in, so the refusal above is for its `auth_time` alone. */
  const signedInNow = (token: string) => reissued(token, { iat: epochSeconds(), auth_time: epochSeconds(), exp: epochSeconds() + 600 });

  it('an archived contact’s browser session reads nothing of the contact that adopted its login', async () => {
    const old = await portalUser(companyA.id, 'takeover-cookie');
    // Token times are whole seconds: the old sign-in's must be strictly before the new access begins.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await api(`/contacts/${old.contact.id}`, { method: 'DELETE', token: await adminToken() })).status).toBe(204);
    const fresh = await createContact({ kind: 'person', name: 'Same mailbox, cookie', email: old.email, companyId: companyB.id });
    expect((await grantV(fresh)).body.results).toEqual([expect.objectContaining({ contactId: fresh.id, outcome: 'granted' })]);
    await settled(companyB.id);
    const mail = (await mailsTo(old.email, { count: 2 })).at(-1);
    expect((await api('/invitations/accept', { method: 'POST', body: { token: invitationTokenIn(mail), password: 'Fresh-Cookie-Pw-1!' } })).status).toBe(204);

    const stale = renewed(old.tokens.accessToken);
    const me = await api('/portal/me', { token: stale });
    expect(me.status).toBe(401);
    // Not "Portal access ended": the access lives; signing in again (with the password) helps.
    expect(me.body.title).not.toBe('Portal access ended');
    expect((await api(`/portal/documents/invoice/${docB}`, { token: stale })).status).toBe(401);
    const own = await api('/portal/me', { token: signedInNow(old.tokens.accessToken) });
    expect(own.status).toBe(200);
    expect(own.body.contact.id).toBe(fresh.id);
  });

  it('a browser session begun under the address a login moved away from ends with the move', async () => {
    const user = await portalUser(companyA.id, 'moved-cookie');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const moved = await api(`/contacts/${user.contact.id}`, { method: 'PATCH', token: await adminToken(), body: { email: `${uniq('moved-cookie-new')}@example.com` } });
    expect(moved.status).toBe(200);

    expect((await api('/portal/me', { token: renewed(user.tokens.accessToken) })).status).toBe(401);
    expect((await api('/portal/documents?limit=5', { token: renewed(user.tokens.accessToken) })).status).toBe(401);
    expect((await api('/portal/me', { token: signedInNow(user.tokens.accessToken) })).status).toBe(200);
  });
});
