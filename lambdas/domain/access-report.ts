/**
 * Staff's two questions about access, answered by the portal's own rule (access-policy.ts, `explain`):
 * "why does (or doesn't) X see Y" and "who sees Y now".
 */
import { explain, portalStatusAt, type GrantInfo } from './access-policy';
import type { ContactRecord } from './contact-record';
import type { ContactStore } from './contacts';
import type { StoredGrant } from './documents';
import { listingScope } from './listing';
import type { DocumentType } from '../contract/document-types';
import { Invalid, NotFound } from '../contract/errors';
import type { Explanation } from '../contract/schemas/access';
import type { DocumentAccessEntry } from '../contract/schemas/document-access';
import type { Document } from '../contract/schemas/documents';

/** Cursors that hold a position of named parts (strings), bound to one listing. */
export interface PositionCursors {
  encode(scope: string, position: Record<string, string>): string;
  /** The position, or `Invalid` (400) for a cursor of another listing or with other parts. */
  decode(cursor: string | undefined, scope: string, parts: readonly string[]): Record<string, string> | undefined;
}

export interface AccessReportDeps {
  contacts: Pick<ContactStore, 'get' | 'listCompanyPersons'>;
  documents: {
    /** Strongly consistent. */
    document(type: DocumentType, id: string): Promise<Document | undefined>;
    /** The document's explicit grants, strongly consistent. */
    grants(type: DocumentType, id: string): Promise<StoredGrant[]>;
  };
  cursors: PositionCursors;
  now: () => Date;
}

const grantInfo = (grant: StoredGrant | undefined): GrantInfo | undefined => {
  if (!grant) return undefined;
  const { contactId: _contactId, ...info } = grant;
  return info;
};

/** `GET /contacts/{id}/portal-access/explain?type=&id=`: what the portal would answer the contact for this document now, and why. */
export async function explainAccess(deps: AccessReportDeps, contactId: string, type: DocumentType, id: string): Promise<Explanation> {
  const [viewer, document, grants] = await Promise.all([deps.contacts.get(contactId), deps.documents.document(type, id), deps.documents.grants(type, id)]);
  if (!viewer) throw new NotFound('No such contact.');
  return explain({ viewer, document, grant: grantInfo(grants.find((g) => g.contactId === contactId)), now: deps.now() });
}

/**
 * A company's persons are read this many at a time (the store's largest page), whatever the page's
 * `limit`: most persons have no access, and reading `limit` of them a Query made a page of 1 over a
 * company of 3,000 persons 3,000 Queries (15 s locally).
 */
const PERSONS_READ = 100;

/** Where a page of "who has access" starts: the customer, its persons (after their listing's cursor), or the other grantees (after an id). */
type Position = Record<string, string>;

/**
 * `GET /documents/{type}/{id}/access`: every contact whose access is invited or active and for whom
 * the rule opens a route to the document, each with every reason. The candidates are found without
 * scanning: the document's customer X, X's persons when X is a company (a Query of X's gsi1
 * partition, page by page), and the document's explicit grantees (at most 30). Listed in that
 * order — X, X's persons by name, the other grantees by id — each once, `limit` a page. A page
 * carries a cursor only when another contact follows it: after a full page the rest is looked
 * through until one is found or none is left, and the cursor then starts right before the one
 * found (the persons passed over on the way are not read again).
 * Worst case of a page: X's persons (the company's size, never the table's) in reads of
 * PERSONS_READ, and 30 grantees.
 */
export async function documentAccess(
  deps: AccessReportDeps,
  type: DocumentType,
  id: string,
  query: { cursor?: string; limit: number },
): Promise<{ items: DocumentAccessEntry[]; nextCursor?: string }> {
  const [document, grants] = await Promise.all([deps.documents.document(type, id), deps.documents.grants(type, id)]);
  if (!document) throw new NotFound('No such document.');
  const scope = listingScope('access', type, id);
  const start = deps.cursors.decode(query.cursor, scope, ['phase', 'persons', 'after']) ?? { phase: 'customer' };
  const candidates = await accessCandidates(deps, document, grants);
  const page = await candidates.from(start, query.limit, 'page');
  const ahead = page.next && (await candidates.from(page.next, 1, 'peek'));
  const next = ahead && ahead.items.length > 0 ? (ahead.next ?? page.next) : undefined;
  return { items: page.items, ...(next ? { nextCursor: deps.cursors.encode(scope, next) } : {}) };
}

