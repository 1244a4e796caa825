/**
 * A small S3 emulator for the local stack: path-style, the object operations the attachments need
 * (PUT, GET with `Range`/`If-Match`/`response-*` overrides, HEAD, DELETE, server-side copy with
 * `x-amz-copy-source-if-match`, ListObjectsV2), private buckets only (an anonymous request is 403),
 * every request authenticated by SigV4 (`local/sigv4.ts`: header or presigned query, expiry, signed
 * `content-type`/`content-length`), `x-amz-checksum-crc32`/`-sha256` and `Content-MD5` checked on
 * PUT, and the bucket's CORS rule answered as S3 answers it. Objects live under `<dir>/<bucket>/`.
 *
 * Why not the `s3rver` package: it does not verify SigV4 at all (any signature, any secret and even
 * an anonymous PUT succeed; "Signature version 4 calculation is unimplemented" in its source), so a
 * wrong signature or a changed content type could not be refused; the forks that might need Node ≥ 22/24.
 * Not implemented (501): multipart uploads, versioning, tagging, bucket creation over the API.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { readBody, TooLarge } from './body';
import { queryPairs, sha256Hex, UNSIGNED_PAYLOAD, verifySigV4 } from './sigv4';

/** A bucket's CORS rule, named as contract/cors.ts names it, with the origins of the stage. */
export interface CorsRule {
  origins: readonly string[];
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

export interface S3EmulatorConfig {
  /** Objects go to `<dir>/<bucket>/`. */
  dir: string;
  region: string;
  credentials: Readonly<Record<string, string>>;
  /** The buckets, created at start (S3's own CreateBucket is not emulated). */
  buckets: readonly { name: string; cors?: CorsRule }[];
  /** Refuses larger PUTs (S3's own limit for one PUT is 5 GiB; this one keeps a body in memory). */
  maxObjectBytes?: number;
}

interface ObjectMeta {
  key: string;
  size: number;
  contentType: string;
  etag: string;
  lastModified: string;
}

/** Response headers a signed GET may set through the query (S3's `response-*` overrides). */
const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-disposition': 'content-disposition',
  'response-content-language': 'content-language',
  'response-content-encoding': 'content-encoding',
  'response-cache-control': 'cache-control',
  'response-expires': 'expires',
};

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createS3Emulator(config: S3EmulatorConfig): http.Server {
  const maxBytes = config.maxObjectBytes ?? 64 * 1024 * 1024;
  const buckets = new Map(config.buckets.map((b) => [b.name, b]));
  for (const bucket of buckets.keys()) fs.mkdirSync(path.join(config.dir, bucket), { recursive: true });

  /** The CORS headers of each answer in progress, for its error answer too. */
  const corsOf = new WeakMap<ServerResponse, Record<string, string>>();
  const fileOf = (bucket: string, key: string) => path.join(config.dir, bucket, createHash('sha256').update(key).digest('hex'));

  function readMeta(bucket: string, key: string): ObjectMeta | undefined {
    try {
      return JSON.parse(fs.readFileSync(`${fileOf(bucket, key)}.json`, 'utf8')) as ObjectMeta;
    } catch {
      return undefined;
    }
  }

  /** Data first, then its metadata, each by rename: a reader sees the old object or the new one. */
  function writeObject(bucket: string, key: string, body: Buffer, contentType: string): ObjectMeta {
    const file = fileOf(bucket, key);
    const meta: ObjectMeta = { key, size: body.length, contentType, etag: `"${createHash('md5').update(body).digest('hex')}"`, lastModified: new Date().toUTCString() };
    const tmp = `${file}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(`${tmp}.bin`, body);
    fs.renameSync(`${tmp}.bin`, `${file}.bin`);
    fs.writeFileSync(`${tmp}.json`, JSON.stringify(meta));
    fs.renameSync(`${tmp}.json`, `${file}.json`);
    return meta;
  }

  function deleteObject(bucket: string, key: string): void {
    const file = fileOf(bucket, key);
    fs.rmSync(`${file}.json`, { force: true });
    fs.rmSync(`${file}.bin`, { force: true });
  }

  function listObjects(bucket: string, prefix: string): ObjectMeta[] {
    const dir = path.join(config.dir, bucket);
    return fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as ObjectMeta)
      .filter((meta) => meta.key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  function corsMatch(rule: CorsRule | undefined, origin: string | undefined, method: string | undefined, requested: string[]): boolean {
    if (!rule || !origin || !method) return false;
    const headers = rule.allowHeaders.map((h) => h.toLowerCase());
    return rule.origins.includes(origin) && rule.allowMethods.includes(method) && requested.every((h) => headers.includes(h));
  }

  function corsHeaders(rule: CorsRule, origin: string): Record<string, string> {
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': rule.allowMethods.join(', '),
      'access-control-expose-headers': rule.exposeHeaders.join(', '),
      'access-control-max-age': String(rule.maxAgeSeconds),
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    };
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer | string): void {
    res.writeHead(status, { 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(), ...headers, ...(body === undefined ? { 'content-length': '0' } : {}) });
    res.end(body);
  }

  function sendError(res: ServerResponse, method: string, error: S3Error, extra: Record<string, string> = {}): void {
    // HEAD answers carry no body, as in S3.
    const body = method === 'HEAD' ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message></Error>`;
    send(res, error.status, { ...extra, ...(body ? { 'content-type': 'application/xml' } : {}) }, body);
  }

  function checkChecksums(headers: IncomingMessage['headers'], query: Map<string, string>, body: Buffer): void {
    const given = (name: string) => (headers[name] as string | undefined) ?? query.get(name);
    const md5 = headers['content-md5'] as string | undefined;
    if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64')) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    const crc = given('x-amz-checksum-crc32');
    if (crc !== undefined) {
      const actual = Buffer.alloc(4);
      actual.writeUInt32BE(crc32(body) >>> 0);
      if (crc !== actual.toString('base64')) throw new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    }
    const sha = given('x-amz-checksum-sha256');
    if (sha !== undefined && sha !== createHash('sha256').update(body).digest('base64')) throw new S3Error(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    for (const other of ['x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme', 'x-amz-checksum-sha1'])
      if (given(other) !== undefined) throw new S3Error(501, 'NotImplemented', `The local emulator does not check ${other}.`);
  }

  function getObject(res: ServerResponse, req: IncomingMessage, bucket: string, key: string, query: Map<string, string>, cors: Record<string, string>): void {
    const meta = readMeta(bucket, key);
    if (!meta) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== meta.etag && ifMatch !== '*') throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    const headers: Record<string, string> = { ...cors, 'content-type': meta.contentType, etag: meta.etag, 'last-modified': meta.lastModified, 'accept-ranges': 'bytes' };
    for (const [param, header] of Object.entries(OVERRIDES)) {
      const value = query.get(param);
      if (value !== undefined) headers[header] = value;
    }
    let start = 0;
    let end = meta.size - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec((req.headers.range ?? '').trim());
    if (req.headers.range && range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), meta.size - 1) : meta.size - 1;
      } else {
        start = Math.max(0, meta.size - Number(range[2]));
      }
      if (start >= meta.size || start > end) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable');
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
    }
    headers['content-length'] = String(end - start + 1);
    if (req.method === 'HEAD') {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const data = fs.readFileSync(`${fileOf(bucket, key)}.bin`);
    res.writeHead(status, headers);
    res.end(data.subarray(start, end + 1));
  }

  function copyObject(res: ServerResponse, req: IncomingMessage, bucket: string, key: string): void {
    const source = decodeURIComponent(String(req.headers['x-amz-copy-source'])).replace(/^\//, '').split('?')[0]!;
    const slash = source.indexOf('/');
    const [fromBucket, fromKey] = [source.slice(0, slash), source.slice(slash + 1)];
    if (slash < 1 || !buckets.has(fromBucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const meta = readMeta(fromBucket, fromKey);
    if (!meta) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    const ifMatch = req.headers['x-amz-copy-source-if-match'];
    if (ifMatch !== undefined && ifMatch !== meta.etag) throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    const copied = writeObject(bucket, key, fs.readFileSync(`${fileOf(fromBucket, fromKey)}.bin`), meta.contentType);
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>${new Date(copied.lastModified).toISOString()}</LastModified><ETag>${xmlEscape(copied.etag)}</ETag></CopyObjectResult>`;
    send(res, 200, { 'content-type': 'application/xml' }, body);
  }

  function listObjectsV2(res: ServerResponse, bucket: string, query: Map<string, string>): void {
    const prefix = query.get('prefix') ?? '';
    const objects = listObjects(bucket, prefix);
    const contents = objects
      .map((o) => `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
      .join('');
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${objects.length}</KeyCount><MaxKeys>${Math.max(1000, objects.length)}</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
    send(res, 200, { 'content-type': 'application/xml' }, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = req.url ?? '/';
    const at = raw.indexOf('?');
    const rawPath = at < 0 ? raw : raw.slice(0, at);
    const rawQuery = at < 0 ? '' : raw.slice(at + 1);
    let query: Map<string, string>;
    let bucket: string;
    let key: string;
    try {
      query = new Map(queryPairs(rawQuery));
      const [first, ...rest] = rawPath.replace(/^\//, '').split('/');
      bucket = decodeURIComponent(first ?? '');
      key = rest.map(decodeURIComponent).join('/');
    } catch {
      throw new S3Error(400, 'InvalidURI', 'Could not parse the specified URI.');
    }
    const rule = buckets.get(bucket)?.cors;
    const origin = req.headers.origin;

    if (method === 'OPTIONS') {
      const wanted = req.headers['access-control-request-method'];
      if (!origin || !wanted) throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
      const requested = String(req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
      if (!buckets.has(bucket) || !corsMatch(rule, origin, wanted, requested))
        throw new S3Error(403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.');
      send(res, 200, { ...corsHeaders(rule!, origin), 'access-control-allow-headers': requested.join(', ') });
      return;
    }
    const cors = rule && corsMatch(rule, origin, method, []) ? corsHeaders(rule, origin!) : {};
    corsOf.set(res, cors);

    const body = await readBody(req, maxBytes).catch((error: unknown) => {
      throw error instanceof TooLarge ? new S3Error(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${maxBytes} bytes here).`) : error;
    });
    const verdict = verifySigV4({ method, rawPath, rawQuery, headers: req.headers }, { credentials: config.credentials, region: config.region });
    if (!verdict) throw new S3Error(403, 'AccessDenied', 'Access Denied');
    if (!verdict.ok) throw new S3Error(verdict.status, verdict.code, verdict.message);
    if (verdict.payloadHash !== UNSIGNED_PAYLOAD && verdict.payloadHash !== sha256Hex(body))
      throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");

    if (!bucket) throw new S3Error(501, 'NotImplemented', 'ListBuckets is not emulated.');
    if (!buckets.has(bucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (!key) {
      if (method === 'GET' && query.get('list-type') === '2') return listObjectsV2(res, bucket, query);
      if (method === 'HEAD') return send(res, 200, {});
      throw new S3Error(501, 'NotImplemented', `${method} on a bucket is not emulated (only ListObjectsV2 and HEAD).`);
    }
    if ([...query.keys()].some((name) => ['uploads', 'uploadId', 'tagging', 'versionId', 'acl', 'retention'].includes(name)))
      throw new S3Error(501, 'NotImplemented', 'Multipart uploads, tagging, versions and ACLs are not emulated.');

    switch (method) {
      case 'GET':
      case 'HEAD':
        return getObject(res, req, bucket, key, query, cors);
      case 'DELETE':
        deleteObject(bucket, key);
        return send(res, 204, cors);
      case 'PUT': {
        if (req.headers['x-amz-copy-source'] !== undefined) return copyObject(res, req, bucket, key);
        if (req.headers['content-length'] === undefined) throw new S3Error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
        checkChecksums(req.headers, query, body);
        const meta = writeObject(bucket, key, body, String(req.headers['content-type'] ?? 'application/octet-stream'));
        return send(res, 200, { ...cors, etag: meta.etag });
      }
      default:
        throw new S3Error(501, 'NotImplemented', `${method} is not emulated.`);
    }
  }

  return http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      const known = error instanceof S3Error ? error : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      if (!(error instanceof S3Error)) console.error('local s3: request failed', error);
      // Drain what the client still sends, so that it reads the answer rather than a broken pipe.
      req.resume();
      // An allowed origin may read the refusal too (as S3 adds the CORS headers to error answers).
      sendError(res, (req.method ?? 'GET').toUpperCase(), known, corsOf.get(res) ?? {});
    });
  });
}
