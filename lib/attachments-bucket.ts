/**
 * The attachments bucket's shape: where uploads and completed files live, how long leftovers stay,
 * and the CORS rule presigned uploads from the admin console need. The CDK construct, the local S3
 * emulator and the S3 adapter all read it, so they cannot drift apart. No CDK imports.
 */
export const ATTACHMENTS_BUCKET = {
  /** Uploads land here (`pending/<attachmentId>`); `complete` moves a checked one to `files/`. */
  pendingPrefix: 'pending/',
  /** Completed attachments (`files/<attachmentId>`): never written by a presigned URL. */
  filesPrefix: 'files/',
  /** Uploads never completed are deleted by the lifecycle after this many days. */
  pendingExpiryDays: 1,
  /** Incomplete multipart uploads (none are made, but a PUT can start one) are aborted after this many days. */
  abortMultipartDays: 1,
  /** A deleted object stays recoverable (a noncurrent version) this many days, then the lifecycle removes it. */
  deletedRetentionDays: 7,
  /** The browser's presigned PUT from an admin origin: only that method, only that header. */
  uploadCors: { methods: ['PUT'], headers: ['content-type'], exposedHeaders: ['ETag'], maxAgeSeconds: 3000 },
} as const;

/** The object key of an attachment's upload and of its completed file: opaque, random, never a file name. */
export const attachmentObjectKeys = (attachmentId: string) => ({
  pending: `${ATTACHMENTS_BUCKET.pendingPrefix}${attachmentId}`,
  file: `${ATTACHMENTS_BUCKET.filesPrefix}${attachmentId}`,
});
