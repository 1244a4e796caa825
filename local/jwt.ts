/**
 * API Gateway's JWT authorizer, locally: one verifier per pool. A token passes when it is an RS256
 * JWT signed by a key of the pool's JWKS, issued by that pool (`iss`), not expired (`exp`, `nbf`),
 * an access token, issued to one of the pool's app clients, and carries one of the route's scopes
 * (`scopesOf` in lib/routes.ts, which the CDK stack gives API Gateway too). cognito-local signs every pool with
 * the same key, so the issuer (not the key) is what tells a staff token from a customer token.
 * The claims are handed on as API Gateway does: every value a string, arrays as `[a b]`.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { InsufficientScope, Unauthorized, type PoolAuthorizer } from './authorizer';


/** A valid access token without any of the route's scopes: API Gateway answers 403 (`insufficient_scope`). */
/** API Gateway renders claims as strings; an array claim (`cognito:groups`) becomes `[a b]`. */
export function claimsAsApiGateway(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    claims[name] = Array.isArray(value) ? `[${value.map(String).join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return claims;
}

export function poolAuthorizer(cognitoEndpoint: string, userPoolId: string, clientIds: readonly string[]): PoolAuthorizer {
  const issuer = `${cognitoEndpoint}/${userPoolId}`;
  // jose caches the key set and refetches it when it meets an unknown `kid`.
  const keys = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
  return {
    issuer,
    async verify(authorization, scopes) {
      const match = /^Bearer +([A-Za-z0-9_.~+/=-]+)\s*$/i.exec(authorization ?? '');
      if (!match?.[1]) throw new Unauthorized('A bearer access token is required.');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(match[1], keys, { issuer, algorithms: ['RS256'], clockTolerance: 0 }));
      } catch {
        throw new Unauthorized('The access token is not valid.');
      }
      if (payload.token_use !== 'access') throw new Unauthorized('An access token is required.');
      if (typeof payload.client_id !== 'string' || !clientIds.includes(payload.client_id)) throw new Unauthorized('The access token was issued to another client.');
      const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (scopes.length > 0 && !scopes.some((scope) => granted.includes(scope))) throw new InsufficientScope('The access token lacks the scope this route requires.');
      return claimsAsApiGateway(payload);
    },
  };
}
