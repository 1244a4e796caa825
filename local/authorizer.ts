/** What the local server asks of a JWT authorizer (local/jwt.ts verifies Cognito tokens); kept apart from jose. */
export interface PoolAuthorizer {
  readonly issuer: string;
  /** The claims of a token that passes, with one of `scopes` (any, when empty), as API Gateway hands them on; else `Unauthorized` or `InsufficientScope`. */
  verify(authorization: string | undefined, scopes: readonly string[]): Promise<Record<string, string>>;
}

export class Unauthorized extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'Unauthorized';
  }
}

/** A valid token without the route's scope (API Gateway: 403). */
export class InsufficientScope extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'InsufficientScope';
  }
}
