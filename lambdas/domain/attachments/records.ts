/** What an attachment record shows, how long a pending one and a presigned URL live, and the refusals the rules share. */
import type { DocumentType } from '../../contract/document-types';
import { Conflict, NotFound } from '../../contract/errors';
import type { Attachment } from '../../contract/schemas/attachments';
import type { DocumentStore } from '../documents';
import { MAX_ATTACHMENTS, PENDING_LIFETIME_SECONDS, type AttachmentRecord } from './ports';

export const full = () => new Conflict(`A document can have at most ${MAX_ATTACHMENTS} attachments; delete one first.`);

/** A URL's lifetime: what the deployment asks for, at least 1 s, never beyond the production `max`. */
export const lifetime = (wanted: number | undefined, max: number) => Math.min(max, Math.max(1, Math.floor(wanted ?? max)));

export const plus = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

export const publicView = ({ id, fileName, contentType, size }: AttachmentRecord): Attachment => ({ id, fileName, contentType, size });

/** A pending record past its lifetime is gone, whether or not the table's TTL has removed it yet. */
export const alive = (record: AttachmentRecord, now: Date) =>
  record.status === 'ready' || plus(new Date(record.createdAt), PENDING_LIFETIME_SECONDS) > now;

export async function documentMustExist(documents: DocumentStore, type: DocumentType, id: string): Promise<void> {
  if (!(await documents.get(type, id))) throw new NotFound('No such document.');
}
