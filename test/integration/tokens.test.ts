/**
 * What a token must be, over HTTP against the local stack (whose authorizer applies the same route
 * scopes as API Gateway in AWS, `scopesOf` in lambdas/contract/routes.ts): an access token with the scope every
 * authenticated route requires — an ID token has none — and a staff group matched exactly. Tokens
 * are cognito-local's own, some with claims changed and signed again by its key, as it would issue them.
 */
import { ACCESS_TOKEN_SCOPE } from '../../lambdas/contract/routes';
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
  it('the tokens cognito-local issues carry the scope the routes require', () => {
    const scopeOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).scope as string;
    expect(scopeOf(admin.accessToken).split(' ')).toContain(ACCESS_TOKEN_SCOPE);
    expect(scopeOf(customer.accessToken).split(' ')).toContain(ACCESS_TOKEN_SCOPE);
  });

  it('an access token without that scope is refused (403, insufficient scope, as API Gateway answers); signed again with it, it passes', async () => {
    for (const [path, token] of [
      [staffRoute, admin.accessToken],
      [portalRoute, customer.accessToken],
    ] as const) {
      const without = await api(path, { token: reissued(token, { scope: undefined }) });
      expect({ path, status: without.status }).toEqual({ path, status: 403 });
      expect(without.headers['www-authenticate']).toContain('insufficient_scope');
      const other = await api(path, { token: reissued(token, { scope: 'openid email' }) });
      expect({ path, status: other.status }).toEqual({ path, status: 403 });
      const kept = await api(path, { token: reissued(token, {}) });
      expect({ path, status: kept.status }).toEqual({ path, status: 200 });
    }
  });

  it('ID tokens are 401 on every kind of authenticated route, even with the scope added', async () => {
    for (const [path, token] of [
      [staffRoute, admin.idToken],
      [portalRoute, customer.idToken],
      [staffRoute, reissued(admin.idToken, { scope: ACCESS_TOKEN_SCOPE })],
      [portalRoute, reissued(customer.idToken, { scope: ACCESS_TOKEN_SCOPE })],
    ] as const) {
      const res = await api(path, { token });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
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
