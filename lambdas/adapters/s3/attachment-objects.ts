import type { AttachmentDownloads, AttachmentObjects } from '../../domain/attachments';
import { attachmentObjectKeys } from '../../../lib/attachments-bucket';
import { env } from '../../config';
import { s3Presigner, s3Requests, type S3Config, type S3Presigner, type S3Requests } from './s3-requests';

/**
 * The attachments bucket (lib/attachments-bucket.ts): an upload is `pending/<id>`, written only
 * through its presigned PUT; `storeUpload` copies exactly the checked version to `files/<id>`
 * (server-side, `x-amz-copy-source-if-match`) and deletes the upload; downloads are presigned GETs
 * of `files/<id>` that set `Content-Disposition` through `response-content-disposition`.
 */
export function s3AttachmentObjects(s3: S3Requests = s3Requests(defaultConfig()), bucket: string = env('attachmentsBucket')): AttachmentObjects {
  const keysOf = attachmentObjectKeys;

  /** HEAD, then the first bytes of that very version (If-Match): a second PUT in between means reading again. */
  async function inspect(key: string, sniffBytes: number) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = await s3.send('HEAD', bucket, key, { expect: [200, 404] });
      if (head.status === 404) return undefined;
      const etag = head.headers.get('etag') ?? '';
      const size = Number(head.headers.get('content-length'));
      const part = await s3.send('GET', bucket, key, { headers: { range: `bytes=0-${sniffBytes - 1}`, 'if-match': etag }, expect: [200, 206, 404, 412] });
      if (part.status === 404) return undefined;
      if (part.status === 412) continue;
      return { size, contentType: head.headers.get('content-type') ?? undefined, etag, head: part.body.subarray(0, sniffBytes) };
    }
    return undefined;
  }

  return {
    ...s3AttachmentDownloads(s3, bucket),

    uploadUrl: (attachmentId, contentType, size, expiresIn) =>
      s3.presign('PUT', bucket, keysOf(attachmentId).pending, { expiresIn, headers: { 'content-type': contentType, 'content-length': String(size) } }),

    inspectUpload: (attachmentId, sniffBytes) => inspect(keysOf(attachmentId).pending, sniffBytes),
    inspectStored: (attachmentId, sniffBytes) => inspect(keysOf(attachmentId).file, sniffBytes),

    async storeUpload(attachmentId, etag) {
      const { pending, file } = keysOf(attachmentId);
      const copied = await s3.send('PUT', bucket, file, {
        headers: { 'x-amz-copy-source': `/${bucket}/${pending}`, 'x-amz-copy-source-if-match': etag },
        expect: [200, 404, 412],
      });
      // S3 may answer a copy 200 and report its failure in the body.
      if (copied.status !== 200 || new TextDecoder().decode(copied.body).includes('<Error>')) return false;
      await s3.send('DELETE', bucket, pending, { expect: [204, 200, 404] });
      return true;
    },

    async remove(attachmentId) {
      const { pending, file } = keysOf(attachmentId);
      await Promise.all([pending, file].map((key) => s3.send('DELETE', bucket, key, { expect: [204, 200, 404] })));
    },
  };
}

/** Downloads only (the portal): presigned GETs of completed files, no request of its own. */
export function s3AttachmentDownloads(s3: S3Presigner = s3Presigner(defaultConfig()), bucket: string = env('attachmentsBucket')): AttachmentDownloads {
  return {
    downloadUrl: (attachmentId, contentDisposition, expiresIn) =>
      s3.presign('GET', bucket, attachmentObjectKeys(attachmentId).file, { expiresIn, query: { 'response-content-disposition': contentDisposition } }),
  };
}

/** The region from Lambda's environment; the endpoint from the SDK's own variable, set only locally. */
function defaultConfig(): S3Config {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  return { region: process.env.AWS_REGION ?? 'us-east-1', ...(endpoint ? { endpoint } : {}) };
}
