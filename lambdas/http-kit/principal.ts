import type { Principal as PrincipalKind } from '../contract/routes';
import { STAFF_GROUP, staffActor } from '../contract/identity';
import { HttpError } from './problem';

/** Who is calling, from the claims that API Gateway's JWT authorizer (or the local stack) verified. */
export type Principal =
  | { kind: 'staff'; userId: string; username: string }
  | {
      kind: 'customer';
      sub: string;
      username: string;
      /** The token's `iat`, epoch seconds. */
      issuedAt: number;
      /** The token's `auth_time`, epoch seconds: when the sign-in its session began with took place (kept across refreshes and hosted-UI sessions). */
      authTime?: number;
    }
  | { kind: 'public' };

type Claims = Record<string, unknown>;

/**
 * `cognito:groups` arrives as an array, or as API Gateway's `[a b]` string rendering of one. Cognito
 * group names cannot contain white space, but they can contain commas and brackets: so the string is
 * split on white space only, after the one pair of brackets around it, and each name is compared
 * exactly (`portal-admins,evil` is not `portal-admins`).
 */
export function groupsOf(claims: Claims): string[] {
  const raw = claims['cognito:groups'];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  const list = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  return list.split(/\s+/).filter(Boolean);
}

const unauthorized = (detail: string) => new HttpError('unauthenticated', detail);

/** A time claim (`iat`, `auth_time`): a number, or API Gateway's string rendering of one. */
function epochSecondsOf(claim: unknown): number | undefined {
  const value = typeof claim === 'number' ? claim : typeof claim === 'string' && /^\d{1,12}$/.test(claim) ? Number(claim) : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/**
 * When the session a portal token belongs to began: its `auth_time` — the sign-in it descends from —
 * when that is earlier than its `iat`. Cognito's hosted UI keeps a session cookie that outlives the
 * sign-outs the backend makes (AdminUserGlobalSignOut ends refresh tokens, not that cookie): a
 * browser signed in before a login's email moved, or before another contact adopted the login,
 * gets fresh tokens from it — a later `iat`, but the `auth_time` of that earlier sign-in.
 */
export const sessionBeganAt = (principal: { issuedAt: number; authTime?: number }): number =>
  principal.authTime === undefined ? principal.issuedAt : Math.min(principal.issuedAt, principal.authTime);

export function principalOf(kind: PrincipalKind, claims: Claims | undefined): Principal {
  if (kind === 'public') return { kind: 'public' };
  const sub = typeof claims?.sub === 'string' ? claims.sub : undefined;
  if (!claims || !sub) throw unauthorized('A valid access token is required.');
  // API Gateway's authorizer lets an ID token through (its `aud` is the client id): here it is 401 (contract/routes.ts).
  if (claims.token_use !== 'access') throw unauthorized('An access token is required, not an ID token.');
  const username = typeof claims.username === 'string' ? claims.username : sub;
  if (kind === 'customer') {
    // The portal refuses tokens issued before a re-grant or an email change by their `iat`: one without it is refused outright.
    const iat = epochSecondsOf(claims.iat);
    if (iat === undefined) throw unauthorized('The access token carries no issue time.');
    const authTime = epochSecondsOf(claims.auth_time);
    return { kind: 'customer', sub, username, issuedAt: iat, ...(authTime === undefined ? {} : { authTime }) };
  }
  if (!groupsOf(claims).includes(STAFF_GROUP)) throw new HttpError('forbidden', `Staff must be in the ${STAFF_GROUP} group.`);
  return { kind: 'staff', userId: sub, username };
}

/** The actor written to the audit trail. */
export function actorOf(principal: Principal): string {
  switch (principal.kind) {
    case 'staff':
      return staffActor(principal.username);
    case 'customer':
      return `customer:${principal.sub}`;
    case 'public':
      return 'public';
  }
}
