/**
 * Share links: a capability URL to one document (W3C TAG, "Good Practices for Capability URLs"):
 * an unguessable token (256 random bits, only its SHA-256 stored), shown once, that expires (30
 * days by default, at most 90), may be limited to a number of views, and can be revoked one by one.
 * This module holds the record and its rules; staff.ts the staff's operations, shared.ts the
 * holder's. The clock is always injected.
 */
import type { DocumentType } from '../../contract/document-types';
import { DEFAULT_LINK_DAYS, ENDED_LINK_KEPT_DAYS, MAX_LINK_DAYS, SHARE_LINK_PAGE } from '../../contract/share-links';
import { Invalid } from '../../contract/errors';
import type { ShareLinkView } from '../../contract/schemas/share-links';
import type { Document } from '../../contract/schemas/documents';
import type { ContactRecord } from '../contact-record';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ShareLink {
  id: string;
  /** SHA-256 (hex) of the token: the link's key. Never shown. */
  tokenHash: string;
  type: DocumentType;
  documentId: string;
  /**
   * The `createdAt` of the document the link was made for. A document deleted and published again
   * under the same id is another document: the old links stay dead and are no longer listed.
   */
  documentCreatedAt: string;
  /**
   * The document's customer when the link was made. A document moved to another customer since is
   * no longer what was shared: the link dies, as for a deleted one (absent on links made before
   * this field: those follow the document).
   */
  documentCustomerId?: string;
  /** The recipient: the link dies while that contact is archived. */
  contactId?: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  maxViews?: number;
  views: number;
  revokedAt?: string;
}

const plusDays = (at: Date, days: number) => new Date(at.getTime() + days * DAY_MS);

/** The expiry of a new link: 30 days by default; a requested one must be in the future and at most 90 days ahead. */
export function linkExpiry(requested: string | undefined, now: Date): string {
  if (requested === undefined) return plusDays(now, DEFAULT_LINK_DAYS).toISOString();
  const at = new Date(requested);
  if (!(at.getTime() > now.getTime())) throw new Invalid('must be in the future', 'expiresAt');
  if (at.getTime() > plusDays(now, MAX_LINK_DAYS).getTime()) throw new Invalid(`must be at most ${MAX_LINK_DAYS} days ahead`, 'expiresAt');
  return at.toISOString();
}

/** Whether the link itself still opens its document at `now`: not revoked, not expired, views left. */
export const isLive = (link: ShareLink, now: Date): boolean =>
  link.revokedAt === undefined && now.getTime() < Date.parse(link.expiresAt) && (link.maxViews === undefined || link.views < link.maxViews);

/** When the link ended or will end by itself: its revocation, else its expiry. */
const endOf = (link: Pick<ShareLink, 'expiresAt' | 'revokedAt'>): number =>
  Math.min(Date.parse(link.expiresAt), link.revokedAt === undefined ? Infinity : Date.parse(link.revokedAt));

/** Until when the link is kept on record (listed, counted): ENDED_LINK_KEPT_DAYS after it ended. Its items' TTL. */
export const keptUntil = (link: Pick<ShareLink, 'expiresAt' | 'revokedAt'>): Date => plusDays(new Date(endOf(link)), ENDED_LINK_KEPT_DAYS);

/** A link of this document (not of an earlier one under the same id) still on record at `now`. */
export const onRecord = (link: ShareLink, documentCreatedAt: string, now: Date): boolean =>
  link.documentCreatedAt === documentCreatedAt && now.getTime() < keptUntil(link).getTime();

/**
 * Whether the recipient was restored from the archive after the link was made: it was archived in
 * between, which ended the link for good, as it ends portal access that a restore does not bring back.
 */
const restoredSince = (restoredAt: string | undefined, linkCreatedAt: string): boolean => restoredAt !== undefined && restoredAt > linkCreatedAt;

/**
 * Whether the link opens its document at `now` (`GET /shared/{token}` answers it): the link lives,
 * its document is still the one it was made for and still the customer's of that moment, and its
 * recipient, if it names one, is a contact that is not archived and was not archived since.
 */
export function opens(
  link: ShareLink,
  stored: { document: Pick<Document, 'createdAt' | 'customerId'> } | undefined,
  recipient: Pick<ContactRecord, 'archived' | 'restoredAt'> | undefined,
  now: Date,
): boolean {
  return (
    stored !== undefined &&
    stored.document.createdAt === link.documentCreatedAt &&
    (link.documentCustomerId === undefined || stored.document.customerId === link.documentCustomerId) &&
    isLive(link, now) &&
    (link.contactId === undefined || (recipient !== undefined && !recipient.archived && !restoredSince(recipient.restoredAt, link.createdAt)))
  );
}

/** What staff see of a link: no token, no hash; `live`: whether it opens its document now (`opens`). */
export function toView(link: ShareLink, live: boolean): ShareLinkView {
  return {
    id: link.id,
    ...(link.contactId === undefined ? {} : { contactId: link.contactId }),
    createdBy: link.createdBy,
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    ...(link.maxViews === undefined ? {} : { maxViews: link.maxViews }),
    views: link.views,
    ...(link.revokedAt === undefined ? {} : { revokedAt: link.revokedAt }),
    live,
  };
}

/** `<PORTAL_URL>/s/<token>`: the customer portal's page of the shared document. */
export const shareLinkUrl = (portalUrl: string, token: string): string => `${portalUrl.replace(/\/+$/, '')}${SHARE_LINK_PAGE}${encodeURIComponent(token)}`;
