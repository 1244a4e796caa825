/**
 * Every key format of the single table, in one place. `docs/data-model.md` lists each access
 * pattern next to the request that serves it. Keys are built only here.
 */
import type { DocumentType } from './document-types';
import { sliceWhole } from './text';

/**
 * A name as names are compared: NFKD, accents stripped, what is drawn as nothing left out (a zero-width
 * space or a soft hyphen pasted with a name, a joiner: Unicode's default-ignorables, which a name may
 * hold beside a visible character — `\u200bAcme` is found by `acme`), lower-case, trimmed (whole, unlike its key).
 */
export function nameFold(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .toLowerCase()
    .trim();
}

/**
 * Sort key material for names: case- and accent-insensitive, bounded, so `begins_with` finds prefixes.
 * The bound never keeps half a surrogate pair: a key is UTF-8 in DynamoDB, where a lone half has no encoding.
 */
export function nameKey(name: string): string {
  return sliceWhole(nameFold(name), 100);
}

/** The order keys of no date, and of dates beyond either end of the four-digit years in UTC (see dateKey). */
const UNDATED = '0000-00-00T00:00:00.000Z';
const BEFORE_YEAR_0 = '0000-00-01T00:00:00.000Z';
const AFTER_YEAR_9999 = '9999-99-99T99:99:99.999Z';

/**
 * A document date as a sortable key: ISO UTC with milliseconds; undated documents sort last (oldest).
 * An offset can take a date of year 9999 or 0 beyond the four-digit years in UTC, where ISO writes a
 * signed six-digit year (`+010000-…`) that would sort below every other key: such a date keys just
 * above every other date, or just below every other date and above the undated ones.
 */
export function dateKey(date: string | undefined): string {
  if (!date) return UNDATED;
  // Stryker disable next-line ConditionalExpression: a date-only string parses as UTC midnight anyway (ECMAScript Date.parse); the branch only says so.
  const iso = new Date(date.length === 10 ? `${date}T00:00:00.000Z` : date).toISOString();
  if (iso.startsWith('+')) return AFTER_YEAR_9999;
  return iso.startsWith('-') ? BEFORE_YEAR_0 : iso;
}

/** Archived contacts are listed apart: each contact index's partition of an archived contact ends in this. */
const ARCHIVED = '#ARCHIVED';
const archivedOr = (partition: string, archived: boolean) => (archived ? `${partition}${ARCHIVED}` : partition);

/** The hour bucket of an instant: `2026-11-22T09` (ISO, UTC). */
export const dueHour = (at: string): string => at.slice(0, 13);
const dueBucket = (task: string, hour: string) => `DUE#${task}#${hour}`;

