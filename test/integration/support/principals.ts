/**
 * Every kind of caller the authorization matrix tries, made against the shared local stack:
 *
 * - real portal users made by the real flow (staff apply → emailed link → accept → sign in), one of
 *   company A, one of company B, and one revoked after signing in (its token is still valid in Cognito);
 * - staff: the seeded admin (in `portal-admins`) and a staff user outside that group;
 * - tokens that must never pass: none, garbage, `alg: none`, a tampered signature, an ID token, and
 *   expired access tokens.
 *
 * Expired tokens: cognito-local has no token validity below what its client is configured with and
 * changing the shared stack's clients would disturb the other test files running at the same time.
 * cognito-local signs every token with the key pair shipped in its package
 * (`cognito-local/lib/keys/cognitoLocal.private.json`, published in its JWKS as kid `CognitoLocal`),
 * so an expired token is a real access token of that pool re-signed with that same key and with
 * `iat`/`exp` an hour in the past: exactly what cognito-local itself issued an hour ago, valid in
 * every respect but its expiry.
 */
import { createPrivateKey, sign, type JsonWebKey } from 'node:crypto';
import type { Contact } from '../../../lambdas/contract/schemas/contacts';
import { adminToken, api, createStaffUser, mailsTo, signIn, stack, uniq, type Email, type Tokens } from './stack';

export const PORTAL_PASSWORD = 'Matrix-Portal-Pw-1!';

/** How a principal is expected to be treated: decides the expected status of each route. */
export type PrincipalClass =
  | 'unauthenticated' // no valid access token of any pool
  | 'staff-admin'
  | 'staff-member' // valid staff token, not in portal-admins
  | 'customer-a'
  | 'customer-b'
  | 'customer-revoked';
// No class for an access token without some scope: no route requires one (lambdas/contract/routes.ts; tokens.test.ts).

export interface Principal {
  readonly name: string;
  readonly kind: PrincipalClass;
  /** The Authorization header to send, if any. */
  readonly authorization?: string;
}

export interface PortalUser {
  contact: Contact;
  email: string;
  tokens: Tokens;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const decodePart = (part: string | undefined): Record<string, unknown> => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** The key cognito-local signs every token with (see the file comment). */
function cognitoLocalKey() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { jwk } = require('cognito-local/lib/keys/cognitoLocal.private.json') as { jwk: JsonWebKey };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/**
 * A real token's claims re-signed by cognito-local's own key with another lifetime (`expiresInSeconds`
 * from now; negative: already expired). With a future lifetime the result must pass, which is what
 * shows an expired one fails for its expiry alone.
 */
export function resigned(token: string, { expiresInSeconds }: { expiresInSeconds: number }): string {
  const [header, payload] = token.split('.');
  const claims = decodePart(payload);
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = Math.min(now, now + expiresInSeconds - 3600);
  const body = b64url(JSON.stringify({ ...claims, iat: issuedAt, auth_time: issuedAt, exp: now + expiresInSeconds }));
  const signed = `${header}.${body}`;
  return `${signed}.${b64url(sign('RSA-SHA256', Buffer.from(signed), cognitoLocalKey()))}`;
}

export const expired = (token: string): string => resigned(token, { expiresInSeconds: -3600 });

/**
 * A real token's claims changed (`undefined` drops a claim) and signed again by cognito-local's own key: what it would issue.
 * `headerChanges` change its header the same way (none: the header as it was).
 */
export function reissued(token: string, changes: Record<string, unknown>, headerChanges: Record<string, unknown> = {}): string {
  const [header, payload] = token.split('.');
  const drop = (fields: Record<string, unknown>, changed: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(changed)) if (value === undefined) delete fields[name];
    return fields;
  };
  const claims = drop({ ...decodePart(payload), ...changes }, changes);
  const head = Object.keys(headerChanges).length === 0 ? header : b64url(JSON.stringify(drop({ ...decodePart(header), ...headerChanges }, headerChanges)));
  const signed = `${head}.${b64url(JSON.stringify(claims))}`;
  return `${signed}.${b64url(sign('RSA-SHA256', Buffer.from(signed), cognitoLocalKey()))}`;
}

/** The same claims, unsigned: `alg: none`. */
export function algNone(token: string): string {
  const [, payload] = token.split('.');
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
}

/** A valid token whose payload was changed (a staff group added) after signing: the signature no longer matches. */
export function tampered(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = decodePart(payload);
  return `${header}.${b64url(JSON.stringify({ ...claims, 'cognito:groups': ['portal-admins'] }))}.${signature}`;
}

export const invitationTokenIn = (mail: Email | undefined) => /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];

