/** What share links ask of the table, the documents, the contacts and the attachments. */
import type { DocumentType } from '../../contract/document-types';
import type { Attachment } from '../../contract/schemas/attachments';
import type { AuditEntry } from '../audit';
import type { ContactReader, StoredDocument } from '../documents';
import type { ShareLink } from './links';

/** The staff's side: a document's links, creating and revoking them. */
export interface ShareLinkStore {
  /**
   * Every link recorded in the document's item collection (also of an earlier document under the
   * same id), strongly consistent, and the version of the document's link guard (0: none yet).
   */
  ofDocument(type: DocumentType, id: string): Promise<{ links: ShareLink[]; guardVersion: number }>;
  /** One link of the document by id, strongly consistent. */
  byId(type: DocumentType, id: string, linkId: string): Promise<ShareLink | undefined>;
  /**
   * Records the link with its audit entry, in one transaction, if the guard is still at
   * `guardVersion`, the document is still the one of `link.documentCreatedAt`, and the recipient
   * (if any) is still a non-archived contact; `false` if any of that changed meanwhile.
   */
  create(link: ShareLink, guardVersion: number, audit: AuditEntry): Promise<boolean>;
  /** Marks the link revoked at `at` (and kept until `keptUntil`) with its audit entry, if it is not revoked yet; `false` otherwise. */
  revoke(link: ShareLink, at: string, keptUntil: Date, audit: AuditEntry): Promise<boolean>;
}

/** The holder's side: the link by its token's hash, and the one write a view makes. */
export interface SharedLinkReader {
  /** Strongly consistent. */
  get(tokenHash: string): Promise<ShareLink | undefined>;
  /**
   * Counts one view, atomically, if at `at` the link exists, is not revoked, has not expired and
   * has views left (`views < maxViews`); `false` otherwise. Of N concurrent views of a link with
   * one view left, exactly one is counted.
   */
  countView(tokenHash: string, at: string): Promise<boolean>;
}

/** Documents as share links read them (strongly consistent). */
export interface LinkedDocuments {
  get(type: DocumentType, id: string): Promise<StoredDocument | undefined>;
}

/**
 * A document's attachments, for a caller whose own check passed (domain/attachments/download.ts
 * provides it): the completed ones, and the download of one of them. `download` throws `NotFound`
 * when the document has no such completed attachment.
 */
export interface SharedAttachments {
  list(type: DocumentType, id: string): Promise<Attachment[]>;
  download(type: DocumentType, id: string, attachmentId: string): Promise<{ url: string; expiresAt: string }>;
}

export interface StaffLinkDeps {
  links: ShareLinkStore;
  documents: LinkedDocuments;
  contacts: ContactReader;
  now: () => Date;
  /** The customer portal's base URL (`PORTAL_URL`). */
  portalUrl: string;
  newId?: () => string;
}

export interface SharedDeps {
  links: SharedLinkReader;
  documents: LinkedDocuments;
  contacts: ContactReader;
  attachments: SharedAttachments;
  now: () => Date;
}
