/**
 * Downloads, for a caller that sees the document now: a short-lived presigned GET that makes the
 * browser save the file under its name. The portal checks its visibility rule (the same 404 as the
 * document); a share link checks that it lives and names the document (domain/share-links/shared.ts).
 */
import type { DocumentType } from '../../contract/document-types';
import { NotFound } from '../../contract/errors';
import type { Download, PortalDocument } from '../../contract/schemas/attachments';
import type { SharedAttachments } from '../share-links/ports';
import type { PortalCaller } from '../portal-session';
import { portalDocument } from '../visibility';
import { contentDisposition } from './content';
import { DOWNLOAD_URL_SECONDS, type AttachmentReader, type DownloadDeps, type PortalDownloadDeps } from './ports';
import { lifetime, plus, publicView } from './records';

/**
 * Starts a read beside the caller's check and hands it over only once the check has passed: a
 * refused caller gets the check's answer (401, 404), never the read's failure.
 */
async function afterCheck<C, T>(check: () => Promise<C>, read: () => Promise<T>): Promise<[C, T]> {
  const early = read();
  early.catch(() => undefined); // awaited below once the check passed; until then not unhandled
  const checked = await check();
  return [checked, await early];
}

/**
 * A presigned GET of a completed attachment, for a caller that `mayRead` the document (it throws —
 * NotFound, Unauthenticated — when not). An attachment that is pending or of another document is
 * `NotFound`.
 */
export async function downloadAttachment(
  deps: DownloadDeps,
  type: DocumentType,
  id: string,
  attachmentId: string,
  mayRead: () => Promise<unknown>,
): Promise<Download> {
  const [, record] = await afterCheck(mayRead, () => deps.attachments.get(type, id, attachmentId));
  if (!record || record.status !== 'ready') throw new NotFound('No such attachment.');
  const ttl = lifetime(deps.downloadUrlSeconds, DOWNLOAD_URL_SECONDS);
  const expiresAt = plus(deps.now(), ttl).toISOString();
  return { url: await deps.objects.downloadUrl(attachmentId, contentDisposition(record.fileName), ttl), expiresAt };
}

/** The portal's download: an attachment of a document the portal user sees at the request's time (else the document's 404, or the access check's 401). */
export function downloadVisibleAttachment(deps: PortalDownloadDeps, caller: PortalCaller, type: DocumentType, id: string, attachmentId: string): Promise<Download> {
  return downloadAttachment(deps, type, id, attachmentId, () => portalDocument(deps.documents, caller, type, id));
}

/**
 * The share links' port: `viewShared` and `sharedAttachment` have checked, before they ask, that the
 * link lives and names this document, so nothing is left to check here. Only completed attachments
 * show; one that is pending or of another document is `NotFound`.
 */
export const sharedAttachments = (deps: DownloadDeps): SharedAttachments => ({
  list: async (type, id) => (await deps.attachments.list(type, id)).filter((r) => r.status === 'ready').map(publicView),
  download: (type, id, attachmentId) => downloadAttachment(deps, type, id, attachmentId, async () => undefined),
});

/** A document the portal user sees, with its completed attachments (read beside the check, shown only once the document is visible). */
export async function visibleDocument(
  deps: { documents: PortalDownloadDeps['documents']; attachments: AttachmentReader },
  caller: PortalCaller,
  type: DocumentType,
  id: string,
): Promise<PortalDocument> {
  const [document, records] = await afterCheck(() => portalDocument(deps.documents, caller, type, id), () => deps.attachments.list(type, id));
  return { ...document, attachments: records.filter((r) => r.status === 'ready').map(publicView) };
}