export const keys = {
  contact: (id: string) => ({ pk: `CONTACT#${id}`, sk: 'CONTACT' }),
  /** gsi1: the persons of a company by name (archived ones in a partition of their own). */
  contactByCompany: (companyId: string, name: string, id: string, archived = false) => ({
    gsi1pk: archivedOr(`COMPANY#${companyId}`, archived),
    gsi1sk: `${nameKey(name)}#${id}`,
  }),
  /** gsi2: every contact by name (archived ones apart). */
  contactByName: (name: string, id: string, archived = false) => ({ gsi2pk: archivedOr('CONTACTS', archived), gsi2sk: `${nameKey(name)}#${id}` }),
  /** gsi3: every contact with an email, by email (archived ones apart). */
  contactByEmail: (email: string, id: string, archived = false) => ({ gsi3pk: archivedOr('CONTACTS_BY_EMAIL', archived), gsi3sk: `${email}#${id}` }),
  /**
   * gsi4: every contact by portal status, then name (archived ones apart). Every writer of
   * `portal.status` sets `gsi4pk` in the same write (`contactStatusPartition`); the sort key follows the name.
   */
  contactByPortalStatus: (status: string, name: string, id: string, archived = false) => ({
    gsi4pk: keys.contactStatusPartition(status, archived),
    gsi4sk: `${nameKey(name)}#${id}`,
  }),
  contactStatusPartition: (status: string, archived = false): string => archivedOr(`PORTAL#${status}`, archived),

  /** The uniqueness guard of a portal login's email; written in the same transaction as the access. */
  loginEmail: (email: string) => ({ pk: `LOGIN#${email}`, sk: 'LOGIN' }),
  /** The portal access record by login subject (the Cognito `sub`): points at the contact. */
  loginSubject: (sub: string) => ({ pk: `SUB#${sub}`, sk: 'SUB' }),
  /** An invitation, by the SHA-256 of its token (the token itself is never stored). TTL'd. */
  invitation: (tokenHash: string) => ({ pk: `INVITATION#${tokenHash}`, sk: 'INVITATION' }),

  /** A contact's audit trail, newest first by `at`. */
  audit: (contactId: string, at: string, unique: string) => ({ pk: `AUDIT#${contactId}`, sk: `${at}#${unique}` }),
  auditPartition: (contactId: string) => `AUDIT#${contactId}`,

  /**
   * An outbox item: work that follows a change (the login, the invitation email, the events), written
   * in the same transaction as the change; the table's stream hands it to the outbox worker. TTL'd once done.
   */
  outbox: (id: string) => ({ pk: `OUTBOX#${id}`, sk: 'OUTBOX' }),
  /** The mail pacer's counter of one wall-clock second (epoch seconds): at most MAIL_RATE_PER_SECOND sends in it. TTL'd. */
  mailSecond: (second: number) => ({ pk: `PACE#mail#${second}`, sk: 'PACE' }),

  /** An `Idempotency-Key` record, per caller and route. TTL'd. */
  idempotency: (scope: string, key: string) => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: 'IDEMPOTENCY' }),

  document: (type: DocumentType, id: string) => ({ pk: `DOC#${type}#${id}`, sk: 'DOC' }),
  /** The sort key shared by every listing of documents: newest date first when read backwards. */
  documentOrder: (type: DocumentType, id: string, date: string | undefined) => `${dateKey(date)}#${type}#${id}`,
  /** gsi1/gsi2: a customer's documents, all types / one type (the implicit grant). */
  documentByCustomer: (customerId: string, type: DocumentType, order: string) => ({
    gsi1pk: `CUSTOMER#${customerId}`,
    gsi1sk: order,
    gsi2pk: `CUSTOMER#${customerId}#${type}`,
    gsi2sk: order,
  }),
  /** gsi3/gsi4: every document, all types / one type (the staff listing without a customer). */
  documentInAll: (type: DocumentType, order: string) => ({ gsi3pk: 'DOCS', gsi3sk: order, gsi4pk: `DOCS#${type}`, gsi4sk: order }),
  /** An explicit grant of a document to a contact: in the document's item collection. */
  grant: (type: DocumentType, id: string, contactId: string) => ({ pk: `DOC#${type}#${id}`, sk: `GRANT#${contactId}` }),
  grantPrefix: 'GRANT#',
  /** gsi1/gsi2: the documents explicitly granted to a contact, all types / one type. */
  grantByGrantee: (contactId: string, type: DocumentType, order: string) => ({
    gsi1pk: `GRANTEE#${contactId}`,
    gsi1sk: order,
    gsi2pk: `GRANTEE#${contactId}#${type}`,
    gsi2sk: order,
  }),
  /**
   * Per-type document counts of a customer as the documents' transactions kept them before the
   * counts moved onto the contact item (`DOCUMENT_COUNTS`): no longer written, read only for a
   * contact whose item is older than that move (its counts are these items plus the item's changes since).
   */
  documentCount: (customerId: string, type: DocumentType) => ({ pk: `COUNTS#${customerId}`, sk: `COUNT#${type}` }),
  documentCountPartition: (customerId: string) => `COUNTS#${customerId}`,

  /** An attachment of a document: in the document's item collection (the id is random; the object key derives from it). */
  attachment: (type: DocumentType, id: string, attachmentId: string) => ({ pk: `DOC#${type}#${id}`, sk: `ATTACHMENT#${attachmentId}` }),
  attachmentPrefix: 'ATTACHMENT#',
  /** The count of a document's completed attachments, the guard of their maximum. */
  attachmentCount: (type: DocumentType, id: string) => ({ pk: `DOC#${type}#${id}`, sk: 'ATTACHMENTS' }),

  /** gsi3 of a grant with an `until`: the grantee's time-bound grants by end, to leave out those past it before the job removes them. */
  grantUntil: (contactId: string, until: string, type: DocumentType, id: string) => ({ gsi3pk: `GRANT_UNTIL#${contactId}`, gsi3sk: `${until}#${type}#${id}` }),
  grantUntilPartition: (contactId: string) => `GRANT_UNTIL#${contactId}`,
  /** The explicit grants a contact holds, per document type and customer, kept in the grants' own transactions. */
  grantCount: (contactId: string, type: DocumentType, customerId: string) => ({ pk: `GRANTS#${contactId}`, sk: `COUNT#${type}#${customerId}` }),
  grantCountPartition: (contactId: string) => `GRANTS#${contactId}`,

  /**
   * The `due` index: an item that a scheduled task must handle at `at` (ISO, UTC), in the partition
   * of the task and the hour of `at`; `ref` names the item (the job reads it from the key anyway).
   */
  due: (task: string, at: string, ref: string) => ({ duepk: dueBucket(task, dueHour(at)), duesk: `${at}#${ref}` }),
  dueBucket: (task: string, hour: string) => dueBucket(task, hour),
  /**
   * An invitation's due entry for one task (its reminder, its expiry), in the contact's item
   * collection: one per contact and task, replaced by the next invitation's; it carries the `due`
   * index keys and, while a run handles it, that run's claim.
   */
  invitationDue: (contactId: string, task: string) => ({ pk: `CONTACT#${contactId}`, sk: `DUE#${task}` }),
  /** How far a scheduled task has looked: every hour bucket before `hour` is empty. */
  scheduleWatermark: (task: string) => ({ pk: `SCHEDULE#${task}`, sk: 'WATERMARK' }),
  /** A share link, by the SHA-256 of its token (the token itself is never stored): everything the link's holder needs. TTL'd. */
  shareLink: (tokenHash: string) => ({ pk: `LINK#${tokenHash}`, sk: 'LINK' }),
  /** A share link in its document's item collection, by id: how staff list and revoke it. TTL'd with the link. */
  documentLink: (type: DocumentType, id: string, linkId: string) => ({ pk: `DOC#${type}#${id}`, sk: `LINK#${linkId}` }),
  documentLinkPrefix: 'LINK#',
  /** One per document: its version serialises link creations, so the cap on links holds under concurrency. */
  documentLinkGuard: (type: DocumentType, id: string) => ({ pk: `DOC#${type}#${id}`, sk: 'LINKS' }),
} as const;


