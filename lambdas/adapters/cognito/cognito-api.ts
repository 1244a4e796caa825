/**
 * The few Cognito user-pool calls the functions make (AdminGetUser, AdminListGroupsForUser,
 * AdminCreateUser, AdminEnable/DisableUser, AdminUserGlobalSignOut, AdminSetUserPassword,
 * AdminUpdateUserAttributes), as AWS
 * JSON 1.1 requests signed with SigV4 (../sigv4-post.ts, checked against the SDK's signer) and sent with `fetch`. Why not
 * `@aws-sdk/client-cognito-identity-provider`: its error classes and schemas add ~35 KB to every
 * staff function's minified bundle (each re-checks staff rights), and an HTTP function should carry
 * only what it calls. Like the SDK's standard retry mode, a throttle, a 5xx or a network error is
 * tried again (3 attempts, exponential backoff with jitter); errors carry the SDK's `name`
 * (`UserNotFoundException`, …), `$metadata.httpStatusCode` and `$retryable`, so callers and the
 * transient check read them as they read the SDK's.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { PostSigner } from '../sigv4-post';

export interface CognitoApiConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** Another endpoint (the local emulator); AWS's regional one by default. */
  endpoint?: string;
  maxAttempts?: number;
  /** Per attempt. */
  timeoutMs?: number;
}

/** A Cognito error answer, shaped like the SDK's service exceptions. */
export class CognitoError extends Error {
  readonly $metadata: { httpStatusCode: number };
  readonly $retryable?: { throttling: boolean };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
    const throttling = THROTTLING.has(name) || status === 429;
    // An operation the endpoint does not implement (an emulator's gap) stays unimplemented when tried again.
    if (throttling || (status >= 500 && name !== 'Unsupported')) this.$retryable = { throttling };
  }
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException']);

export type CognitoOperation =
  | 'AdminGetUser'
  | 'AdminListGroupsForUser'
  | 'AdminCreateUser'
  | 'AdminEnableUser'
  | 'AdminDisableUser'
  | 'AdminUserGlobalSignOut'
  | 'AdminSetUserPassword'
  | 'AdminUpdateUserAttributes';

export interface CognitoApi {
  call<T = Record<string, unknown>>(operation: CognitoOperation, input: Record<string, unknown>): Promise<T>;
}

/** `Code` from `x-amzn-errortype` (`Name:http://...`) or the body's `__type` (`prefix#Name`). */
function errorName(header: string | null, body: Record<string, unknown>): string {
  const raw = header ?? (typeof body.__type === 'string' ? body.__type : typeof body.code === 'string' ? body.code : 'UnknownError');
  return raw.split(':')[0]!.split('#').pop()!;
}

export function cognitoApi(config: CognitoApiConfig): CognitoApi {
  const url = new URL(config.endpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`);
  const signer = new PostSigner(config.region, 'cognito-idp');
  const attempts = config.maxAttempts ?? 3;
  const timeoutMs = config.timeoutMs ?? 5_000;

  async function once<T>(operation: CognitoOperation, body: string): Promise<T> {
    const headers = signer.sign(
      url.host,
      url.pathname,
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
      body,
      await config.credentials(),
    );
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // A non-JSON answer (a proxy's error page): the status says enough.
    }
    if (response.ok) return parsed as T;
    const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : `HTTP ${response.status}`;
    throw new CognitoError(errorName(response.headers.get('x-amzn-errortype'), parsed), message, response.status);
  }

  return {
    async call<T>(operation: CognitoOperation, input: Record<string, unknown>): Promise<T> {
      const body = JSON.stringify(input);
      for (let attempt = 1; ; attempt++) {
        try {
          return await once<T>(operation, body);
        } catch (error) {
          // A network error or a timeout has no status: also worth another attempt.
          const retryable = !(error instanceof CognitoError) || error.$retryable !== undefined;
          if (!retryable || attempt >= attempts) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
        }
      }
    },
  };
}
