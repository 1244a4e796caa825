/**
 * The staff's documents function: documents and grants on the table, and their attachments (records
 * on the table, files in the bucket). Env: TABLE_NAME, ATTACHMENTS_BUCKET,
 * ATTACHMENT_UPLOAD_URL_SECONDS (optional).
 */
import { env } from '../contract/env';
import type { AttachmentDeps } from '../domain/attachments/ports';
import type { DocumentDeps } from '../domain/documents';
import type { OrderCursors } from '../domain/listing';
import { DynamoAttachmentStore } from '../adapters/dynamodb/attachments-store';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { S3AttachmentObjects } from '../adapters/s3/attachment-objects';
import { s3Requests, table } from './clients';
import { perContainer } from './container';
import { urlSeconds } from './settings';

export const documentsDeps = perContainer((): DocumentDeps & { cursors: OrderCursors } => {
  const { db, name } = table();
  return { store: new DynamoDocumentStore(db, name), contacts: new DynamoContactReader(db, name), now: () => new Date(), cursors: orderCursor };
});

export const attachmentDeps = perContainer((): AttachmentDeps => {
  const { db, name } = table();
  return {
    documents: documentsDeps().store,
    attachments: new DynamoAttachmentStore(db, name),
    objects: new S3AttachmentObjects(s3Requests(), env('attachmentsBucket')),
    now: () => new Date(),
    uploadUrlSeconds: urlSeconds('attachmentUploadUrlSeconds'),
  };
});
