/**
 * The runtime configuration of a web app (`/config.json` beside its `index.html`): written at deploy
 * time by the CDK stack and by `npm start` locally, read by the page when it starts, never baked into
 * the bundle — one build runs against any stack. No imports at all: the pages' type check reads it too.
 */

/** The pool's password policy (the domain's PASSWORD_POLICY), shown where a password is chosen. */
export interface PasswordPolicy {
  readonly minLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireDigits: boolean;
  readonly requireSymbols: boolean;
}

export interface WebAppConfig {
  /** The HTTP API's base URL, without a trailing slash. */
  readonly apiUrl: string;
  readonly region: string;
  /** The user pool the app signs in to, and its app client. */
  readonly userPoolId: string;
  readonly clientId: string;
  /** The OIDC issuer of the pool's tokens (`https://cognito-idp.<region>.amazonaws.com/<pool>` in AWS). */
  readonly authority: string;
  /** Where `/oauth2/authorize`, `/oauth2/token` and `/logout` are: the hosted UI, or its local stand-in. */
  readonly hostedUiUrl: string;
  readonly passwordPolicy: PasswordPolicy;
}

/** The file's name, at the app's root. */
export const WEB_APP_CONFIG_FILE = 'config.json';

export function webAppConfig(input: WebAppConfig): WebAppConfig {
  return { ...input, apiUrl: input.apiUrl.replace(/\/+$/, ''), hostedUiUrl: input.hostedUiUrl.replace(/\/+$/, '') };
}