/** What the key formats above encode, read back (the `due` index projects keys only). */
export const keyParts = {
  contactId: (pk: string): string | undefined => (pk.startsWith('CONTACT#') ? pk.slice('CONTACT#'.length) : undefined),
  document: (pk: string): { type: string; id: string } | undefined => {
    const match = /^DOC#([a-z_]+)#(.+)$/.exec(pk);
    return match ? { type: match[1]!, id: match[2]! } : undefined;
  },
  grantee: (sk: string): string | undefined => (sk.startsWith('GRANT#') ? sk.slice('GRANT#'.length) : undefined),
  /** The instant a due entry's sort key starts with (`<ISO>#…`). */
  dueAt: (duesk: string): string => duesk.slice(0, 24),
};

/** The due-index attributes, removed when the item is no longer due. */
export const DUE_ATTRIBUTES = ['duepk', 'duesk'] as const;

/**
 * Counters on a contact's own item, kept in the same transactions as the documents and grants they
 * count, so the portal's access check (which reads the item anyway) knows when the contact's own
 * streams are empty and need not be queried. A new contact starts at 0; on an item written before
 * they existed, the first change starts them far below zero: negative means "unknown, query".
 */
export const HOLDINGS = { documents: 'documentsAsCustomer', grants: 'grantsReceived' } as const;
export const HOLDINGS_UNKNOWN = -1_000_000_000;

/**
 * The per-type counts of the documents naming a contact as their customer, on the contact's own
 * item — one number attribute per type (`count#<type>`), moved by `ADD` in the documents' own
 * transactions, in the holdings update they make anyway — so a publication touches one counter item
 * (the contact) and `/portal/me` reads the counts from contact items it reads anyway. `kept` is set
 * when the contact is created: an item without it is older than these counts, and its counts are
 * its `COUNTS#<id>` items (`keys.documentCount`, frozen) plus these attributes (the changes since).
 */
export const DOCUMENT_COUNTS = {
  attribute: (type: DocumentType) => `count#${type}`,
  kept: 'countsKept',
} as const;

/** The `entity` attribute on every item. */
export const ENTITY = {
  contact: 'contact',
  loginEmail: 'login-email',
  loginSubject: 'login-subject',
  invitation: 'invitation',
  audit: 'audit',
  idempotency: 'idempotency',
  outbox: 'outbox',
  pace: 'pace',
  document: 'document',
  grant: 'grant',
  documentCount: 'document-count',
  attachment: 'attachment',
  attachmentCount: 'attachment-count',

  grantCount: 'grant-count',
  schedule: 'schedule',
  invitationDue: 'invitation-due',
  shareLink: 'share-link',
  documentLink: 'document-link',
  documentLinkGuard: 'document-link-guard',
} as const;
