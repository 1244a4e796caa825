/**
 * API Gateway's JWT authorizer, locally: one verifier per pool. A token passes when it is an RS256
 * JWT signed by the key of the pool's JWKS its header names (`kid`), issued by that pool (`iss`), not
 * expired (`exp`, which it must carry; `nbf`) nor issued in the future (`iat`), and
 * issued to one of the pool's app clients: its `aud`, or without one its `client_id` (API Gateway's
 * audience rule). Like API Gateway it lets an ID token through (its `aud` is the client id): the
 * function answers it 401 (lambdas/contract/routes.ts, http-kit/principal.ts). cognito-local signs every pool with
 * the same key, so the issuer (not the key) is what tells a staff token from a customer token.
 * The claims are handed on as API Gateway does: every value a string, arrays as `[a b]`.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { Unauthorized, type PoolAuthorizer } from './authorizer';


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
    async verify(authorization) {
      const match = /^Bearer +([A-Za-z0-9_.~+/=-]+)\s*$/i.exec(authorization ?? '');
      if (!match?.[1]) throw new Unauthorized('A bearer access token is required.');
      let payload: JWTPayload;
      let kid: unknown;
      try {
        ({ payload, protectedHeader: { kid } } = await jwtVerify(match[1], keys, { issuer, algorithms: ['RS256'], clockTolerance: 0, requiredClaims: ['exp'] }));
      } catch {
        throw new Unauthorized('The access token is not valid.');
      }
      // API Gateway also wants the header to name its key (jose would try the only key there is) and `iat` not to be in the future.
      if (typeof kid !== 'string' || (typeof payload.iat === 'number' && payload.iat * 1000 > Date.now())) throw new Unauthorized('The access token is not valid.');
      // API Gateway: `aud` when the token has one (an ID token), else `client_id` (an access token).
      const audiences = payload.aud === undefined ? [payload.client_id] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.some((audience) => typeof audience === 'string' && clientIds.includes(audience))) throw new Unauthorized('The token was issued to another client.');
      return claimsAsApiGateway(payload);
    },
  };
}
