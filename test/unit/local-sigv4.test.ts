/**
 * The local S3 emulator's SigV4 check (local/sigv4.ts) against URLs and headers made by the AWS
 * SDK's own signer and presigner, and by the attachments' S3 adapter: what they sign passes, and any
 * change, a wrong key or region, or an expired URL does not.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { verifySigV4, type SignedRequest } from '../../local/sigv4';
import { S3AttachmentObjects } from '../../lambdas/adapters/s3/attachment-objects';
import { S3Requests } from '../../lambdas/adapters/s3/s3-client';

const ENDPOINT = 'http://127.0.0.1:4569';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const verify = (request: SignedRequest, now = new Date()) => verifySigV4(request, { credentials: { local: 'local' }, region: 'eu-west-1', now });

/** The request a client makes of a URL: method, raw path and query, and the headers it sends. */
function requestOf(method: string, url: string, headers: Record<string, string> = {}): SignedRequest {
  const u = new URL(url);
  return { method, rawPath: u.pathname, rawQuery: u.search.slice(1), headers: { host: u.host, ...headers } };
}

const sdk = new S3Client({ region: 'eu-west-1', endpoint: ENDPOINT, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });

afterAll(() => sdk.destroy());

describe('presigned URLs of the SDK', () => {
  test('a PUT bound to content type and length passes exactly as signed, and not otherwise', async () => {
    const url = await getSignedUrl(sdk, new PutObjectCommand({ Bucket: 'b', Key: 'pending/x', ContentType: 'application/pdf', ContentLength: 5 }), {
      expiresIn: 900,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(verify(requestOf('PUT', url, { 'content-type': 'application/pdf', 'content-length': '5' }))).toMatchObject({ ok: true, payloadHash: 'UNSIGNED-PAYLOAD' });
    expect(verify(requestOf('PUT', url, { 'content-type': 'application/pdf', 'content-length': '6' }))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verify(requestOf('PUT', url, { 'content-type': 'text/html', 'content-length': '5' }))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verify(requestOf('POST', url, { 'content-type': 'application/pdf', 'content-length': '5' }))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verify(requestOf('PUT', url.replace('pending/x', 'files/x'), { 'content-type': 'application/pdf', 'content-length': '5' }))).toMatchObject({ ok: false });
  });

  test('an x-amz-* header the URL does not sign (metadata, tags, a checksum, an ACL) is refused, as S3 refuses it; x-amz-content-sha256 aside', async () => {
    const url = await getSignedUrl(sdk, new PutObjectCommand({ Bucket: 'b', Key: 'pending/x', ContentType: 'application/pdf', ContentLength: 5 }), {
      expiresIn: 900,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
    const signed = { 'content-type': 'application/pdf', 'content-length': '5' };
    const extras: [string, string][] = [['x-amz-meta-owner', 'x'], ['x-amz-tagging', 'a=b'], ['x-amz-checksum-crc32', 'AAAAAA=='], ['x-amz-acl', 'public-read'], ['x-amz-website-redirect-location', '/evil']];
    for (const [name, value] of extras)
      expect(verify(requestOf('PUT', url, { ...signed, [name]: value }))).toEqual({ ok: false, status: 403, code: 'AccessDenied', message: 'There were headers present in the request which were not signed' });
    expect(verify(requestOf('PUT', url, { ...signed, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amzn-trace-id': 'Root=1', 'cache-control': 'no-cache' }))).toMatchObject({ ok: true });
  });

  test('a GET with response overrides expires, and cannot be stretched, re-targeted or used by another key', async () => {
    const url = await getSignedUrl(sdk, new GetObjectCommand({ Bucket: 'b', Key: 'files/x', ResponseContentDisposition: `attachment; filename*=UTF-8''%C3%A9.pdf` }), { expiresIn: 60 });
    const signedAt = new Date();
    expect(verify(requestOf('GET', url), signedAt)).toMatchObject({ ok: true });
    expect(verify(requestOf('GET', url), new Date(signedAt.getTime() + 59_000))).toMatchObject({ ok: true });
    expect(verify(requestOf('GET', url), new Date(signedAt.getTime() + 61_000))).toMatchObject({ ok: false, status: 403, code: 'AccessDenied', message: 'Request has expired.' });
    expect(verify(requestOf('GET', url.replace('X-Amz-Expires=60', 'X-Amz-Expires=3600')))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verify(requestOf('GET', url.replace('files%2Fx', 'files%2Fy').replace('files/x', 'files/y')))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verify(requestOf('GET', url.replace(/response-content-disposition=[^&]*/, 'response-content-disposition=inline')))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4(requestOf('GET', url), { credentials: { local: 'other' }, region: 'eu-west-1' })).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4(requestOf('GET', url), { credentials: { someone: 'local' }, region: 'eu-west-1' })).toMatchObject({ ok: false, code: 'InvalidAccessKeyId' });
    expect(verifySigV4(requestOf('GET', url), { credentials: { local: 'local' }, region: 'us-east-1' })).toMatchObject({ ok: false, code: 'AuthorizationHeaderMalformed' });
  });

  test('no signature at all is anonymous (the emulator refuses it: private bucket)', () => {
    expect(verify(requestOf('GET', `${ENDPOINT}/b/files/x`))).toBeUndefined();
  });
});

describe('the attachments adapter', () => {
  const requests = new S3Requests({ region: 'eu-west-1', endpoint: ENDPOINT, credentials: async () => credentials });
  const objects = new S3AttachmentObjects(requests, 'b');

  test('its upload URL signs content type and length, for the pending key, with the asked lifetime', async () => {
    const url = await objects.uploadUrl('abc', 'image/png', 1234, 900);
    const u = new URL(url);
    expect(u.pathname).toBe('/b/pending/abc');
    expect(u.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(u.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(u.searchParams.has('x-amz-checksum-crc32')).toBe(false);
    expect(verify(requestOf('PUT', url, { 'content-type': 'image/png', 'content-length': '1234' }))).toMatchObject({ ok: true });
    expect(verify(requestOf('PUT', url, { 'content-type': 'image/png', 'content-length': '1235' }))).toMatchObject({ ok: false });
  });

  test('its download URL is a GET of the completed file that sets Content-Disposition and forbids caching', async () => {
    const url = await objects.downloadUrl('abc', `attachment; filename="a.pdf"`, 60);
    const u = new URL(url);
    expect(u.pathname).toBe('/b/files/abc');
    expect(u.searchParams.get('response-content-disposition')).toBe('attachment; filename="a.pdf"');
    expect(u.searchParams.get('response-cache-control')).toBe('private, no-store');
    expect(u.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(verify(requestOf('GET', url))).toMatchObject({ ok: true });
    // The same query parameters as the SDK's S3 presigner puts in a GET (it adds its operation name, x-id).
    const sdkUrl = await getSignedUrl(sdk, new GetObjectCommand({ Bucket: 'b', Key: 'files/abc', ResponseContentDisposition: 'attachment; filename="a.pdf"', ResponseCacheControl: 'private, no-store' }), { expiresIn: 60 });
    const names = (link: string) => [...new URL(link).searchParams.keys()].filter((n) => n !== 'x-id').sort();
    expect(names(url)).toEqual(names(sdkUrl));
    expect(u.searchParams.get('X-Amz-Content-Sha256')).toBe('UNSIGNED-PAYLOAD');
  });

  test('without an endpoint it addresses AWS virtual-hosted style', async () => {
    const aws = new S3AttachmentObjects(new S3Requests({ region: 'eu-west-1', credentials: async () => credentials }), 'portal-attachments');
    const u = new URL(await aws.downloadUrl('abc', 'attachment', 60));
    expect(`${u.protocol}//${u.host}${u.pathname}`).toBe('https://portal-attachments.s3.eu-west-1.amazonaws.com/files/abc');
  });
});
