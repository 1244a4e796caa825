/** What the local server asks of a JWT authorizer (local/jwt.ts verifies Cognito tokens); kept apart from jose. */
export interface PoolAuthorizer {
  readonly issuer: string;
  /** The claims of a token that passes, as API Gateway hands them on; else `Unauthorized`. */
  verify(authorization: string | undefined): Promise<Record<string, string>>;
}

export class Unauthorized extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'Unauthorized';
  }
}
