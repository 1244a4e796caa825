/**
 * The staff's share links of a document: create one (its URL shown only in this answer), list them
 * (never a token or a hash), revoke one at once. Creating and revoking are audited on the
 * document's customer, in the same transaction as the change.
 */
import { randomUUID } from 'node:crypto';
import type { DocumentType } from '../../contract/document-types';
import { Conflict, Invalid, NotFound } from '../../contract/errors';
import { ENDED_LINK_KEPT_DAYS, MAX_LINKS_PER_DOCUMENT } from '../../contract/share-links';
import type { CreateLinkInput, ShareLinkView } from '../../contract/schemas/share-links';
import { auditEntry } from '../audit';
import { archivedContact, type StoredDocument } from '../documents';
import { hashToken, newToken } from '../tokens';
import { keptUntil, linkExpiry, onRecord, opens, shareLinkUrl, toView, type ShareLink } from './links';
import type { StaffLinkDeps } from './ports';

/** Each round of a race for the document's link guard has one winner; the losers read again. */
const ATTEMPTS = 10;
// Stryker disable next-line ArithmeticOperator,MethodExpression,ArrowFunction: the pause's length is timing, not an outcome a test can tell apart.
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(10 * attempt, 100)));

export interface CreatedLink {
  id: string;
  url: string;
  expiresAt: string;
  maxViews?: number;
  views: number;
}

async function existing(deps: Pick<StaffLinkDeps, 'documents'>, type: DocumentType, id: string): Promise<StoredDocument> {
  const stored = await deps.documents.get(type, id);
  if (!stored) throw new NotFound('No such document.');
  return stored;
}

const linkDetails = (link: ShareLink) => ({ linkId: link.id, documentType: link.type, documentId: link.documentId });

export async function createLink(deps: StaffLinkDeps, type: DocumentType, id: string, input: CreateLinkInput, actor: string): Promise<CreatedLink> {
  for (let attempt = 1; ; attempt++) {
    const { document } = await existing(deps, type, id);
    const now = deps.now();
    const expiresAt = linkExpiry(input.expiresAt, now);
    if (input.contactId !== undefined) {
      const recipient = await deps.contacts.get(input.contactId);
      if (!recipient) throw new Invalid(`No such contact: ${input.contactId}.`, 'contactId');
      if (recipient.archived) throw new Invalid(archivedContact(input.contactId), 'contactId');
    }
    const { links, guardVersion } = await deps.links.ofDocument(type, id);
    const onRecordNow = links.filter((link) => onRecord(link, document.createdAt, now));
    if (onRecordNow.length >= MAX_LINKS_PER_DOCUMENT) throw fullDocument(onRecordNow);

    const token = newToken();
    const at = now.toISOString();
    const link: ShareLink = {
      id: (deps.newId ?? randomUUID)(),
      tokenHash: hashToken(token),
      type,
      documentId: id,
      documentCreatedAt: document.createdAt,
      documentCustomerId: document.customerId,
      ...(input.contactId === undefined ? {} : { contactId: input.contactId }),
      createdBy: actor,
      createdAt: at,
      expiresAt,
      ...(input.maxViews === undefined ? {} : { maxViews: input.maxViews }),
      views: 0,
    };
    const audit = auditEntry('link.created', document.customerId, actor, at, {
      ...linkDetails(link),
      ...(link.contactId === undefined ? {} : { contactId: link.contactId }),
      expiresAt,
      ...(link.maxViews === undefined ? {} : { maxViews: link.maxViews }),
    });
    if (await deps.links.create(link, guardVersion, audit)) {
      return { id: link.id, url: shareLinkUrl(deps.portalUrl, token), expiresAt, ...(link.maxViews === undefined ? {} : { maxViews: link.maxViews }), views: 0 };
    }
    // Another link was created, the document replaced by a new one, or the recipient archived meanwhile: read again.
    if (attempt >= ATTEMPTS) throw new Conflict('The document’s share links are being changed concurrently; please retry.');
    await pause(attempt);
  }
}

/**
 * The refusal of one link more than MAX_LINKS_PER_DOCUMENT. Revoking frees no place now (a revoked
 * link stays on record a week, as an expired one), so the answer says so, and when the first place frees.
 */
function fullDocument(onRecordNow: readonly ShareLink[]): Conflict {
  const nextPlace = Math.min(...onRecordNow.map((link) => keptUntil(link).getTime()));
  return new Conflict(
    `A document can have at most ${MAX_LINKS_PER_DOCUMENT} share links on record: its live links, and its expired or revoked ones for ${ENDED_LINK_KEPT_DAYS} days after they ended (a link revoked now frees its place only ${ENDED_LINK_KEPT_DAYS} days from now). The next place frees at ${new Date(nextPlace).toISOString()}.`,
  );
}

/**
 * The document's links on record, newest first, each saying whether it opens the document now by the
 * holder's own rule (`opens`): a link of a document moved to another customer, or of an archived
 * recipient, is listed as no longer live although nothing on the link itself changed. The
 * recipients are read once each (at most MAX_LINKS_PER_DOCUMENT).
 */
export async function listLinks(deps: Pick<StaffLinkDeps, 'documents' | 'links' | 'contacts' | 'now'>, type: DocumentType, id: string): Promise<ShareLinkView[]> {
  const [stored, { links }] = await Promise.all([existing(deps, type, id), deps.links.ofDocument(type, id)]);
  const now = deps.now();
  const shown = links.filter((link) => onRecord(link, stored.document.createdAt, now));
  const recipientIds = [...new Set(shown.flatMap((link) => (link.contactId === undefined ? [] : [link.contactId])))];
  const recipients = new Map(await Promise.all(recipientIds.map(async (contactId) => [contactId, await deps.contacts.get(contactId)] as const)));
  return shown
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .map((link) => toView(link, opens(link, stored, link.contactId === undefined ? undefined : recipients.get(link.contactId), now)));
}

/**
 * Revokes one link: from now on it is 410 like any dead link, and the others live on. Revoking a
 * revoked link changes nothing (no second audit entry) and is not an error.
 */
export async function revokeLink(deps: Pick<StaffLinkDeps, 'documents' | 'links' | 'now'>, type: DocumentType, id: string, linkId: string, actor: string): Promise<void> {
  const [{ document }, link] = await Promise.all([existing(deps, type, id), deps.links.byId(type, id, linkId)]);
  const now = deps.now();
  if (!link || !onRecord(link, document.createdAt, now)) throw new NotFound('No such share link.');
  if (link.revokedAt !== undefined) return;
  const at = now.toISOString();
  // A revocation that lost to a concurrent one is done all the same.
  await deps.links.revoke(link, at, keptUntil({ ...link, revokedAt: at }), auditEntry('link.revoked', document.customerId, actor, at, linkDetails(link)));
}
