/**
 * AWS Signature Version 4 as S3 checks it, for the local S3 emulator (`local/s3.ts`): the
 * `Authorization` header and presigned query strings, the credential scope (date, region, `s3`),
 * the clock (15 minutes of skew; a presigned URL's `X-Amz-Expires`), the signature itself over
 * the canonical request, and that every `x-amz-*` header sent is signed — so a wrong key, a changed
 * signed header (content type, content length), an added unsigned one (metadata, a checksum), an
 * edited URL or an expired one is refused here as in AWS.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

export interface SignedRequest {
  method: string;
  /** The path exactly as sent (percent-encoded), without the query. */
  rawPath: string;
  /** The query exactly as sent, without `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
}

export type Verdict =
  | { ok: true; accessKeyId: string; /** The payload hash the signature covers: a hex SHA-256 to check against the body, or UNSIGNED-PAYLOAD. */ payloadHash: string }
  | { ok: false; status: number; code: string; message: string };

/** RFC 3986 percent-encoding, as SigV4 wants it. */
export const encodeRfc3986 = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The query's pairs, decoded (`+` is a plus sign, not a space: SigV4 clients never send `+` for a space). */
export function queryPairs(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((part) => {
    const at = part.indexOf('=');
    const [name, value] = at < 0 ? [part, ''] : [part.slice(0, at), part.slice(at + 1)];
    return [decodeURIComponent(name), decodeURIComponent(value)];
  });
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** `20261201T220634Z` → a Date, or undefined. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const refuse = (status: number, code: string, message: string): Verdict => ({ ok: false, status, code, message });

export interface VerifyOptions {
  /** Secret access keys by access key id. */
  credentials: Readonly<Record<string, string>>;
  region: string;
  now?: Date;
}

/** Checks a request's SigV4 authentication; `undefined` when it carries none (anonymous). */
export function verifySigV4(request: SignedRequest, options: VerifyOptions): Verdict | undefined {
  const pairs = queryPairs(request.rawQuery);
  const query = new Map(pairs);
  const authorization = headerValue(request.headers, 'authorization');
  const presigned = query.has('X-Amz-Algorithm');
  if (!authorization && !presigned) return undefined;
  if (authorization && presigned) return refuse(400, 'InvalidArgument', 'Only one auth mechanism allowed.');

  let algorithm: string | undefined;
  let credential: string | undefined;
  let signedHeaderList: string | undefined;
  let signature: string | undefined;
  let amzDate: string | undefined;
  let payloadHash: string;
  if (authorization) {
    const m = /^(\S+) Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$/.exec(authorization.trim());
    if (!m) return refuse(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
    [, algorithm, credential, signedHeaderList, signature] = m;
    amzDate = headerValue(request.headers, 'x-amz-date');
    const claimed = headerValue(request.headers, 'x-amz-content-sha256');
    if (!claimed) return refuse(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    if (claimed.startsWith('STREAMING-')) return refuse(501, 'NotImplemented', 'The local emulator does not accept chunked (streaming) payload signing.');
    if (claimed !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(claimed)) return refuse(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a SHA-256 in hex.');
    payloadHash = claimed;
  } else {
    algorithm = query.get('X-Amz-Algorithm');
    credential = query.get('X-Amz-Credential');
    signedHeaderList = query.get('X-Amz-SignedHeaders');
    signature = query.get('X-Amz-Signature');
    amzDate = query.get('X-Amz-Date');
    payloadHash = query.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
    if (!credential || !signedHeaderList || !signature || !amzDate || !query.has('X-Amz-Expires'))
      return refuse(400, 'AuthorizationQueryParametersError', 'Query-string authentication requires X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.');
  }
  if (algorithm !== ALGORITHM) return refuse(400, 'InvalidArgument', `Unsupported signing algorithm ${algorithm}; only ${ALGORITHM}.`);

  const [accessKeyId, day, region, service, terminator, ...rest] = (credential ?? '').split('/');
  if (!accessKeyId || !day || !region || service !== 's3' || terminator !== 'aws4_request' || rest.length > 0)
    return refuse(400, 'AuthorizationHeaderMalformed', 'The credential scope is malformed.');
  const secret = options.credentials[accessKeyId];
  if (secret === undefined) return refuse(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (region !== options.region) return refuse(400, 'AuthorizationHeaderMalformed', `The region '${region}' is wrong; expecting '${options.region}'.`);

  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || amzDate!.slice(0, 8) !== day) return refuse(403, 'AccessDenied', 'X-Amz-Date is missing, malformed, or not the day of the credential scope.');
  const now = (options.now ?? new Date()).getTime();
  if (presigned) {
    const expires = Number(query.get('X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS)
      return refuse(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be between 1 and 604800 seconds.');
    if (signedAt.getTime() - now > MAX_SKEW_MS) return refuse(403, 'AccessDenied', 'Request is not valid yet.');
    if (now > signedAt.getTime() + expires * 1000) return refuse(403, 'AccessDenied', 'Request has expired.');
  } else if (Math.abs(now - signedAt.getTime()) > MAX_SKEW_MS) {
    return refuse(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }

  const signedHeaders = signedHeaderList!.split(';');
  if (!signedHeaders.includes('host')) return refuse(403, 'AccessDenied', 'The host header must be signed.');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalQuery = pairs
    .filter(([name]) => !(presigned && name === 'X-Amz-Signature'))
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalRequest = [request.method, request.rawPath, canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 's3'), 'aws4_request');
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  // S3 refuses any x-amz-* header the signature does not cover (x-amz-content-sha256 aside): a presigned
  // PUT cannot be stretched to set metadata, tags, a checksum or an ACL that its signer did not sign.
  const unsigned = Object.keys(request.headers).filter((name) => name.toLowerCase().startsWith('x-amz-') && name.toLowerCase() !== 'x-amz-content-sha256' && !signedHeaders.includes(name.toLowerCase()));
  if (unsigned.length > 0) return refuse(403, 'AccessDenied', 'There were headers present in the request which were not signed');
  return { ok: true, accessKeyId, payloadHash };
}

export { sha256Hex };
