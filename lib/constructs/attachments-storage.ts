import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ATTACHMENTS_BUCKET } from '../../lambdas/contract/attachments-bucket';
import { UPLOAD_CORS } from '../../lambdas/contract/cors';

export interface AttachmentsStorageProps {
  /** The admin console's origin and the stage's other admin origins: the only ones that may PUT an upload from a browser. */
  readonly adminOrigins: readonly string[];
}

/**
 * The private bucket of the documents' attachments (lambdas/contract/attachments-bucket.ts has its
 * layout, lambdas/contract/cors.ts its CORS rule).
 *
 * - Encryption: S3-managed keys (SSE-S3). Access is decided by IAM and by presigned URLs, which
 *   KMS would not narrow: the signer needs `kms:Decrypt` for every download anyway, and SSE-KMS
 *   adds a KMS request per GET/PUT and a key to pay for and manage.
 * - Versioning: on, so that a deleted document's files (a mistaken DELETE from an integration)
 *   stay recoverable for `deletedRetentionDays`, after which the lifecycle removes them for good —
 *   a bound that holds for stragglers too. Objects are never overwritten otherwise (random keys).
 * - Lifecycle: uploads never completed (`pending/`) expire after a day; incomplete multipart
 *   uploads are aborted; noncurrent versions (deleted or replaced objects) expire, and the delete
 *   markers left behind are removed.
 * - CORS: PUT with `Content-Type` from the admin origins only (the upload); downloads are plain
 *   navigations to a presigned URL and need none.
 * - Server access logs go to a bucket of their own, kept 90 days.
 */
export class AttachmentsStorage extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: AttachmentsStorageProps) {
    super(scope, id);
    // The log bucket admits S3's log delivery by bucket policy, not by an ACL (ACLs stay disabled).
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const layout = ATTACHMENTS_BUCKET;
    const privateBucket = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...privateBucket,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucket,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'attachments/',
      cors: [
        {
          allowedOrigins: [...props.adminOrigins],
          allowedMethods: UPLOAD_CORS.allowMethods.map((m) => s3.HttpMethods[m]),
          allowedHeaders: [...UPLOAD_CORS.allowHeaders],
          exposedHeaders: [...UPLOAD_CORS.exposeHeaders],
          maxAge: UPLOAD_CORS.maxAgeSeconds,
        },
      ],
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(layout.abortMultipartDays) },
        {
          id: 'expire-uploads-never-completed',
          prefix: layout.pendingPrefix,
          expiration: Duration.days(layout.pendingExpiryDays),
          noncurrentVersionExpiration: Duration.days(layout.pendingExpiryDays),
        },
        {
          id: 'remove-deleted-objects',
          noncurrentVersionExpiration: Duration.days(layout.deletedRetentionDays),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
  }
}
