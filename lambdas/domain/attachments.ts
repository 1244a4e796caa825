/**
 * Attachments: files (an invoice's PDF) that staff upload to a document and portal users download.
 *
 * Upload is two steps, so that no byte passes through a Lambda: `announceUpload` records a pending
 * attachment and hands out a presigned PUT bound to the declared type and size; `completeUpload`
 * checks the object that arrived (size, type, leading bytes) and only then makes it visible. A
 * download is a short-lived presigned GET, handed out by `downloadAttachment` after the caller's
 * own visibility check (the portal's, or later a share link's). Deleting a document removes its
 * attachments' objects first and their records after, so a repeat completes what a failure left.
 */
import { randomBytes } from 'node:crypto';
import type { DocumentType } from './document-types';
import type { DocumentStore } from './documents';
import { deleteDocument } from './documents';
import { contentDisposition, contentProblem, SNIFF_BYTES, type AttachmentContentType } from './attachment-content';
import { Conflict, NotFound } from './errors';
import type { Attachment, CreateAttachmentInput } from '../schemas/attachments';

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
  /** Every attachment record of a document, pending and ready (strongly consistent). */
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

export interface AttachmentDeps {
  attachments: AttachmentStore;
  objects: AttachmentObjects;
  now: () => Date;
  /** Lifetimes of the presigned URLs, in seconds (capped at the production values above). */
  uploadUrlSeconds?: number;
  downloadUrlSeconds?: number;
  newId?: () => string;
}

/** What a download needs: the records to read, the bucket to sign for, the clock. */
export interface DownloadDeps {
  attachments: AttachmentReader;
  objects: AttachmentDownloads;
  now: () => Date;
  downloadUrlSeconds?: number;
}

export interface StaffAttachmentDeps extends AttachmentDeps {
  documents: DocumentStore;
}

const full = () => new Conflict(`A document can have at most ${MAX_ATTACHMENTS} attachments; delete one first.`);
const seconds = (wanted: number | undefined, max: number) => Math.min(max, Math.max(1, Math.floor(wanted ?? max)));
const plus = (at: Date, s: number) => new Date(at.getTime() + s * 1000);
const publicView = ({ id, fileName, contentType, size }: AttachmentRecord): Attachment => ({ id, fileName, contentType, size });

/** A pending record past its lifetime is gone, whether or not the table's TTL has removed it yet. */
const alive = (record: AttachmentRecord, now: Date) =>
  record.status === 'ready' || plus(new Date(record.createdAt), PENDING_LIFETIME_SECONDS) > now;

async function documentMustExist(deps: StaffAttachmentDeps, type: DocumentType, id: string): Promise<void> {
  if (!(await deps.documents.get(type, id))) throw new NotFound('No such document.');
}

/** The document's completed attachments, oldest first, and (for staff) its uploads in flight. */
export async function listAttachments(
  deps: StaffAttachmentDeps,
  type: DocumentType,
  id: string,
): Promise<{ items: Attachment[]; pending: (Attachment & { expiresAt: string })[] }> {
  const [records] = await Promise.all([deps.attachments.list(type, id), documentMustExist(deps, type, id)]);
  const now = deps.now();
  const live = records.filter((r) => alive(r, now));
  return {
    items: live.filter((r) => r.status === 'ready').map(publicView),
    pending: live.filter((r) => r.status === 'pending').map((r) => ({ ...publicView(r), expiresAt: r.uploadExpiresAt })),
  };
}

/** Records a pending attachment and answers the presigned PUT its file goes to. */
export async function announceUpload(
  deps: StaffAttachmentDeps,
  type: DocumentType,
  id: string,
  input: CreateAttachmentInput,
): Promise<{ id: string; uploadUrl: string; expiresAt: string; uploadHeaders: Record<string, string> }> {
  const [records] = await Promise.all([deps.attachments.list(type, id), documentMustExist(deps, type, id)]);
  const now = deps.now();
  const ready = records.filter((r) => r.status === 'ready').length;
  const inFlight = records.filter((r) => r.status === 'pending' && new Date(r.uploadExpiresAt) > now).length;
  if (ready >= MAX_ATTACHMENTS) throw full();
  if (inFlight >= MAX_ATTACHMENTS) throw new Conflict(`At most ${MAX_ATTACHMENTS} uploads of a document can be under way; complete or delete some first.`);

  const ttl = seconds(deps.uploadUrlSeconds, UPLOAD_URL_SECONDS);
  const record: AttachmentRecord = {
    id: (deps.newId ?? (() => randomBytes(16).toString('base64url')))(),
    fileName: input.fileName,
    contentType: input.contentType,
    size: input.size,
    status: 'pending',
    createdAt: now.toISOString(),
    uploadExpiresAt: plus(now, ttl).toISOString(),
  };
  const forgetAt = Math.ceil(plus(now, PENDING_LIFETIME_SECONDS).getTime() / 1000);
  if (!(await deps.attachments.addPending(type, id, record, forgetAt))) throw new NotFound('No such document.');
  const uploadUrl = await deps.objects.uploadUrl(record.id, record.contentType, record.size, ttl);
  return { id: record.id, uploadUrl, expiresAt: record.uploadExpiresAt, uploadHeaders: { 'Content-Type': record.contentType } };
}

/**
 * Makes an uploaded attachment visible once the object is there and is what was announced: the
 * same size and type, and leading bytes that fit the type. Completing a completed one answers it
 * again. The checked version of the object is the one stored (a second PUT meanwhile is a 409).
 */
