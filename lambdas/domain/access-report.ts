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

/** Where a page of "who has access" starts: the customer, its persons (after their listing's cursor), or the other grantees (after an id). */
type Position = Record<string, string>;

/**
 * `GET /documents/{type}/{id}/access`: every contact whose access is invited or active and for whom
 * the rule opens a route to the document, each with every reason. The candidates are found without
 * scanning: the document's customer X, X's persons when X is a company (a Query of X's gsi1
 * partition, page by page), and the document's explicit grantees (at most 30). Listed in that
 * order — X, X's persons by name, the other grantees by id — each once, `limit` a page. A page
 * carries a cursor only when another contact follows it: after a full page the rest is looked
 * through (persons 100 at a time) until one is found or none is left.
 * Worst case of a page: X's persons (the company's size, never the table's) and 30 grantees.
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
  const page = await candidates.from(start, query.limit, 'exact');
  const next = page.next && (await candidates.from(page.next, 1, 'any')).items.length > 0 ? page.next : undefined;
  return { items: page.items, ...(next ? { nextCursor: deps.cursors.encode(scope, next) } : {}) };
}

/**
 * The listing's walk from a position: up to `limit` entries and the position right after the last
 * (none when the walk reached the end). `exact` reads no more persons than the page still needs, so
 * that the persons' cursor falls right after its last entry; `any` (a look-ahead, whose position
 * nobody keeps) reads them 100 at a time and may answer more than `limit`.
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

  const from = async (position: Position, limit: number, reads: 'exact' | 'any'): Promise<{ items: DocumentAccessEntry[]; next?: Position }> => {
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
      phase = 'persons';
    }
    if (phase === 'persons') {
      if (customer?.kind === 'company') {
        let cursor = position.persons;
        let done = false;
        while (!done && items.length < limit) {
          const size = reads === 'exact' ? Math.min(100, limit - items.length) : 100;
          const persons = await deps.contacts.listCompanyPersons(customer.id, cursor, size);
          persons.items.forEach(consider);
          cursor = persons.nextCursor;
          done = cursor === undefined;
        }
        if (!done) return { items, next: { phase: 'persons', ...(cursor === undefined ? {} : { persons: cursor }) } };
      }
      phase = 'grantees';
    }
    if (phase !== 'grantees') throw new Invalid('The cursor is not valid for this listing.', 'cursor');
    const after = position.after ?? '';
    let last = after;
    for (const contact of (await granteesById()).filter((c) => c.id > after)) {
      if (items.length >= limit) return { items, next: { phase: 'grantees', ...(last === '' ? {} : { after: last }) } };
      consider(contact);
      last = contact.id;
    }
    return { items };
  };
  return { from };
}
