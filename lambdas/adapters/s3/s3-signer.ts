/**
 * SigV4 as S3 wants it, for our S3 client (s3-client.ts): requests signed in their `Authorization`
 * header (with `x-amz-content-sha256`, here always of an empty body) and presigned URLs (the query's
 * `X-Amz-*`, an unsigned payload). The same canonical requests, headers and query, in the same order,
 * as the SDK's signer with S3's settings (`@smithy/signature-v4`: paths sent encoded once and not
 * re-escaped, the payload's hash as a header) — the unit test compares them — without its ~15 KB of
 * a minified bundle (its header formatter, a SHA-256 in JavaScript, the SDK's request class).
 * Every header given is signed: none of those the client sends is one SigV4 leaves unsigned.
 */
import { createHmac } from 'node:crypto';
import { amzDateOf, hmac, sha256Hex, type SigningCredentials } from '../sigv4-post';

export interface S3SignedRequest {
  readonly method: string;
  /** `host[:port]`, as sent. */
  readonly host: string;
  /** Already percent-encoded, sent as is. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_BODY_SHA256 = sha256Hex('');
/** RFC 3986, as SigV4 escapes query names and values. */
const escape = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class S3Signer {
  readonly #region: string;
  readonly #credentials: () => Promise<SigningCredentials>;

  constructor(region: string, credentials: () => Promise<SigningCredentials>) {
    this.#region = region;
    this.#credentials = credentials;
  }

  /** The headers to send (besides `host`): the request's own, `x-amz-date`, the token, the payload hash, `authorization`. */
  async sign(request: S3SignedRequest, now = new Date()): Promise<Record<string, string>> {
    const credentials = await this.#credentials();
    const amzDate = amzDateOf(now);
    const headers: Record<string, string> = { ...request.headers, 'x-amz-date': amzDate };
    if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
    headers['x-amz-content-sha256'] = EMPTY_BODY_SHA256;
    const { scope, signedHeaders, signature } = this.#signature({ ...request, headers }, EMPTY_BODY_SHA256, amzDate, credentials);
    return { ...headers, authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
  }

  /** The presigned request's query (its own, then the `X-Amz-*` ones); its `headers` must be sent exactly so. */
  async presign(request: S3SignedRequest, expiresIn: number, now = new Date()): Promise<Record<string, string>> {
    const credentials = await this.#credentials();
    const amzDate = amzDateOf(now);
    const query: Record<string, string> = { ...request.query, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' };
    if (credentials.sessionToken) query['X-Amz-Security-Token'] = credentials.sessionToken;
    query['X-Amz-Algorithm'] = ALGORITHM;
    query['X-Amz-Credential'] = `${credentials.accessKeyId}/${this.#scope(amzDate)}`;
    query['X-Amz-Date'] = amzDate;
    query['X-Amz-Expires'] = String(expiresIn);
    query['X-Amz-SignedHeaders'] = this.#canonicalHeaders({ ...request.headers, host: request.host }).signedHeaders;
    query['X-Amz-Signature'] = this.#signature({ ...request, query }, 'UNSIGNED-PAYLOAD', amzDate, credentials).signature;
    return query;
  }

  #scope(amzDate: string): string {
    return `${amzDate.slice(0, 8)}/${this.#region}/s3/aws4_request`;
  }

  #canonicalHeaders(headers: Readonly<Record<string, string>>): { lines: string; signedHeaders: string } {
    const canonical = new Map<string, string>();
    for (const [name, value] of Object.entries(headers)) canonical.set(name.toLowerCase(), value.trim().replace(/\s+/g, ' '));
    const names = [...canonical.keys()].sort();
    return { lines: names.map((name) => `${name}:${canonical.get(name)}\n`).join(''), signedHeaders: names.join(';') };
  }

  #signature(request: S3SignedRequest, payloadHash: string, amzDate: string, credentials: SigningCredentials) {
    const { lines, signedHeaders } = this.#canonicalHeaders({ ...request.headers, host: request.host });
    const query = Object.entries(request.query)
      .filter(([name]) => name.toLowerCase() !== 'x-amz-signature')
      .map(([name, value]) => [escape(name), escape(value)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
    const canonical = `${request.method}\n${request.path}\n${query}\n${lines}\n${signedHeaders}\n${payloadHash}`;
    const scope = this.#scope(amzDate);
    const day = amzDate.slice(0, 8);
    const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), this.#region), 's3'), 'aws4_request');
    const signature = createHmac('sha256', key).update(`${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`, 'utf8').digest('hex');
    return { scope, signedHeaders, signature };
  }
}
