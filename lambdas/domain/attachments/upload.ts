/**
 * Staff upload in two steps, so that no byte passes through a Lambda: `announceUpload` records a
 * pending attachment and hands out a presigned PUT bound to the declared type and size;
 * `completeUpload` checks the object that arrived (size, type, leading bytes) and only then makes
 * it visible. `listAttachments` shows both kinds.
 */
import { randomBytes } from 'node:crypto';
import type { DocumentType } from '../../contract/document-types';
import { Conflict, NotFound } from '../../contract/errors';
import type { Attachment, AttachmentList, CreateAttachmentInput, UploadTicket } from '../../contract/schemas/attachments';
import { contentProblem, SNIFF_BYTES } from './content';
import { MAX_ATTACHMENTS, PENDING_LIFETIME_SECONDS, UPLOAD_URL_SECONDS, type AttachmentDeps, type AttachmentRecord } from './ports';
import { alive, documentMustExist, full, lifetime, plus, publicView } from './records';

/** The records of a document that must exist (read side by side). */
async function recordsOf(deps: AttachmentDeps, type: DocumentType, id: string): Promise<AttachmentRecord[]> {
  const [records] = await Promise.all([deps.attachments.list(type, id), documentMustExist(deps.documents, type, id)]);
  return records;
}

/** The document's completed attachments, oldest first, and its uploads in flight. */
export async function listAttachments(deps: AttachmentDeps, type: DocumentType, id: string): Promise<AttachmentList> {
  const now = deps.now();
  const live = (await recordsOf(deps, type, id)).filter((r) => alive(r, now));
  return {
    items: live.filter((r) => r.status === 'ready').map(publicView),
    pending: live.filter((r) => r.status === 'pending').map((r) => ({ ...publicView(r), expiresAt: r.uploadExpiresAt })),
  };
}

/** Records a pending attachment and answers the presigned PUT its file goes to. */
export async function announceUpload(deps: AttachmentDeps, type: DocumentType, id: string, input: CreateAttachmentInput): Promise<UploadTicket> {
  const records = await recordsOf(deps, type, id);
  const now = deps.now();
  const ready = records.filter((r) => r.status === 'ready').length;
  const inFlight = records.filter((r) => r.status === 'pending' && new Date(r.uploadExpiresAt) > now).length;
  if (ready >= MAX_ATTACHMENTS) throw full();
  if (inFlight >= MAX_ATTACHMENTS) throw new Conflict(`At most ${MAX_ATTACHMENTS} uploads of a document can be under way; complete or delete some first.`);

  const ttl = lifetime(deps.uploadUrlSeconds, UPLOAD_URL_SECONDS);
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
 * Whether the version checked (`etag`) is the stored file already: a concurrent completion of the same
 * upload copied it first (a copy keeps a single-part object's ETag, its MD5), so this one finishes as
 * that one does rather than calling the upload changed.
 */
async function storedMeanwhile(deps: AttachmentDeps, attachmentId: string, etag: string): Promise<boolean> {
  return (await deps.objects.inspectStored(attachmentId, SNIFF_BYTES))?.etag === etag;
}

/**
 * Makes an uploaded attachment visible once the object is there and is what was announced: the
 * same size and type, and leading bytes that fit the type. Completing a completed one answers it
 * again. The checked version of the object is the one stored (a second PUT meanwhile is a 409).
 */
export async function completeUpload(deps: AttachmentDeps, type: DocumentType, id: string, attachmentId: string): Promise<Attachment> {
  const records = await recordsOf(deps, type, id);
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

  if (waiting && !(await deps.objects.storeUpload(attachmentId, upload.etag)) && !(await storedMeanwhile(deps, attachmentId, upload.etag)))
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
