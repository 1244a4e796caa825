/**
 * The local stand-in of Cognito's hosted UI, for both pools: `/oauth2/authorize` (a sign-in form that
 * signs in against cognito-local with USER_PASSWORD_AUTH), `/oauth2/token` (authorization code +
 * PKCE S256, refresh token), `/logout`, and each pool's OIDC discovery document
 * (`/<poolId>/.well-known/openid-configuration`). It hands out cognito-local's own tokens, so the
 * pages run the same sign-in code as against Cognito in AWS.
 *
 * `/oauth2/revoke` ends a refresh token (the pages revoke theirs on sign-out).
 *
 * What it holds to, as Cognito does: redirect and logout URIs must be among the client's configured
 * ones, exactly (an unknown one is an error page, never a redirect); a code is single-use, lives
 * 60 s, and is bound to its client, redirect URI and PKCE challenge; a disabled user cannot sign in.
 * A sign-in leaves a session (an HttpOnly cookie per pool, 1 hour) that signs the next authorization
 * in without the form, until `/logout` ends it — unless the request asks `prompt=login` (OpenID
 * Connect; Cognito's managed login too): then the form, whatever session there is.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RevokeTokenCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { errorPage, HOSTED_UI_CSS, signInPage } from './hosted-ui-page';

export interface HostedUiClient {
  readonly poolName: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly usernameLabel: 'Email' | 'Username';
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
}

export interface HostedUiConfig {
  /** The stand-in's own base URL (`hostedUiUrl`). */
  readonly url: string;
  readonly cognitoEndpoint: string;
  readonly region: string;
  readonly clients: readonly HostedUiClient[];
  readonly quiet?: boolean;
}

const CODE_TTL_MS = 60_000;
/** Unredeemed codes and live sessions kept at most (the oldest go first): memory does not grow with sign-ins. */
const MAX_KEPT = 10_000;
const SESSION_TTL_MS = 60 * 60_000;
const MAX_FORM_BYTES = 16 * 1024;
const PKCE = /^[A-Za-z0-9._~-]{43,128}$/;
const CSRF_COOKIE = 'hosted_ui_csrf';
const WRONG_CREDENTIALS = 'Incorrect username or password.';

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly tokens: AuthenticationResultType;
  readonly expiresAt: number;
}

interface Session {
  readonly userPoolId: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

const random = () => randomBytes(32).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const sessionCookie = (userPoolId: string) => `hosted_ui_session_${userPoolId.replace(/[^A-Za-z0-9_]/g, '_')}`;

function cookies(req: IncomingMessage): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name) jar[name] = value.join('=');
  }
  return jar;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '') ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : undefined));
    req.on('error', reject);
  });
}

