/**
 * The public share-link function (the holder of a link): the link items, the documents and the
 * contacts read by key, a document's attachment records (by key, or its collection's `ATTACHMENT#`
 * items), and presigned downloads of completed files.
 * Env: TABLE_NAME, ATTACHMENTS_BUCKET, ATTACHMENT_DOWNLOAD_URL_SECONDS (optional).
 */
import { env } from '../contract/env';
import { sharedAttachments } from '../domain/attachments/download';
import type { SharedDeps } from '../domain/share-links/ports';
import { DynamoAttachmentReader } from '../adapters/dynamodb/attachments-store';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentStore } from '../adapters/dynamodb/documents-store';
import { DynamoShareLinkStore } from '../adapters/dynamodb/share-links-store';
import { S3AttachmentDownloads } from '../adapters/s3/attachment-objects';
import { s3Presigner, table } from './clients';
import { perContainer } from './container';
import { urlSeconds } from './settings';

export const sharedDeps = perContainer((): SharedDeps => {
  const { db, name } = table();
  return {
    links: new DynamoShareLinkStore(db, name),
    documents: new DynamoDocumentStore(db, name),
    contacts: new DynamoContactReader(db, name),
    attachments: sharedAttachments({
      attachments: new DynamoAttachmentReader(db, name),
      objects: new S3AttachmentDownloads(s3Presigner(), env('attachmentsBucket')),
      now: () => new Date(),
      downloadUrlSeconds: urlSeconds('attachmentDownloadUrlSeconds'),
    }),
    now: () => new Date(),
  };
});
