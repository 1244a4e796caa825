/**
 * Who sees what (API.md, Portal): a portal user P whose commercial entity is E sees a document D when
 * D's customer is E or P, or D is explicitly granted to P. Nothing else.
 *
 * The listing merges up to three streams, each newest first by the documents' order key (unique per
 * document): the documents of customer E, of customer P (when P is not E), and those granted to P.
 * Each stream is read from just after the cursor's order key, `limit + 1` items at most, so a page
 * costs O(limit) whatever the table holds, and is never empty while more documents exist.
 */
import { commercialEntityOf, type ContactRecord } from './contact-record';
import { DOCUMENT_TYPES, type DocumentType } from '../contract/document-types';
import type { DocumentPage } from './documents';
import { NotFound } from '../contract/errors';
import { listingScope, withCursor, type OrderCursors } from './listing';
import type { Document } from '../contract/schemas/documents';

/** A document with the key it is listed by (`<date>#<type>#<id>`). */
export interface OrderedDocument {
  order: string;
  document: Document;
}

export type Stream = { customerId: string } | { granteeId: string };

export type Counts = Partial<Record<DocumentType, number>>;

export interface VisibilityStore {
  /** Up to `limit` documents of the stream, newest first, strictly after the order key `after`. */
  stream(stream: Stream, type: DocumentType | undefined, after: string | undefined, limit: number): Promise<OrderedDocument[]>;
  document(type: DocumentType, id: string): Promise<Document | undefined>;
  isGranted(type: DocumentType, id: string, contactId: string): Promise<boolean>;
  /** The per-type counts of a customer's documents. */
  counts(customerId: string): Promise<Counts>;
  /** Every explicit grant to a contact: its document's type and customer. */
  grantsTo(contactId: string): Promise<{ type: DocumentType; customerId: string }[]>;
}

/** The customers whose documents a portal user sees implicitly: its commercial entity and itself. */
export function visibleCustomers(viewer: Pick<ContactRecord, 'id' | 'companyId'>): string[] {
  return [...new Set([commercialEntityOf(viewer), viewer.id])];
}

export function streamsOf(viewer: Pick<ContactRecord, 'id' | 'companyId'>): Stream[] {
  return [...visibleCustomers(viewer).map((customerId) => ({ customerId })), { granteeId: viewer.id }];
}

/**
 * A page's documents stay under this many bytes of JSON: a Lambda answer is at most 6 MB, and 100
 * documents of 64 KiB `data` would not fit. A page always holds at least one document.
 */
export const PAGE_BUDGET_BYTES = 5 * 1024 * 1024;

/**
 * Merges streams read with `limit + 1` items each into one page: newest first, each document once
 * (a document granted explicitly to its own customer's user appears in two streams with the same
 * order key), at most `limit` documents and `budget` bytes. More exist exactly when some distinct
 * document read was not shown: a stream that returned `limit + 1` alone proves it; if none did and
 * all were shown, every stream is exhausted.
 */
export function mergeNewestFirst(streams: readonly OrderedDocument[][], limit: number, budget = PAGE_BUDGET_BYTES): DocumentPage {
  const byOrder = new Map<string, OrderedDocument>();
  for (const stream of streams) for (const entry of stream) if (!byOrder.has(entry.order)) byOrder.set(entry.order, entry);
  const sorted = [...byOrder.values()].sort((a, b) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0));
  const page: OrderedDocument[] = [];
  let bytes = 0;
  for (const entry of sorted) {
    if (page.length === limit) break;
    const size = Buffer.byteLength(JSON.stringify(entry.document));
    if (page.length > 0 && bytes + size > budget) break;
    page.push(entry);
    bytes += size;
  }
  const last = sorted.length > page.length ? page[page.length - 1]?.order : undefined;
  return { items: page.map((entry) => entry.document), ...(last === undefined ? {} : { last }) };
}

/** One page of the documents a portal user sees, newest date first, after the order key `after`. */
export async function listVisible(
  store: VisibilityStore,
  viewer: ContactRecord,
  type: DocumentType | undefined,
  after: string | undefined,
  limit: number,
): Promise<DocumentPage> {
  const streams = await Promise.all(streamsOf(viewer).map((stream) => store.stream(stream, type, after, limit + 1)));
  return mergeNewestFirst(streams, limit);
}

/** `GET /portal/documents`: a page of what the portal user sees; its cursor is bound to the user and the type. */
export async function portalDocuments(
  deps: { documents: VisibilityStore; cursors: OrderCursors },
  viewer: ContactRecord,
  query: { type?: DocumentType; cursor?: string; limit: number },
): Promise<{ items: Document[]; nextCursor?: string }> {
  const scope = listingScope('portal', viewer.id, query.type);
  const page = await listVisible(deps.documents, viewer, query.type, deps.cursors.decode(query.cursor, scope), query.limit);
  return withCursor(page, scope, deps.cursors);
}

/** A document the portal user sees, or `NotFound` whether or not it exists. */
export async function getVisible(store: VisibilityStore, viewer: ContactRecord, type: DocumentType, id: string): Promise<Document> {
  const [document, granted] = await Promise.all([store.document(type, id), store.isGranted(type, id, viewer.id)]);
  if (document && (visibleCustomers(viewer).includes(document.customerId) || granted)) return document;
  throw new NotFound('No such document.');
}

/**
 * Per-type counts of what the user sees: the counters of its customers, plus the explicit grants of
 * documents whose customer is neither (those are already counted in the customers' counters).
 */
export function portalCounts(
  customers: readonly string[],
  customerCounts: readonly Counts[],
  grants: readonly { type: DocumentType; customerId: string }[],
): Record<DocumentType, number> {
  const counts = Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, 0])) as Record<DocumentType, number>;
  for (const c of customerCounts) for (const type of DOCUMENT_TYPES) counts[type] += c[type] ?? 0;
  for (const grant of grants) if (!customers.includes(grant.customerId)) counts[grant.type] += 1;
  return counts;
}

export interface PortalMe {
  contact: { id: string; name: string; email?: string };
  company?: { id: string; name: string };
  counts: Record<DocumentType, number>;
}

export async function portalMe(
  store: VisibilityStore,
  contacts: { get(id: string): Promise<ContactRecord | undefined> },
  viewer: ContactRecord,
): Promise<PortalMe> {
  const customers = visibleCustomers(viewer);
  const [company, grants, customerCounts] = await Promise.all([
    viewer.companyId ? contacts.get(viewer.companyId) : Promise.resolve(undefined),
    store.grantsTo(viewer.id),
    Promise.all(customers.map((customerId) => store.counts(customerId))),
  ]);
  const email = viewer.email ?? viewer.login?.email;
  return {
    contact: { id: viewer.id, name: viewer.name, ...(email === undefined ? {} : { email }) },
    ...(company ? { company: { id: company.id, name: company.name } } : {}),
    counts: portalCounts(customers, customerCounts, grants),
  };
}
