/**
 * Our S3 signer (lambdas/adapters/s3/s3-signer.ts) against the SDK's signer with S3's settings, as the
 * S3 client used it before: the same presigned URLs, character for character, and the same signed
 * headers, with and without a session token, path-style and virtual-hosted.
 */
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { S3Presigner } from '../../lambdas/adapters/s3/s3-client';
import { S3Signer } from '../../lambdas/adapters/s3/s3-signer';

const NOW = new Date('2026-12-02T12:34:56.789Z');
const plain = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const withToken = { ...plain, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=' };

const sdkSigner = (credentials: typeof plain) =>
  new SignatureV4({ credentials: async () => credentials, region: 'eu-west-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });

/** The URL as the S3 client built it around the SDK's signer (its query in the signer's order). */
function sdkUrl(signed: HttpRequest): string {
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `${signed.protocol}//${signed.hostname}${signed.port ? `:${signed.port}` : ''}${signed.path}${query ? `?${query}` : ''}`;
}

interface Case {
  name: string;
  endpoint: string | undefined;
  method: 'GET' | 'PUT';
  key: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

const cases: Case[] = [
  { name: 'a download (GET, response overrides), path-style', endpoint: 'http://127.0.0.1:4569', method: 'GET', key: 'files/abc', query: { 'response-content-disposition': `attachment; filename*=UTF-8''%C3%A9 (1).pdf` }, headers: {} },
  { name: 'an upload (PUT bound to type and length), virtual-hosted', endpoint: undefined, method: 'PUT', key: 'pending/x_y-Z', query: {}, headers: { 'content-type': 'application/pdf', 'content-length': '1234' } },
];

describe.each([
  ['without a session token', plain],
  ['with a session token', withToken],
])('%s', (_label, credentials) => {
  beforeEach(() => jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  test.each(cases)('$name: the same presigned URL as the SDK signer', async ({ endpoint, method, key, query, headers }) => {
    const ours = await new S3Presigner({ region: 'eu-west-1', credentials: async () => credentials, ...(endpoint ? { endpoint } : {}) }).presign(method, 'portal-attachments', key, { expiresIn: 900, headers, query });
    const url = new URL(endpoint ? `${endpoint}/portal-attachments/${key}` : `https://portal-attachments.s3.eu-west-1.amazonaws.com/${key}`);
    const request: HttpRequest = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...headers, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', host: url.host },
    };
    const theirs = await sdkSigner(credentials).presign(request, { expiresIn: 900, signableHeaders: new Set(Object.keys(headers)) });
    expect(ours).toBe(sdkUrl(theirs));
  });

  test.each([
    ['HEAD', {}],
    ['GET', { range: 'bytes=0-4095', 'if-match': '"9b2cf535f27731c974343645a3985328"' }],
    ['PUT', { 'x-amz-copy-source': '/portal-attachments/pending/abc', 'x-amz-copy-source-if-match': '"9b2cf535f27731c974343645a3985328"' }],
    ['DELETE', {}],
  ])('a signed %s: the same headers as the SDK signer', async (method, headers: Record<string, string>) => {
    const request = { method, host: '127.0.0.1:4569', path: '/portal-attachments/files/abc', query: {}, headers };
    const ours = await new S3Signer('eu-west-1', async () => credentials).sign(request, NOW);
    const theirs = await sdkSigner(credentials).sign(
      { method, protocol: 'http:', hostname: '127.0.0.1', port: 4569, path: request.path, query: {}, headers: { ...headers, host: request.host } },
      { signingDate: NOW },
    );
    const { host: _host, ...sent } = theirs.headers;
    expect(ours).toEqual(sent);
  });
});