export async function completeUpload(deps: StaffAttachmentDeps, type: DocumentType, id: string, attachmentId: string): Promise<Attachment> {
  const [records] = await Promise.all([deps.attachments.list(type, id), documentMustExist(deps, type, id)]);
  const record = records.find((r) => r.id === attachmentId);
  if (!record || !alive(record, deps.now())) throw new NotFound('No such attachment.');
  if (record.status === 'ready') return publicView(record);
  // Checked before anything is copied; the transaction below holds the line against a race.
  if (records.filter((r) => r.status === 'ready').length >= MAX_ATTACHMENTS) throw full();

  // An upload waiting, or else a file stored by an earlier completion that failed before recording it.
  const waiting = await deps.objects.inspectUpload(attachmentId, SNIFF_BYTES);
  const upload = waiting ?? (await deps.objects.inspectStored(attachmentId, SNIFF_BYTES));
  if (!upload) throw new Conflict('Nothing has been uploaded for this attachment yet: PUT the file to its uploadUrl first.');
  if (upload.size !== record.size) throw new Conflict(`The uploaded file has ${upload.size} bytes, not the ${record.size} announced.`);
  if (upload.contentType !== record.contentType)
    throw new Conflict(`The upload was sent as ${upload.contentType ?? 'no content type'}, not ${record.contentType}.`);
  const problem = contentProblem(upload.head, record.contentType);
  if (problem) throw new Conflict(`${problem} Upload the right file again to the same uploadUrl, or delete this attachment.`);

  if (waiting && !(await deps.objects.storeUpload(attachmentId, upload.etag)))
    throw new Conflict('The upload changed while it was being checked; complete it again.');
  const outcome = await deps.attachments.markReady(type, id, attachmentId, deps.now().toISOString(), MAX_ATTACHMENTS);
  switch (outcome) {
    case 'done':
      return publicView(record);
    case 'not-pending': {
      // Completed (or deleted) by a concurrent request: answer what is there now.
      const now = await deps.attachments.get(type, id, attachmentId);
      if (now?.status === 'ready') return publicView(now);
      await deps.objects.remove(attachmentId);
      throw new NotFound('No such attachment.');
    }
    case 'document-missing':
      await deps.objects.remove(attachmentId);
      throw new NotFound('No such document.');
    case 'full':
      // Lost a race for the last place: the stored copy goes, so that no file outlives its record.
      await deps.objects.remove(attachmentId);
      throw full();
  }
}

/** Deletes an attachment, pending or completed: its objects first, then its record (again if it was completed meanwhile). */
export async function deleteAttachment(deps: StaffAttachmentDeps, type: DocumentType, id: string, attachmentId: string): Promise<void> {
  await documentMustExist(deps, type, id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const record = await deps.attachments.get(type, id, attachmentId);
    if (!record) {
      if (attempt === 0) throw new NotFound('No such attachment.');
      return;
    }
    await deps.objects.remove(attachmentId);
    if (await deps.attachments.remove(type, id, record)) return;
  }
  throw new Conflict('The attachment is being changed concurrently; please retry.');
}

/** Removes every attachment of a document, objects before records (a failure half-way is completed by a repeat). */
export async function purgeAttachments(deps: AttachmentDeps, type: DocumentType, id: string): Promise<void> {
  const records = await deps.attachments.list(type, id);
  await Promise.all(
    records.map(async (record) => {
      await deps.objects.remove(record.id);
      // A record changed meanwhile (completed) is removed by the purge that follows the document's delete.
      await deps.attachments.remove(type, id, record);
    }),
  );
}

/**
 * Withdraws a document with its attachments. The attachments go first (a document being deleted may
 * lose them early, never keep them late), then the document; then once more, for an upload completed
 * in between. A document already gone still has its leftovers purged before the 404.
 */
export async function deleteDocumentAndAttachments(deps: StaffAttachmentDeps, type: DocumentType, id: string): Promise<void> {
  await purgeAttachments(deps, type, id);
  await deleteDocument({ store: deps.documents }, type, id);
  await purgeAttachments(deps, type, id);
}

/** The completed attachments a portal user is shown with a document it sees. */
export async function visibleAttachments(deps: { attachments: AttachmentReader }, type: DocumentType, id: string): Promise<Attachment[]> {
  return (await deps.attachments.list(type, id)).filter((r) => r.status === 'ready').map(publicView);
}

/**
 * A short-lived presigned GET of a completed attachment, for a caller that `mayRead` the document
 * (it throws — NotFound, Unauthenticated — when not). The portal passes its visibility check; a
 * share link passes its own. An attachment that is pending or of another document is `NotFound`.
 */
export async function downloadAttachment(
  deps: DownloadDeps,
  type: DocumentType,
  id: string,
  attachmentId: string,
  mayRead: () => Promise<unknown>,
): Promise<{ url: string; expiresAt: string }> {
  const [, record] = await Promise.all([mayRead(), deps.attachments.get(type, id, attachmentId)]);
  if (!record || record.status !== 'ready') throw new NotFound('No such attachment.');
  const ttl = seconds(deps.downloadUrlSeconds, DOWNLOAD_URL_SECONDS);
  const expiresAt = plus(deps.now(), ttl).toISOString();
  return { url: await deps.objects.downloadUrl(attachmentId, contentDisposition(record.fileName), ttl), expiresAt };
}
