/**
 * The hosted-UI stand-in over HTTP, as an attacker would try it: redirect and logout URIs only from
 * the client's list (never an open redirect), PKCE S256 required and checked, codes single-use and
 * bound to client and redirect URI, the sign-in form protected against cross-site posts, a disabled
 * user refused, the session ended by /logout — and the tokens it hands out are the API's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AdminDisableUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createPortalUser } from './support/portal-users';
import { api, cognito, stack, uniq } from './support/stack';

const PASSWORD = 'Hosted-Ui-Test-Pw-3!';

interface Client {
  clientId: string;
  callback: string;
  logout: string;
}
const customer = (): Client => ({ clientId: stack().customerClientId, callback: `${stack().portalUrl}/callback`, logout: `${stack().portalUrl}/` });
const staffClient = (): Client => ({ clientId: stack().staffClientId, callback: 'http://localhost:5173/callback', logout: 'http://localhost:5173/' });

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

const hostedUi = (path: string, init: RequestInit = {}) => fetch(stack().hostedUiUrl + path, { redirect: 'manual', ...init });
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

function authorizeQuery(client: Client, challenge: string, extra: Record<string, string> = {}) {
  return new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: client.callback, state: 'st-1', scope: 'openid email', code_challenge: challenge, code_challenge_method: 'S256', ...extra }).toString();
}

/** The form, then the credentials: the answer to the POST (a redirect with a code when they were right). */
async function signIn(client: Client, username: string, password: string, challenge: string, cookies: string[] = []): Promise<Response> {
  const page = await hostedUi(`/oauth2/authorize?${authorizeQuery(client, challenge)}`, { headers: { cookie: cookies.join('; ') } });
  expect(page.status).toBe(200);
  const html = await page.text();
  const csrf = cookieOf(page, 'hosted_ui_csrf')!;
  const fields: Record<string, string> = { username, password };
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'state', 'scope', 'code_challenge', 'code_challenge_method', 'csrf']) fields[name] = hidden(html, name);
  return hostedUi('/oauth2/authorize', { ...form(fields), headers: { ...form(fields).headers, cookie: [csrf, ...cookies].join('; ') } });
}

const codeOf = (res: Response) => new URL(res.headers.get('location')!).searchParams.get('code')!;
const exchange = (client: Client, code: string, verifier: string, redirectUri = client.callback) =>
  hostedUi('/oauth2/token', form({ grant_type: 'authorization_code', client_id: client.clientId, code, code_verifier: verifier, redirect_uri: redirectUri }));

let email: string;

beforeAll(async () => {
  email = `${uniq('hui')}@example.com`;
  await createPortalUser({ name: 'Hosted UI user', email });
  await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId: stack().customerUserPoolId, Username: email, Password: PASSWORD, Permanent: true }));
});

