/**
 * The few Cognito user-pool calls the functions make (AdminGetUser, AdminListGroupsForUser,
 * AdminCreateUser, AdminEnable/DisableUser, AdminUserGlobalSignOut, AdminSetUserPassword,
 * AdminUpdateUserAttributes), as AWS
 * JSON 1.1 requests signed with the SDK's own SigV4 signer and sent with `fetch`. Why not
 * `@aws-sdk/client-cognito-identity-provider`: its error classes and schemas add ~35 KB to every
 * staff function's minified bundle (each re-checks staff rights), and an HTTP function should carry
 * only what it calls. Like the SDK's standard retry mode, a throttle, a 5xx or a network error is
 * tried again (3 attempts, exponential backoff with jitter); errors carry the SDK's `name`
 * (`UserNotFoundException`, …), `$metadata.httpStatusCode` and `$retryable`, so callers and the
 * transient check read them as they read the SDK's.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

const bytesOf = (data: SourceData): Uint8Array =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

/** SHA-256 (or its HMAC) for the signer, from node:crypto. */
class Sha256 implements Checksum {
  #hash;
  readonly #secret: Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : bytesOf(secret);
    this.#hash = this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

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
  const signer = new SignatureV4({ credentials: config.credentials, region: config.region, service: 'cognito-idp', sha256: Sha256 });
  const attempts = config.maxAttempts ?? 3;
  const timeoutMs = config.timeoutMs ?? 5_000;

  async function once<T>(operation: CognitoOperation, body: string): Promise<T> {
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body,
    });
    const { host: _host, ...headers } = signed.headers;
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
