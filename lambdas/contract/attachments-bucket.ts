/**
 * The attachments bucket's layout: where uploads and completed files live and how long leftovers
 * stay. The CDK construct and its grants, the local S3 emulator and the S3 adapter all read it, so
 * they cannot drift apart (its CORS rule: cors.ts).
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
} as const;

/** The object key of an attachment's upload and of its completed file: opaque, random, never a file name. */
export const attachmentObjectKeys = (attachmentId: string) => ({
  pending: `${ATTACHMENTS_BUCKET.pendingPrefix}${attachmentId}`,
  file: `${ATTACHMENTS_BUCKET.filesPrefix}${attachmentId}`,
});
