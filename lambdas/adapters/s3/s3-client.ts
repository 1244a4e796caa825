/**
 * The S3 client of the Lambdas: a few object requests, signed and presigned with SigV4 as S3 wants it
 * (s3-signer.ts: the SDK's canonical requests, paths not re-escaped, an unsigned payload for presigned
 * URLs — what `@aws-sdk/s3-request-presigner` does around the SDK's signer), sent with `fetch`. Why
 * not `@aws-sdk/client-s3`: it adds ~170 KB to a minified bundle (its operation schemas and XML
 * protocol are not tree-shaken), and the functions need only HEAD, a ranged GET, a copy, a DELETE and
 * presigned URLs. Idempotent requests are retried on a network error or a 5xx, as the SDK's standard
 * retry mode would. The local emulator checks these signatures (local/sigv4.ts), and its check is
 * itself tested against the SDK's presigner. Built once per container by lambdas/wiring/clients.ts,
 * like the SDK's clients, and given to the adapters (attachment-objects.ts).
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { S3Signer, type S3SignedRequest } from './s3-signer';

export interface S3Config {
  region: string;
  /** An S3-compatible endpoint (the local emulator): path-style URLs. Without one, AWS's virtual-hosted URLs. */
  endpoint?: string;
  credentials: AwsCredentialIdentityProvider;
  /** Attempts of an idempotent request (network error or 5xx). */
  maxAttempts?: number;
}

export interface S3Answer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** An S3 error answer, with the `$metadata` the HTTP kit's transient check reads (5xx → 503). */
export class S3RequestError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(
    readonly code: string,
    status: number,
    what: string,
  ) {
    super(`S3 ${what}: ${status} ${code}`);
    this.name = status >= 500 ? 'ServiceUnavailable' : 'S3RequestError';
    this.$metadata = { httpStatusCode: status };
  }
}

const REQUEST_TIMEOUT_MS = 10_000;
const encodeKey = (key: string) => key.split('/').map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

/** Presigned URLs only (the portal's downloads): no request of its own. */
export class S3Presigner {
  protected readonly signer: S3Signer;
  readonly #config: S3Config;

  constructor(config: S3Config) {
    this.#config = config;
    this.signer = new S3Signer(config.region, config.credentials);
  }

  /** A presigned URL; `signed` headers (e.g. content-type, content-length) must then be sent exactly so. */
  async presign(
    method: 'GET' | 'PUT',
    bucket: string,
    key: string,
    options: { expiresIn: number; headers?: Record<string, string>; query?: Record<string, string> },
  ): Promise<string> {
    const request = this.request(method, bucket, key, options.headers, options.query);
    return this.urlOf(request, await this.signer.presign(request, options.expiresIn));
  }

  /** Path-style on an endpoint of its own (the local emulator), AWS's virtual-hosted style otherwise. */
  protected request(method: string, bucket: string, key: string, headers: Record<string, string> = {}, query: Record<string, string> = {}): S3SignedRequest & { origin: string } {
    const { endpoint, region } = this.#config;
    const url = endpoint
      ? new URL(`${endpoint.replace(/\/+$/, '')}/${bucket}/${encodeKey(key)}`)
      : new URL(`https://${bucket}.s3.${region}.amazonaws.com/${encodeKey(key)}`);
    return { method, origin: url.origin, host: url.host, path: url.pathname, query, headers };
  }

  protected urlOf(request: { origin: string; path: string }, query: Readonly<Record<string, string>>): string {
    const search = Object.entries(query)
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .join('&');
    return `${request.origin}${request.path}${search ? `?${search}` : ''}`;
  }
}

/** Presigned URLs and signed requests (the documents function). */
export class S3Requests extends S3Presigner {
  readonly #attempts: number;

  constructor(config: S3Config) {
    super(config);
    this.#attempts = config.maxAttempts ?? 3;
  }

  /** One signed request; `expect` lists the statuses that are answers rather than errors. */
  async send(method: string, bucket: string, key: string, options: { headers?: Record<string, string>; expect: readonly number[] }): Promise<S3Answer> {
    for (let attempt = 1; ; attempt++) {
      try {
        const request = this.request(method, bucket, key, options.headers);
        const headers = await this.signer.sign(request);
        const response = await fetch(this.urlOf(request, request.query), { method, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = new Uint8Array(await response.arrayBuffer());
        if (options.expect.includes(response.status)) return { status: response.status, headers: response.headers, body };
        const code = /<Code>([^<]*)<\/Code>/.exec(new TextDecoder().decode(body))?.[1] ?? `HTTP${response.status}`;
        throw new S3RequestError(code, response.status, `${method} ${key}`);
      } catch (error) {
        const status = error instanceof S3RequestError ? error.$metadata.httpStatusCode : 0;
        const retryable = !(error instanceof S3RequestError) || status >= 500;
        if (!retryable || attempt >= this.#attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));
      }
    }
  }
}