/**
 * The listing's walk from a position, persons read PERSONS_READ at a time. `page`: up to `limit`
 * entries and the position right after the last (none when the walk reached the end; the persons'
 * cursor placed by a read of the persons up to it). `peek` (a look-ahead, `limit` 1): the first
 * entry and the position right before it (none if that position could not be placed).
 */
async function accessCandidates(deps: AccessReportDeps, document: Document, grants: StoredGrant[]) {
  const now = deps.now();
  const grantOf = new Map(grants.map((grant) => [grant.contactId, grant]));
  const customer = await deps.contacts.get(document.customerId);
  let grantees: Promise<ContactRecord[]> | undefined;
  const granteesById = () =>
    (grantees ??= Promise.all(grants.map((g) => deps.contacts.get(g.contactId))).then((found) =>
      found
        // X and its persons are listed before.
        .filter((c): c is ContactRecord => c !== undefined && c.id !== document.customerId && !(c.companyId === document.customerId && c.kind === 'person' && !c.archived))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    ));

  const from = async (position: Position, limit: number, mode: 'page' | 'peek'): Promise<{ items: DocumentAccessEntry[]; next?: Position }> => {
    const items: DocumentAccessEntry[] = [];
    const consider = (contact: ContactRecord | undefined) => {
      if (!contact) return;
      const status = portalStatusAt(contact.portal, now);
      if (contact.archived || (status !== 'invited' && status !== 'active')) return;
      const { reasons } = explain({ viewer: contact, document, grant: grantInfo(grantOf.get(contact.id)), now });
      if (reasons.length > 0) items.push({ contactId: contact.id, name: contact.name, status, reasons });
    };
    let phase = position.phase;
    if (phase === 'customer') {
      consider(customer);
      if (mode === 'peek' && items.length > 0) return { items, next: position };
      phase = 'persons';
    }
    if (phase === 'persons') {
      if (customer?.kind === 'company') {
        let cursor = position.persons;
        if (items.length >= limit) return { items, next: { phase: 'persons', ...(cursor === undefined ? {} : { persons: cursor }) } };
        persons: do {
          const read = await deps.contacts.listCompanyPersons(customer.id, cursor, PERSONS_READ);
          for (const [index, person] of read.items.entries()) {
            consider(person);
            if (mode === 'peek' && items.length > 0) {
              // The persons before this one have no access: the next page may start right at it.
              if (index === 0) return { items, next: { phase: 'persons', ...(cursor === undefined ? {} : { persons: cursor }) } };
              const before = (await deps.contacts.listCompanyPersons(customer.id, cursor, index)).nextCursor;
              return before === undefined ? { items } : { items, next: { phase: 'persons', persons: before } };
            }
            const last = index === read.items.length - 1;
            if (items.length < limit || (last && read.nextCursor === undefined)) continue;
            // The page is full before the persons end: the next page starts right after this person.
            const upTo = last ? read : await deps.contacts.listCompanyPersons(customer.id, cursor, index + 1);
            if (upTo.nextCursor === undefined) break persons; // the persons after it have gone meanwhile
            return { items, next: { phase: 'persons', persons: upTo.nextCursor } };
          }
          cursor = read.nextCursor;
        } while (cursor !== undefined);
      }
      phase = 'grantees';
    }
    if (phase !== 'grantees') throw new Invalid('The cursor is not valid for this listing.', 'cursor');
    const after = position.after ?? '';
    let last = after;
    for (const contact of (await granteesById()).filter((c) => c.id > after)) {
      if (items.length >= limit) return { items, next: { phase: 'grantees', ...(last === '' ? {} : { after: last }) } };
      consider(contact);
      if (mode === 'peek' && items.length > 0) return { items, next: { phase: 'grantees', ...(last === '' ? {} : { after: last }) } };
      last = contact.id;
    }
    return { items };
  };
  return { from };
}
