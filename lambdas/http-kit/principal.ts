import type { Principal as PrincipalKind } from '../contract/routes';
import { STAFF_GROUP, staffActor } from '../contract/identity';
import { HttpError } from './problem';

/** Who is calling, from the claims that API Gateway's JWT authorizer (or the local stack) verified. */
export type Principal =
  | { kind: 'staff'; userId: string; username: string }
  | { kind: 'customer'; sub: string; username: string; /** The token's `iat`, epoch seconds. */ issuedAt: number }
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

export function principalOf(kind: PrincipalKind, claims: Claims | undefined): Principal {
  if (kind === 'public') return { kind: 'public' };
  const sub = typeof claims?.sub === 'string' ? claims.sub : undefined;
  if (!claims || !sub) throw unauthorized('A valid access token is required.');
  // API Gateway's authorizer lets an ID token through (its `aud` is the client id): here it is 401 (contract/routes.ts).
  if (claims.token_use !== 'access') throw unauthorized('An access token is required, not an ID token.');
  const username = typeof claims.username === 'string' ? claims.username : sub;
  if (kind === 'customer') {
    // The portal refuses tokens issued before a re-grant or an email change by their `iat`: one without it is refused outright.
    const iat = typeof claims.iat === 'number' ? claims.iat : typeof claims.iat === 'string' && /^\d{1,12}$/.test(claims.iat) ? Number(claims.iat) : undefined;
    if (iat === undefined || !Number.isFinite(iat)) throw unauthorized('The access token carries no issue time.');
    return { kind: 'customer', sub, username, issuedAt: iat };
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
