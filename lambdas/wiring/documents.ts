/**
 * The staff's documents function: documents, grants, who has access and share links on the table,
 * and the documents' attachments (records on the table, files in the bucket). Env: TABLE_NAME,
 * PORTAL_URL (share links' base), ATTACHMENTS_BUCKET, ATTACHMENT_UPLOAD_URL_SECONDS (optional).
 */
import { env } from '../contract/env';
import type { AccessReportDeps } from '../domain/access-report';
import type { AttachmentDeps } from '../domain/attachments/ports';
import type { DocumentBatchDeps } from '../domain/documents-batch';
import type { OrderCursors } from '../domain/listing';
import type { StaffLinkDeps } from '../domain/share-links/ports';
import { DynamoAttachmentStore } from '../adapters/dynamodb/attachments-store';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { DynamoDocumentBatchStore } from '../adapters/dynamodb/documents-batch-store';
import { DynamoDocumentStore, orderCursor, positionCursor } from '../adapters/dynamodb/documents-store';
import { DynamoShareLinkStore } from '../adapters/dynamodb/share-links-store';
import { S3AttachmentObjects } from '../adapters/s3/attachment-objects';
import { s3Requests, table } from './clients';
import { perContainer } from './container';
import { urlSeconds } from './settings';

export interface DocumentsFunctionDeps extends DocumentBatchDeps {
  cursors: OrderCursors;
  /** "Who has access": the contacts (a company's persons) and the documents, by the portal's rule. */
  access: AccessReportDeps;
  links: StaffLinkDeps;
}

export const documentsDeps = perContainer((): DocumentsFunctionDeps => {
  const { db, name } = table();
  const store = new DynamoDocumentStore(db, name);
  const contacts = new DynamoContactStore(db, name);
  const now = () => new Date();
  return {
    store,
    batch: new DynamoDocumentBatchStore(db, name),
    contacts,
    now,
    cursors: orderCursor,
    access: { contacts, documents: store, cursors: positionCursor, now },
    links: { links: new DynamoShareLinkStore(db, name), documents: store, contacts, now, portalUrl: env('portalUrl') },
  };
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
