/**
 * The attachments bucket (contract/attachments-bucket.ts): an upload is `pending/<id>`, written only
 * through its presigned PUT; `storeUpload` copies exactly the checked version to `files/<id>`
 * (server-side, `x-amz-copy-source-if-match`) and deletes the upload; downloads are presigned GETs
 * of `files/<id>` that set `Content-Disposition` and `Cache-Control` through S3's `response-*` overrides.
 */
import { attachmentObjectKeys } from '../../contract/attachments-bucket';
import type { AttachmentContentType } from '../../contract/attachment-types';
import type { AttachmentDownloads, AttachmentObjects, UploadedObject } from '../../domain/attachments/ports';
import type { S3Presigner, S3Requests } from './s3-client';

/** Statuses of a DELETE that all mean "gone now". */
const DELETED = [204, 200, 404] as const;

/** Downloads only (the portal): presigned GETs of completed files, no request of its own. */
export class S3AttachmentDownloads implements AttachmentDownloads {
  readonly #s3: S3Presigner;
  readonly #bucket: string;

  constructor(s3: S3Presigner, bucket: string) {
    [this.#s3, this.#bucket] = [s3, bucket];
  }

  downloadUrl(attachmentId: string, contentDisposition: string, expiresIn: number): Promise<string> {
    // A customer's file: no shared cache may serve it again, and the browser keeps no copy after sign-out.
    const query = { 'response-content-disposition': contentDisposition, 'response-cache-control': 'private, no-store' };
    return this.#s3.presign('GET', this.#bucket, attachmentObjectKeys(attachmentId).file, { expiresIn, query });
  }
}

/** The staff's side (the documents function): upload URLs, the checks' reads, the copy, the deletes. */
export class S3AttachmentObjects extends S3AttachmentDownloads implements AttachmentObjects {
  readonly #s3: S3Requests;
  readonly #bucket: string;

  constructor(s3: S3Requests, bucket: string) {
    super(s3, bucket);
    [this.#s3, this.#bucket] = [s3, bucket];
  }

  uploadUrl(attachmentId: string, contentType: AttachmentContentType, size: number, expiresIn: number): Promise<string> {
    const headers = { 'content-type': contentType, 'content-length': String(size) };
    return this.#s3.presign('PUT', this.#bucket, attachmentObjectKeys(attachmentId).pending, { expiresIn, headers });
  }

  inspectUpload(attachmentId: string, sniffBytes: number): Promise<UploadedObject | undefined> {
    return this.#inspect(attachmentObjectKeys(attachmentId).pending, sniffBytes);
  }

  inspectStored(attachmentId: string, sniffBytes: number): Promise<UploadedObject | undefined> {
    return this.#inspect(attachmentObjectKeys(attachmentId).file, sniffBytes);
  }

  async storeUpload(attachmentId: string, etag: string): Promise<boolean> {
    const { pending, file } = attachmentObjectKeys(attachmentId);
    const copied = await this.#s3.send('PUT', this.#bucket, file, {
      headers: { 'x-amz-copy-source': `/${this.#bucket}/${pending}`, 'x-amz-copy-source-if-match': etag },
      expect: [200, 404, 412],
    });
    // S3 may answer a copy 200 and report its failure in the body.
    if (copied.status !== 200 || new TextDecoder().decode(copied.body).includes('<Error>')) return false;
    await this.#s3.send('DELETE', this.#bucket, pending, { expect: DELETED });
    return true;
  }

  async remove(attachmentId: string): Promise<void> {
    const { pending, file } = attachmentObjectKeys(attachmentId);
    await Promise.all([pending, file].map((key) => this.#s3.send('DELETE', this.#bucket, key, { expect: DELETED })));
  }

  /** HEAD, then the first bytes of that very version (If-Match): a second PUT in between means reading again. */
  async #inspect(key: string, sniffBytes: number): Promise<UploadedObject | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = await this.#s3.send('HEAD', this.#bucket, key, { expect: [200, 404] });
      if (head.status === 404) return undefined;
      const etag = head.headers.get('etag') ?? '';
      const size = Number(head.headers.get('content-length'));
      const range = { range: `bytes=0-${sniffBytes - 1}`, 'if-match': etag };
      const part = await this.#s3.send('GET', this.#bucket, key, { headers: range, expect: [200, 206, 404, 412] });
      if (part.status === 404) return undefined;
      if (part.status === 412) continue;
      return { size, contentType: head.headers.get('content-type') ?? undefined, etag, head: part.body.subarray(0, sniffBytes) };
    }
    return undefined;
  }
}
