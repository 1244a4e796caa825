/**
 * Deleting attachments, alone or with their document: objects first, records after, so that a
 * failure half-way leaves a record pointing at nothing rather than a file no record points to, and a
 * repeat completes what is left.
 */
import type { DocumentType } from '../../contract/document-types';
import { Conflict, NotFound } from '../../contract/errors';
import { deleteDocument } from '../documents';
import type { AttachmentDeps } from './ports';
import { documentMustExist } from './records';

/** Deletes an attachment, pending or completed: its objects first, then its record (again if it was completed meanwhile). */
export async function deleteAttachment(deps: AttachmentDeps, type: DocumentType, id: string, attachmentId: string): Promise<void> {
  await documentMustExist(deps.documents, type, id);
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
export async function purgeAttachments(deps: Pick<AttachmentDeps, 'attachments' | 'objects'>, type: DocumentType, id: string): Promise<void> {
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
export async function deleteDocumentAndAttachments(deps: AttachmentDeps, type: DocumentType, id: string): Promise<void> {
  await purgeAttachments(deps, type, id);
  await deleteDocument({ store: deps.documents }, type, id);
  await purgeAttachments(deps, type, id);
}