export async function createContact(body: { kind: 'person' | 'company'; name: string; email?: string; companyId?: string }): Promise<Contact> {
  const res = await api('/contacts', { method: 'POST', body, token: await adminToken() });
  if (res.status !== 201) throw new Error(`POST /contacts → ${res.status} ${res.text}`);
  return res.body as Contact;
}

export async function applyAccess(wizardId: string, contactId: string, inPortal: boolean): Promise<void> {
  const res = await api(`/contacts/${wizardId}/portal-access`, { method: 'POST', token: await adminToken(), body: { lines: [{ contactId, inPortal }] } });
  const outcome = res.body?.results?.[0]?.outcome as string | undefined;
  if (res.status !== 200 || outcome === 'failed') throw new Error(`apply ${contactId} inPortal=${inPortal} → ${res.status} ${res.text}`);
}

/** The real flow: a person of `companyId`, granted by staff, its emailed invitation accepted, signed in. */
export async function portalUser(companyId: string, label: string): Promise<PortalUser> {
  const email = `${uniq(label)}@example.com`;
  const contact = await createContact({ kind: 'person', name: `${label} person`, email, companyId });
  await applyAccess(companyId, contact.id, true);
  // The invitation follows from the outbox within seconds.
  const invitation = invitationTokenIn((await mailsTo(email))[0]);
  if (!invitation) throw new Error(`no invitation mail to ${email}`);
  const accepted = await api('/invitations/accept', { method: 'POST', body: { token: invitation, password: PORTAL_PASSWORD } });
  if (accepted.status !== 204) throw new Error(`accept → ${accepted.status} ${accepted.text}`);
  return { contact, email, tokens: await signIn('customer', email, PORTAL_PASSWORD) };
}

export interface World {
  companyA: Contact;
  companyB: Contact;
  userA: PortalUser;
  userB: PortalUser;
  revoked: PortalUser;
  principals: Principal[];
}

/** Two companies with a portal user each, a revoked portal user, and every principal of the matrix. */
export async function buildWorld(): Promise<World> {
  const admin = await signIn('staff', stack().admin.username, stack().admin.password);
  const memberName = uniq('staff-member');
  const memberPassword = 'Staff-Member-Pw-1!';
  await createStaffUser(memberName, memberPassword, { admin: false });
  const member = await signIn('staff', memberName, memberPassword);

  const companyA = await createContact({ kind: 'company', name: uniq('Company A') });
  const companyB = await createContact({ kind: 'company', name: uniq('Company B') });
  const [userA, userB, revoked] = await Promise.all([portalUser(companyA.id, 'user-a'), portalUser(companyB.id, 'user-b'), portalUser(companyA.id, 'revoked')]);
  await applyAccess(companyA.id, revoked.contact.id, false);

  const bearer = (token: string) => `Bearer ${token}`;
  const principals: Principal[] = [
    { name: 'no token', kind: 'unauthenticated' },
    { name: 'empty bearer', kind: 'unauthenticated', authorization: 'Bearer ' },
    { name: 'garbage token', kind: 'unauthenticated', authorization: bearer('not.a.jwt') },
    { name: 'basic auth', kind: 'unauthenticated', authorization: `Basic ${b64url('admin:x')}` },
    { name: 'alg:none staff token', kind: 'unauthenticated', authorization: bearer(algNone(admin.accessToken)) },
    { name: 'alg:none customer token', kind: 'unauthenticated', authorization: bearer(algNone(userA.tokens.accessToken)) },
    { name: 'tampered staff token', kind: 'unauthenticated', authorization: bearer(tampered(member.accessToken)) },
    { name: 'expired staff admin token', kind: 'unauthenticated', authorization: bearer(expired(admin.accessToken)) },
    { name: 'expired customer token', kind: 'unauthenticated', authorization: bearer(expired(userA.tokens.accessToken)) },
    { name: 'staff admin ID token', kind: 'unauthenticated', authorization: bearer(admin.idToken) },
    { name: 'customer ID token', kind: 'unauthenticated', authorization: bearer(userA.tokens.idToken) },
    { name: 'staff admin', kind: 'staff-admin', authorization: bearer(admin.accessToken) },
    { name: 'staff not in portal-admins', kind: 'staff-member', authorization: bearer(member.accessToken) },
    { name: 'portal user of company A', kind: 'customer-a', authorization: bearer(userA.tokens.accessToken) },
    { name: 'portal user of company B', kind: 'customer-b', authorization: bearer(userB.tokens.accessToken) },
    { name: 'revoked portal user', kind: 'customer-revoked', authorization: bearer(revoked.tokens.accessToken) },
  ];
  return { companyA, companyB, userA, userB, revoked, principals };
}
