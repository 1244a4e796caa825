/**
 * Attachments: files (an invoice's PDF) that staff upload to a document and portal users download.
 * No byte passes through a Lambda: an upload is a presigned PUT, checked by `complete` before it
 * shows (upload.ts); a download a short-lived presigned GET after the caller's own visibility check
 * (download.ts); deletes remove objects before records (removal.ts). These are the ports the rules
 * need of the table and the bucket: the adapters implement them, lambdas/wiring/ binds them.
 */
import type { DocumentType } from '../../contract/document-types';
import type { AttachmentContentType } from '../../contract/attachment-types';
import type { Attachment } from '../../contract/schemas/attachments';
import type { DocumentStore } from '../documents';
import type { VisibilityStore } from '../visibility';

/** At most this many completed attachments per document (and as many uploads in flight besides the completed ones). */
export const MAX_ATTACHMENTS = 20;
/** Production lifetimes of the presigned URLs; the environment may only shorten them (tests). */
export const UPLOAD_URL_SECONDS = 15 * 60;
export const DOWNLOAD_URL_SECONDS = 60;
/** A pending attachment (and its uploaded object, by the bucket's lifecycle) is forgotten after this long. */
export const PENDING_LIFETIME_SECONDS = 24 * 60 * 60;

export interface AttachmentRecord extends Attachment {
  status: 'pending' | 'ready';
  createdAt: string;
  /** When the upload URL stops working (pending ones). */
  uploadExpiresAt: string;
  completedAt?: string;
}

/** What the outcome of marking an upload complete was, as the store's transaction saw it. */
export type MarkReadyOutcome = 'done' | 'not-pending' | 'document-missing' | 'full';

/** Reads of attachment records: what the portal needs. */
export interface AttachmentReader {
  /** Every attachment record of a document, pending and ready (strongly consistent), oldest first. */
  list(type: DocumentType, id: string): Promise<AttachmentRecord[]>;
  get(type: DocumentType, id: string, attachmentId: string): Promise<AttachmentRecord | undefined>;
}

export interface AttachmentStore extends AttachmentReader {
  /** Records a pending attachment while the document exists; `false` if it does not. */
  addPending(type: DocumentType, id: string, record: AttachmentRecord, expiresAtEpochSeconds: number): Promise<boolean>;
  /** pending → ready, while the document exists and has fewer than `max` ready attachments. */
  markReady(type: DocumentType, id: string, attachmentId: string, completedAt: string, max: number): Promise<MarkReadyOutcome>;
  /** Removes the record (as it was read); `false` if it changed or went meanwhile. */
  remove(type: DocumentType, id: string, record: AttachmentRecord): Promise<boolean>;
}

/** The uploaded object as found: its stored size and type, its version tag and its first bytes. */
export interface UploadedObject {
  size: number;
  contentType: string | undefined;
  etag: string;
  head: Uint8Array;
}

/** Downloads of completed files: what the portal (and a share link) needs of the bucket. */
export interface AttachmentDownloads {
  /** A presigned GET of the completed file that makes the browser save it under `contentDisposition`. */
  downloadUrl(attachmentId: string, contentDisposition: string, expiresInSeconds: number): Promise<string>;
}

/** The bucket, in the domain's words: where an upload goes, where a completed file lives. */
export interface AttachmentObjects extends AttachmentDownloads {
  /** A presigned PUT of the upload, bound to that content type and length. */
  uploadUrl(attachmentId: string, contentType: AttachmentContentType, size: number, expiresInSeconds: number): Promise<string>;
  /** The upload as it is now, with its first `sniffBytes` bytes; `undefined` if nothing was uploaded. */
  inspectUpload(attachmentId: string, sniffBytes: number): Promise<UploadedObject | undefined>;
  /** The completed file, the same way (a completion that stored it and then failed to record it). */
  inspectStored(attachmentId: string, sniffBytes: number): Promise<UploadedObject | undefined>;
  /** Moves the upload, exactly the version `etag`, to the completed files; `false` if it changed meanwhile. */
  storeUpload(attachmentId: string, etag: string): Promise<boolean>;
  /** Deletes the upload and the completed file (either may be absent). */
  remove(attachmentId: string): Promise<void>;
}

/** The staff's side (the documents function): records, bucket, and the documents they belong to. */
export interface AttachmentDeps {
  documents: DocumentStore;
  attachments: AttachmentStore;
  objects: AttachmentObjects;
  now: () => Date;
  /** Lifetime of the presigned PUTs, in seconds (capped at UPLOAD_URL_SECONDS). */
  uploadUrlSeconds?: number;
  newId?: () => string;
}

/** What a download needs: the records to read, the bucket to sign for, the clock. */
export interface DownloadDeps {
  attachments: AttachmentReader;
  objects: AttachmentDownloads;
  now: () => Date;
  /** Lifetime of the presigned GETs, in seconds (capped at DOWNLOAD_URL_SECONDS). */
  downloadUrlSeconds?: number;
}

/** The portal's: a download behind the portal's own visibility rule. */
export interface PortalDownloadDeps extends DownloadDeps {
  documents: VisibilityStore;
}