describe('the hosted-UI stand-in', () => {
  test('publishes an OIDC discovery document per pool, naming cognito-local as issuer and itself as the endpoints', async () => {
    for (const pool of [stack().customerUserPoolId, stack().staffUserPoolId]) {
      const doc = (await (await hostedUi(`/${pool}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc).toMatchObject({
        issuer: `${stack().cognitoEndpoint}/${pool}`,
        authorization_endpoint: `${stack().hostedUiUrl}/oauth2/authorize`,
        token_endpoint: `${stack().hostedUiUrl}/oauth2/token`,
        code_challenge_methods_supported: ['S256'],
      });
    }
    expect((await hostedUi('/local_unknown/.well-known/openid-configuration')).status).toBe(404);
  });

  test('its root (the address the stack prints) says what it is and where sign-in starts, not 404', async () => {
    const res = await hostedUi('/');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('/oauth2/authorize');
    expect(text).toContain(new URL(stack().portalUrl!).origin);
    expect(text).toContain(new URL(stack().adminUrl!).origin);
  });

  test('never redirects to a URI that is not one of the client’s: an error page instead', async () => {
    const { challenge } = pkce();
    for (const query of [
      authorizeQuery(customer(), challenge, { redirect_uri: 'https://evil.example.com/callback' }),
      authorizeQuery(customer(), challenge, { redirect_uri: `${stack().portalUrl}/callback/../evil` }),
      authorizeQuery(customer(), challenge, { client_id: 'unknown-client' }),
      // The staff client may not return to the portal, nor the other way round.
      authorizeQuery(staffClient(), challenge, { redirect_uri: customer().callback }),
    ]) {
      const res = await hostedUi(`/oauth2/authorize?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const logout = await hostedUi(`/logout?client_id=${customer().clientId}&logout_uri=${encodeURIComponent('https://evil.example.com/')}`);
    expect(logout.status).toBe(400);
    expect(logout.headers.get('location')).toBeNull();
  });

  test('requires PKCE with S256 (the error goes back to the known redirect URI)', async () => {
    for (const extra of [{ code_challenge_method: 'plain' }, { code_challenge: 'short' }] as Record<string, string>[]) {
      const res = await hostedUi(`/oauth2/authorize?${authorizeQuery(customer(), pkce().challenge, extra)}`);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(customer().callback);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('code')).toBeNull();
    }
  });

  test('the sign-in form: no script, a CSP, and a post from elsewhere (no CSRF cookie) signs nobody in', async () => {
    const page = await hostedUi(`/oauth2/authorize?${authorizeQuery(customer(), pkce().challenge)}`);
    const html = await page.text();
    expect(html).toContain('<label for="username">Email</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).not.toContain('<script');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const fields: Record<string, string> = { username: email, password: PASSWORD, csrf: hidden(html, 'csrf') };
    for (const name of ['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method']) fields[name] = hidden(html, name);
    const forged = await hostedUi('/oauth2/authorize', form(fields));
    expect(forged.status).toBe(200);
    expect(forged.headers.get('location')).toBeNull();
    expect(await forged.text()).toContain('expired');
  });

  test('a wrong password and an unknown user read the same; neither gets a code', async () => {
    for (const [username, password] of [[email, 'Wrong-Password-1!'], [`${uniq('nobody')}@example.com`, PASSWORD]] as const) {
      const res = await signIn(customer(), username, password, pkce().challenge);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Incorrect username or password.');
    }
  });

  test('an email or username typed in another case signs in, as both pools do in AWS (signInCaseSensitive: false)', async () => {
    const customerPkce = pkce();
    const customerSignIn = await signIn(customer(), `  ${email.toUpperCase()} `, PASSWORD, customerPkce.challenge);
    expect(customerSignIn.status).toBe(302);
    const customerTokens = (await (await exchange(customer(), codeOf(customerSignIn), customerPkce.verifier)).json()) as { access_token: string };
    expect((await api('/portal/me', { token: customerTokens.access_token })).status).toBe(200);

    const staffPkce = pkce();
    const staffSignIn = await signIn(staffClient(), stack().admin.username.toUpperCase(), stack().admin.password, staffPkce.challenge);
    expect(staffSignIn.status).toBe(302);
    const staffTokens = (await (await exchange(staffClient(), codeOf(staffSignIn), staffPkce.verifier)).json()) as { access_token: string };
    expect((await api('/contacts?limit=1', { token: staffTokens.access_token })).status).toBe(200);
    // Only the case is forgiven: the password is still checked.
    expect(await (await signIn(customer(), email.toUpperCase(), 'Wrong-Password-1!', pkce().challenge)).text()).toContain('Incorrect username or password.');
  });

  test('a code is single-use and bound to its PKCE verifier, client and redirect URI; its tokens are the API’s', async () => {
    const { verifier, challenge } = pkce();
    // A wrong verifier burns the code: the right one cannot use it afterwards.
    const burned = codeOf(await signIn(customer(), email, PASSWORD, challenge));
    expect((await exchange(customer(), burned, pkce().verifier)).status).toBe(400);
    expect((await exchange(customer(), burned, verifier)).status).toBe(400);
    // Another redirect URI, another client: refused.
    expect((await exchange(customer(), codeOf(await signIn(customer(), email, PASSWORD, challenge)), verifier, `${stack().portalUrl}/other`)).status).toBe(400);
    expect((await exchange(staffClient(), codeOf(await signIn(customer(), email, PASSWORD, challenge)), verifier)).status).toBe(400);

    const signedIn = await signIn(customer(), email, PASSWORD, challenge);
    expect(signedIn.status).toBe(302);
    expect(new URL(signedIn.headers.get('location')!).searchParams.get('state')).toBe('st-1');
    const code = codeOf(signedIn);
    const res = await exchange(customer(), code, verifier);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; id_token: string; refresh_token: string; token_type: string; expires_in: number };
    expect(tokens).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), id_token: expect.any(String), refresh_token: expect.any(String) });
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect((await api('/portal/me', { token: tokens.access_token })).status).toBe(200);
    expect((await exchange(customer(), code, verifier)).status).toBe(400);

    const refreshed = await hostedUi('/oauth2/token', form({ grant_type: 'refresh_token', client_id: customer().clientId, refresh_token: tokens.refresh_token }));
    expect(refreshed.status).toBe(200);
    const renewed = (await refreshed.json()) as { access_token: string };
    expect((await api('/portal/me', { token: renewed.access_token })).status).toBe(200);
  });

  test('/oauth2/revoke ends a refresh token, for the page’s origin (CORS); an unknown token is no error, an unknown client is', async () => {
    const { verifier, challenge } = pkce();
    const tokens = (await (await exchange(customer(), codeOf(await signIn(customer(), email, PASSWORD, challenge)), verifier)).json()) as { refresh_token: string };
    const renew = () => hostedUi('/oauth2/token', form({ grant_type: 'refresh_token', client_id: customer().clientId, refresh_token: tokens.refresh_token }));
    expect((await renew()).status).toBe(200);
    const origin = new URL(stack().portalUrl).origin;
    const preflight = await hostedUi('/oauth2/revoke', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    const revoked = await hostedUi('/oauth2/revoke', { ...form({ token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: customer().clientId }), headers: { 'content-type': 'application/x-www-form-urlencoded', origin } });
    expect(revoked.status).toBe(200);
    expect(revoked.headers.get('access-control-allow-origin')).toBe(origin);
    const refused = await renew();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'invalid_grant' });
    // Again, or a made-up token: 200 (RFC 7009). An unknown client: 400.
    expect((await hostedUi('/oauth2/revoke', form({ token: tokens.refresh_token, client_id: customer().clientId }))).status).toBe(200);
    expect((await hostedUi('/oauth2/revoke', form({ token: 'made-up', client_id: customer().clientId }))).status).toBe(200);
    const unknown = await hostedUi('/oauth2/revoke', form({ token: 'made-up', client_id: 'nobody' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'invalid_client' });
  });

  test('a sign-in leaves a session that signs the next authorization in without the form, until /logout ends it', async () => {
    const signedIn = await signIn(customer(), email, PASSWORD, pkce().challenge);
    const session = cookieOf(signedIn, `hosted_ui_session_${stack().customerUserPoolId}`)!;
    expect(session).toBeDefined();
    const again = await hostedUi(`/oauth2/authorize?${authorizeQuery(customer(), pkce().challenge)}`, { headers: { cookie: session } });
    expect(again.status).toBe(302);
    expect(codeOf(again)).toBeTruthy();

    const out = await hostedUi(`/logout?client_id=${customer().clientId}&logout_uri=${encodeURIComponent(customer().logout)}`, { headers: { cookie: session } });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe(customer().logout);
    const afterwards = await hostedUi(`/oauth2/authorize?${authorizeQuery(customer(), pkce().challenge)}`, { headers: { cookie: session } });
    expect(afterwards.status).toBe(200);
  });

  test('prompt=login asks for the password although a session is on; signed in again, the session signs in as before', async () => {
    const signedIn = await signIn(customer(), email, PASSWORD, pkce().challenge);
    const session = cookieOf(signedIn, `hosted_ui_session_${stack().customerUserPoolId}`)!;
    const forced = await hostedUi(`/oauth2/authorize?${authorizeQuery(customer(), pkce().challenge, { prompt: 'login' })}`, { headers: { cookie: session } });
    expect(forced.status).toBe(200);
    expect(await forced.text()).toContain('<label for="password">Password</label>');
    const silent = await hostedUi(`/oauth2/authorize?${authorizeQuery(customer(), pkce().challenge)}`, { headers: { cookie: session } });
    expect(silent.status).toBe(302);
    expect(codeOf(silent)).toBeTruthy();
  });

  test('the staff pool signs in by username through its own client; its token is a staff token', async () => {
    const { verifier, challenge } = pkce();
    const page = await hostedUi(`/oauth2/authorize?${authorizeQuery(staffClient(), challenge)}`);
    expect(await page.text()).toContain('<label for="username">Username</label>');
    const signedIn = await signIn(staffClient(), stack().admin.username, stack().admin.password, challenge);
    const tokens = (await (await exchange(staffClient(), codeOf(signedIn), verifier)).json()) as { access_token: string };
    expect((await api('/contacts?limit=1', { token: tokens.access_token })).status).toBe(200);
    expect((await api('/portal/me', { token: tokens.access_token })).status).toBe(401);
  });

  test('a disabled user cannot sign in (cognito-local would let it; Cognito does not)', async () => {
    const disabled = `${uniq('off')}@example.com`;
    await createPortalUser({ name: 'Disabled user', email: disabled });
    await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId: stack().customerUserPoolId, Username: disabled, Password: PASSWORD, Permanent: true }));
    await cognito().send(new AdminDisableUserCommand({ UserPoolId: stack().customerUserPoolId, Username: disabled }));
    const res = await signIn(customer(), disabled, PASSWORD, pkce().challenge);
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('This user is disabled.');
  });
});
