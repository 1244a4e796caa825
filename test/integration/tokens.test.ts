/**
 * What a token must be, over HTTP against the local stack (whose authorizer checks what API Gateway's
 * JWT authorizer checks in AWS: signature and `kid`, issuer, expiry and `iat`, audience — no route scope): an access token,
 * an ID token being 401 from the function itself (API.md: also in AWS, where API Gateway lets it
 * through), and a staff group matched exactly. Tokens are cognito-local's own, some with claims
 * changed and signed again by its key, as it would issue them.
 */
import { createContact, reissued, portalUser, PORTAL_PASSWORD } from './support/principals';
import { api, createStaffUser, signIn, stack, uniq } from './support/stack';

jest.setTimeout(60_000);

let admin: { accessToken: string; idToken: string };
let member: { accessToken: string };
let customer: { accessToken: string; idToken: string };

beforeAll(async () => {
  admin = await signIn('staff', stack().admin.username, stack().admin.password);
  const name = uniq('member');
  await createStaffUser(name, 'Staff-Member-Pw-1!', { admin: false });
  member = await signIn('staff', name, 'Staff-Member-Pw-1!');
  const company = await createContact({ kind: 'company', name: uniq('Tokens Co') });
  const user = await portalUser(company.id, 'tokens');
  customer = await signIn('customer', user.email, PORTAL_PASSWORD);
});

const staffRoute = '/contacts?limit=1';
const portalRoute = '/portal/me';

describe('access tokens only', () => {
  it('an access token passes whatever its scope (no route requires one, as in AWS): none, the hosted UI’s, Cognito’s own', async () => {
    for (const [path, token] of [
      [staffRoute, admin.accessToken],
      [portalRoute, customer.accessToken],
    ] as const) {
      for (const scope of [undefined, 'openid email profile', 'aws.cognito.signin.user.admin']) {
        const res = await api(path, { token: reissued(token, { scope }) });
        expect({ path, scope, status: res.status }).toEqual({ path, scope, status: 200 });
      }
    }
  });

  it('ID tokens reach the function, which answers 401 problem+json, on every kind of authenticated route, whatever scope they carry', async () => {
    for (const [path, token] of [
      [staffRoute, admin.idToken],
      [portalRoute, customer.idToken],
      [staffRoute, reissued(admin.idToken, { scope: 'aws.cognito.signin.user.admin' })],
      [portalRoute, reissued(customer.idToken, { scope: 'aws.cognito.signin.user.admin' })],
    ] as const) {
      const res = await api(path, { token });
      expect({ path, status: res.status, type: res.headers['content-type'], detail: res.body?.detail }).toEqual({
        path,
        status: 401,
        type: expect.stringMatching(/^application\/problem\+json/),
        detail: 'An access token is required, not an ID token.',
      });
    }
  });

  it('a token issued to another client (its aud, or without one its client_id) is 401 before the function', async () => {
    for (const [path, token] of [
      [staffRoute, reissued(admin.accessToken, { client_id: 'another-client' })],
      [portalRoute, reissued(customer.accessToken, { client_id: 'another-client' })],
      [staffRoute, reissued(admin.idToken, { aud: 'another-client' })],
      [portalRoute, reissued(customer.accessToken, { aud: 'another-client' })],
    ] as const) {
      const res = await api(path, { token });
      expect({ path, status: res.status, detail: res.body?.detail }).toEqual({ path, status: 401, detail: 'The token was issued to another client.' });
    }
  });

  it('a token whose header names no key (`kid`), or issued in the future (`iat`), is 401 before the function, as API Gateway checks both; issued now, it passes', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [path, token] of [
      [staffRoute, admin.accessToken],
      [portalRoute, customer.accessToken],
    ] as const) {
      const noKid = await api(path, { token: reissued(token, {}, { kid: undefined }) });
      expect({ path, status: noKid.status, detail: noKid.body?.detail }).toEqual({ path, status: 401, detail: 'The access token is not valid.' });
      const future = await api(path, { token: reissued(token, { iat: now + 600, auth_time: now + 600 }) });
      expect({ path, status: future.status, detail: future.body?.detail }).toEqual({ path, status: 401, detail: 'The access token is not valid.' });
      const current = await api(path, { token: reissued(token, { iat: now, auth_time: now }) });
      expect({ path, status: current.status }).toEqual({ path, status: 200 });
    }
  });

  it('a token without an expiry (`exp`) is 401 before the function: API Gateway wants `exp` after the current time, which a missing one is not', async () => {
    for (const [path, token] of [
      [staffRoute, admin.accessToken],
      [portalRoute, customer.accessToken],
    ] as const) {
      const noExpiry = await api(path, { token: reissued(token, { exp: undefined }) });
      expect({ path, status: noExpiry.status, detail: noExpiry.body?.detail }).toEqual({ path, status: 401, detail: 'The access token is not valid.' });
    }
  });
});

describe('the staff group is matched exactly', () => {
  it.each([
    [['portal-admins,evil']],
    [['evil,portal-admins']],
    [['Portal-Admins']],
  ])('a token whose groups are %j is 403', async (groups) => {
    const res = await api(staffRoute, { token: reissued(member.accessToken, { 'cognito:groups': groups }) });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('a real portal-admins member among other groups passes', async () => {
    const res = await api(staffRoute, { token: reissued(admin.accessToken, { 'cognito:groups': ['readers', 'portal-admins'] }) });
    expect(res.status).toBe(200);
  });
});