/** The `exp` of a JWT (seconds), read without verifying: these tokens come straight from cognito-local. */
function expiresIn(jwt: string | undefined): number {
  try {
    const payload = JSON.parse(Buffer.from(jwt?.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
    return Math.max(0, (payload.exp ?? 0) - Math.floor(Date.now() / 1000));
  } catch {
    return 0;
  }
}

export function createHostedUi(config: HostedUiConfig): http.Server {
  const cognito = new CognitoIdentityProviderClient({ region: config.region, endpoint: config.cognitoEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const codes = new Map<string, PendingCode>();
  const sessions = new Map<string, Session>();
  const clientOf = (id: string | null) => config.clients.find((c) => c.clientId === id);
  const issuerOf = (c: HostedUiClient) => `${config.cognitoEndpoint}/${c.userPoolId}`;
  const allowedOrigins = new Set(config.clients.flatMap((c) => c.callbackUrls.map((u) => new URL(u).origin)));

  const sweep = () => {
    const now = Date.now();
    for (const map of [codes, sessions] as Map<string, { expiresAt: number }>[]) {
      for (const [key, value] of map) if (value.expiresAt < now) map.delete(key);
      // Maps iterate in insertion order: the first keys are the oldest.
      for (const key of map.keys()) {
        if (map.size <= MAX_KEPT) break;
        map.delete(key);
      }
    }
  };

  /** Cognito refuses a disabled user; cognito-local does not, so the stand-in asks. */
  async function enabled(client: HostedUiClient, accessToken: string | undefined): Promise<boolean> {
    const username = (() => {
      try {
        return (JSON.parse(Buffer.from(accessToken?.split('.')[1] ?? '', 'base64url').toString('utf8')) as { username?: string }).username;
      } catch {
        return undefined;
      }
    })();
    if (!username) return false;
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: client.userPoolId, Username: username }));
    return user.Enabled !== false;
  }

  async function refresh(client: HostedUiClient, refreshToken: string): Promise<AuthenticationResultType | undefined> {
    try {
      const answer = await cognito.send(new InitiateAuthCommand({ ClientId: client.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }));
      const tokens = answer.AuthenticationResult;
      return tokens?.AccessToken && (await enabled(client, tokens.AccessToken)) ? { ...tokens, RefreshToken: refreshToken } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Back to the client with a fresh code for these tokens. */
  function redirectWithCode(res: ServerResponse, client: HostedUiClient, request: URLSearchParams, tokens: AuthenticationResultType, extraHeaders: Record<string, string | string[]> = {}) {
    const code = random();
    codes.set(code, {
      clientId: client.clientId,
      redirectUri: request.get('redirect_uri')!,
      challenge: request.get('code_challenge')!,
      tokens,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const target = new URL(request.get('redirect_uri')!);
    target.searchParams.set('code', code);
    if (request.get('state')) target.searchParams.set('state', request.get('state')!);
    res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', ...extraHeaders });
    res.end();
  }

  /** The authorization request checked as Cognito does; an answer already sent when it is not usable. */
  function checkAuthorization(res: ServerResponse, request: URLSearchParams): HostedUiClient | undefined {
    const client = clientOf(request.get('client_id'));
    const redirectUri = request.get('redirect_uri') ?? '';
    // Nothing is redirected anywhere unless the client and its redirect URI are known: no open redirect.
    if (!client || !client.callbackUrls.includes(redirectUri)) {
      html(res, 400, errorPage('Unknown client, or a redirect URI that is not one of the client’s callback URLs.'), [], undefined);
      return undefined;
    }
    const fail = (error: string) => {
      const target = new URL(redirectUri);
      target.searchParams.set('error', error);
      if (request.get('state')) target.searchParams.set('state', request.get('state')!);
      res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
      res.end();
      return undefined;
    };
    if (request.get('response_type') !== 'code') return fail('unsupported_response_type');
    if (request.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(request.get('code_challenge') ?? '')) return fail('invalid_request');
    if ((request.get('state') ?? '').length > 2048) return fail('invalid_request');
    return client;
  }

  function html(res: ServerResponse, status: number, body: string, setCookies: string[], formTarget: string | undefined) {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The form posts here and is then redirected to the client's callback: form-action must allow both.
      'content-security-policy': `default-src 'none'; style-src 'self'; form-action 'self'${formTarget ? ` ${formTarget}` : ''}; frame-ancestors 'none'; base-uri 'none'`,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      ...(setCookies.length ? { 'set-cookie': setCookies } : {}),
    });
    res.end(body);
  }

  function showForm(res: ServerResponse, client: HostedUiClient, request: URLSearchParams, extra: { error?: string; username?: string } = {}) {
    const csrf = random();
    const hidden: Record<string, string> = { csrf };
    for (const name of ['client_id', 'redirect_uri', 'response_type', 'state', 'scope', 'code_challenge', 'code_challenge_method', 'nonce']) {
      const value = request.get(name);
      if (value !== null) hidden[name] = value;
    }
    html(res, 200, signInPage({ poolName: client.poolName, usernameLabel: client.usernameLabel, hidden, ...extra }), [`${CSRF_COOKIE}=${csrf}; Path=/oauth2/authorize; HttpOnly; SameSite=Strict`], new URL(request.get('redirect_uri')!).origin);
  }

  async function authorizeGet(req: IncomingMessage, res: ServerResponse, url: URL) {
    const client = checkAuthorization(res, url.searchParams);
    if (!client) return;
    const name = sessionCookie(client.userPoolId);
    const sessionId = cookies(req)[name];
    const session = sessionId ? sessions.get(sessionId) : undefined;
    // `prompt=login`: the page wants a sign-in of now (the API refused a session begun before), not the session's tokens.
    const reauthenticate = (url.searchParams.get('prompt') ?? '').split(' ').includes('login');
    if (session && !reauthenticate && session.userPoolId === client.userPoolId && session.expiresAt > Date.now()) {
      const tokens = await refresh(client, session.refreshToken);
      if (tokens) return redirectWithCode(res, client, url.searchParams, tokens);
      sessions.delete(sessionId!);
    }
    showForm(res, client, url.searchParams);
  }

  async function passwordSignIn(client: HostedUiClient, username: string, password: string): Promise<AuthenticationResultType | undefined> {
    try {
      const answer = await cognito.send(new InitiateAuthCommand({ ClientId: client.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
      return answer.AuthenticationResult;
    } catch {
      return undefined; // a wrong password and an unknown user read the same
    }
  }

  async function authorizePost(req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    if (!form) return html(res, 400, errorPage('A sign-in form was expected.'), [], undefined);
    const client = checkAuthorization(res, form);
    if (!client) return;
    const csrf = cookies(req)[CSRF_COOKIE];
    if (!csrf || !sameText(csrf, form.get('csrf') ?? '')) return showForm(res, client, form, { error: 'The sign-in form expired. Please try again.' });
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    // Both pools sign in case-insensitively in AWS (`signInCaseSensitive: false`); cognito-local
    // matches the username exactly, so the name as typed is tried, then in lower case (how the
    // backend stores a login's email).
    let tokens: AuthenticationResultType | undefined;
    for (const name of new Set([username, username.toLowerCase()])) {
      tokens = await passwordSignIn(client, name, password);
      if (tokens) break;
    }
    if (!tokens?.AccessToken || !tokens.IdToken || !tokens.RefreshToken) return showForm(res, client, form, { error: WRONG_CREDENTIALS, username });
    if (!(await enabled(client, tokens.AccessToken))) return showForm(res, client, form, { error: 'This user is disabled.', username });
    const sessionId = random();
    sessions.set(sessionId, { userPoolId: client.userPoolId, refreshToken: tokens.RefreshToken, expiresAt: Date.now() + SESSION_TTL_MS });
    redirectWithCode(res, client, form, tokens, {
      'set-cookie': [`${sessionCookie(client.userPoolId)}=${sessionId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`, `${CSRF_COOKIE}=; Path=/oauth2/authorize; Max-Age=0`],
    });
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const origin = req.headers.origin;
    const cors: Record<string, string> = origin && allowedOrigins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...cors });
      res.end(JSON.stringify(body));
    };
    const form = await readForm(req);
    if (!form) return answer(400, { error: 'invalid_request' });
    const client = clientOf(form.get('client_id'));
    if (!client) return answer(400, { error: 'invalid_client' });

    if (form.get('grant_type') === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // single use, whatever follows
      const verifier = form.get('code_verifier') ?? '';
      const valid =
        pending !== undefined &&
        pending.expiresAt > Date.now() &&
        pending.clientId === client.clientId &&
        pending.redirectUri === form.get('redirect_uri') &&
        PKCE.test(verifier) &&
        sameText(s256(verifier), pending.challenge);
      if (!valid) return answer(400, { error: 'invalid_grant' });
      const t = pending.tokens;
      return answer(200, { access_token: t.AccessToken, id_token: t.IdToken, refresh_token: t.RefreshToken, token_type: 'Bearer', expires_in: expiresIn(t.AccessToken) });
    }
    if (form.get('grant_type') === 'refresh_token') {
      const tokens = await refresh(client, form.get('refresh_token') ?? '');
      if (!tokens) return answer(400, { error: 'invalid_grant' });
      // No new ID token: cognito-local's would carry a new auth_time, which an OIDC client rightly refuses on a refresh.
      return answer(200, { access_token: tokens.AccessToken, token_type: 'Bearer', expires_in: expiresIn(tokens.AccessToken) });
    }
    return answer(400, { error: 'unsupported_grant_type' });
  }

  /**
   * `/oauth2/revoke`: a refresh token (and what it issued) ends, as Cognito's endpoint does for a
   * client with token revocation on; an unknown token is no error (RFC 7009), a wrong client is.
   */
  async function revoke(req: IncomingMessage, res: ServerResponse) {
    const origin = req.headers.origin;
    const cors: Record<string, string> = origin && allowedOrigins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
    const answer = (status: number, body?: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors });
      res.end(body ? JSON.stringify(body) : undefined);
    };
    const form = await readForm(req);
    if (!form || !form.get('token')) return answer(400, { error: 'invalid_request' });
    const client = clientOf(form.get('client_id'));
    if (!client) return answer(400, { error: 'invalid_client' });
    try {
      await cognito.send(new RevokeTokenCommand({ ClientId: client.clientId, Token: form.get('token')! }));
    } catch {
      // Unknown, already revoked, another client's: nothing to end.
    }
    for (const [id, session] of sessions) if (session.refreshToken === form.get('token')) sessions.delete(id);
    return answer(200);
  }

  function logout(req: IncomingMessage, res: ServerResponse, url: URL) {
    const client = clientOf(url.searchParams.get('client_id'));
    const target = url.searchParams.get('logout_uri') ?? '';
    if (!client || !client.logoutUrls.includes(target)) return html(res, 400, errorPage('Unknown client, or a logout URI that is not one of the client’s sign-out URLs.'), [], undefined);
    const name = sessionCookie(client.userPoolId);
    const sessionId = cookies(req)[name];
    if (sessionId) sessions.delete(sessionId);
    res.writeHead(302, { location: target, 'cache-control': 'no-store', 'set-cookie': `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    res.end();
  }

  function discovery(res: ServerResponse, client: HostedUiClient) {
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(
      JSON.stringify({
        issuer: issuerOf(client),
        authorization_endpoint: `${config.url}/oauth2/authorize`,
        token_endpoint: `${config.url}/oauth2/token`,
        end_session_endpoint: `${config.url}/logout`,
        revocation_endpoint: `${config.url}/oauth2/revoke`,
        jwks_uri: `${issuerOf(client)}/.well-known/jwks.json`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['openid', 'email', 'profile'],
      }),
    );
  }

  /** Its root, which the stack's banner prints: what it is and where sign-in starts (the apps send you here). */
  function about(res: ServerResponse) {
    const apps = [...new Set(config.clients.flatMap((c) => c.callbackUrls.map((u) => `  ${c.poolName}: ${new URL(u).origin}`)))];
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      [
        "The local stand-in for Cognito's hosted UI (both pools). Sign in from an app, which sends you to /oauth2/authorize:",
        ...apps,
        `Discovery: ${config.url}/<userPoolId>/.well-known/openid-configuration`,
        '',
      ].join('\n'),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    sweep();
    const url = new URL(req.url ?? '/', config.url);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /oauth2/authorize') return authorizeGet(req, res, url);
    if (route === 'POST /oauth2/authorize') return authorizePost(req, res);
    if (route === 'POST /oauth2/token') return token(req, res);
    if (route === 'POST /oauth2/revoke') return revoke(req, res);
    if (route === 'OPTIONS /oauth2/token' || route === 'OPTIONS /oauth2/revoke') {
      const origin = req.headers.origin;
      res.writeHead(204, origin && allowedOrigins.has(origin) ? { 'access-control-allow-origin': origin, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, authorization', vary: 'Origin' } : { vary: 'Origin' });
      return void res.end();
    }
    if (route === 'GET /logout') return logout(req, res, url);
    if (route === 'GET /hosted-ui.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
      return void res.end(HOSTED_UI_CSS);
    }
    if (route === 'GET /') return about(res);
    const pool = /^\/([^/]+)\/\.well-known\/openid-configuration$/.exec(url.pathname);
    const client = pool && req.method === 'GET' ? config.clients.find((c) => c.userPoolId === pool[1]) : undefined;
    if (client) return discovery(res, client);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
  }

  return http.createServer((req, res) => {
    handle(req, res)
      .catch((error: unknown) => {
        console.error('hosted UI stand-in: request failed', error);
        if (!res.headersSent) html(res, 500, errorPage('Something went wrong. Please try again.'), [], undefined);
      })
      .finally(() => {
        if (!config.quiet) console.log(`hosted-ui ${req.method} ${req.url?.split('?')[0]} → ${res.statusCode}`);
      });
  });
}
