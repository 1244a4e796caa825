/**
 * The holder of a share link: the document (one view counted) and its attachments (no view). A link
 * that is unknown, expired, revoked or used up, whose document is deleted (or replaced by another
 * under the same id) or moved to another customer, or whose recipient is or was archived since is `LinkGone`, always with the same detail, after
 * the same reads: the answer tells nothing about which it was, neither by its body nor by its time.
 */
import type { DocumentType } from '../../contract/document-types';
import { LinkGone } from '../../contract/errors';
import type { PortalDocument } from '../../contract/schemas/attachments';
import type { Document } from '../../contract/schemas/documents';
import { hashToken } from '../tokens';
import { opens, type ShareLink } from './links';
import type { SharedDeps } from './ports';

/** The one answer to every dead link. */
export const LINK_GONE_DETAIL = 'This link cannot be used any more. Ask the sender for a new one.';
const gone = () => new LinkGone(LINK_GONE_DETAIL);

/**
 * Read in place of a link's document and recipient when the token names no link: keys no real
 * document or contact can have (`~` is in neither id alphabet), so that an unknown token costs the
 * same reads, and the same time, as a dead link.
 */
const DECOY = { type: 'invoice' as DocumentType, documentId: '~', contactId: '~' };

/**
 * The link and its document, if the link lives at this moment; `LinkGone` otherwise. `alongside`
 * reads more of the target (the link's document, or the decoy's) beside the document and the
 * recipient: the same reads whether the link lives or not.
 */
async function resolve<T = undefined>(
  deps: Omit<SharedDeps, 'attachments'>,
  token: string,
  alongside?: (type: DocumentType, documentId: string) => Promise<T>,
): Promise<{ link: ShareLink; document: Document; more: T }> {
  const link = await deps.links.get(hashToken(token));
  const target = link ?? DECOY;
  const [stored, recipient, more] = await Promise.all([
    deps.documents.get(target.type, target.documentId),
    deps.contacts.get(target.contactId ?? DECOY.contactId),
    alongside?.(target.type, target.documentId) as Promise<T>,
  ]);
  if (link === undefined || stored === undefined || !opens(link, stored, recipient, deps.now())) throw gone();
  return { link, document: stored.document, more };
}

/**
 * The shared document with its completed attachments (what the holder may download), counted as one
 * view. The count is the only write, and the last step: a view is counted only once everything it
 * shows has been read, so a read that fails (a `503`) never uses up a view the holder did not get.
 * Of concurrent views of a last view, one wins. The attachments are read beside the document, the
 * decoy's for an unknown token, so a dead link's answer costs the same reads.
 */
export async function viewShared(deps: SharedDeps, token: string): Promise<PortalDocument> {
  const { link, document, more: attachments } = await resolve(deps, token, (type, documentId) => deps.attachments.list(type, documentId));
  if (!(await deps.links.countView(link.tokenHash, deps.now().toISOString()))) throw gone();
  return { ...document, attachments };
}

/** A download of one of the shared document's attachments while the link lives; counts no view. */
export async function sharedAttachment(deps: SharedDeps, token: string, attachmentId: string): Promise<{ url: string; expiresAt: string }> {
  const { link } = await resolve(deps, token);
  return deps.attachments.download(link.type, link.documentId, attachmentId);
}
