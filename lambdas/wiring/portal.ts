/**
 * The read-only portal function: the access check, what a portal user sees, and the downloads of
 * its attachments (records read from the table, presigned GETs of the bucket). Env: TABLE_NAME,
 * ATTACHMENTS_BUCKET, ATTACHMENT_DOWNLOAD_URL_SECONDS (optional).
 */
import { env } from '../contract/env';
import type { AttachmentReader, PortalDownloadDeps } from '../domain/attachments/ports';
import type { ContactReader } from '../domain/documents';
import type { OrderCursors } from '../domain/listing';
import type { PortalSessionStore } from '../domain/portal-session';
import type { VisibilityStore } from '../domain/visibility';
import { DynamoAttachmentReader } from '../adapters/dynamodb/attachments-store';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentStore, orderCursor } from '../adapters/dynamodb/documents-store';
import { DynamoPortalSessionStore } from '../adapters/dynamodb/portal-session-store';
import { S3AttachmentDownloads } from '../adapters/s3/attachment-objects';
import { s3Presigner, table } from './clients';
import { perContainer } from './container';
import { urlSeconds } from './settings';

export interface PortalFunctionDeps extends PortalDownloadDeps {
  session: PortalSessionStore;
  documents: VisibilityStore;
  contacts: ContactReader;
  cursors: OrderCursors;
  attachments: AttachmentReader;
  /** The clock every portal decision is taken against (one reading per request). */
  now: () => Date;
}

export const portalDeps = perContainer((): PortalFunctionDeps => {
  const { db, name } = table();
  return {
    session: new DynamoPortalSessionStore(db, name),
    documents: new DynamoDocumentStore(db, name),
    contacts: new DynamoContactReader(db, name),
    cursors: orderCursor,
    attachments: new DynamoAttachmentReader(db, name),
    objects: new S3AttachmentDownloads(s3Presigner(), env('attachmentsBucket')),
    now: () => new Date(),
    downloadUrlSeconds: urlSeconds('attachmentDownloadUrlSeconds'),
  };
});
