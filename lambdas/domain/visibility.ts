/**
 * What a portal user sees, as pages, one document, and counts — by the rule of access-policy.ts.
 *
 * The listing merges streams, each newest first by the documents' order key (unique per document):
 * the documents of each customer the viewer's scope names (E and P, or only P), all types in one
 * stream (gsi1) or — when the access allows fewer types, or the query asks for one — one stream per
 * allowed type (gsi2), and the documents explicitly granted to P. Each stream is read from just after
 * the cursor's order key, a share of three pages first and more only when the merge needs its next
 * entry (`mergeStreams`), `limit + 1` items at most, so a page costs O(limit) reads plus a few
 * rounds, whatever the table holds: a company of 10,000 documents seen by a person limited to one
 * type is one per-type stream, never 10,000 items read and thrown away. The viewer's own streams are skipped
 * while the counters on its contact item (read by the access check anyway) say they are empty.
 * Every document a stream yields is shown only if `explain` says the viewer sees it (a grant past its
 * `until` is skipped while reading; the job removes it an hour later).
 */
import { accessSettings, hasEnded, implicitCustomers, implicitRoute, restrictsTypes, sees, type GrantInfo } from './access-policy';
import type { ContactRecord } from './contact-record';
import { DOCUMENT_TYPES, type DocumentType } from '../contract/document-types';
import type { DocumentPage } from './documents';
import { EarlyReads } from './early-reads';
import { NotFound } from '../contract/errors';
import { listingScope, withCursor, type OrderCursors } from './listing';
import type { PortalCaller } from './portal-session';
import type { Document } from '../contract/schemas/documents';

/** A document with the key it is listed by (`<date>#<type>#<id>`), and the viewer's grant when it came from the grantee's stream. */
export interface OrderedDocument {
  order: string;
  document: Document;
  grant?: GrantInfo;
}

/** One index partition of documents, newest first: a customer's or a grantee's, all types or one. */
export type Stream = ({ customerId: string } | { granteeId: string }) & { type?: DocumentType };

export type Counts = Partial<Record<DocumentType, number>>;

export interface VisibilityStore {
  /**
   * Up to `limit` entries of the stream that `keep` keeps (all, without it), newest first, strictly
   * after the order key `after`; reads on past the ones it drops.
   */
  stream(stream: Stream, after: string | undefined, limit: number, keep?: (entry: OrderedDocument) => boolean): Promise<OrderedDocument[]>;
  /** Strongly consistent. */
  document(type: DocumentType, id: string): Promise<Document | undefined>;
  /** The contact's explicit grant of the document, strongly consistent. */
  grant(type: DocumentType, id: string, contactId: string): Promise<GrantInfo | undefined>;
  /**
   * The per-type counts of a customer's documents, for a customer whose contact record does not
   * carry them (`documentCounts`: an item older than those counts).
   */
  counts(customerId: string): Promise<Counts>;
  /** How many explicit grants the contact holds, per document type and customer. */
  grantCounts(contactId: string): Promise<{ type: DocumentType; customerId: string; n: number }[]>;
  /** The contact's grants whose `until` is at or before `now` (ISO) and that are still stored: the job's backlog. */
  endedGrants(contactId: string, now: string): Promise<{ type: DocumentType; customerId: string }[]>;
}

/** The streams that can hold what the viewer sees (of one type, or all), by its scope, types and counters. */
export function streamsOf(viewer: ContactRecord, type: DocumentType | undefined): Stream[] {
  const allowed = accessSettings(viewer.portal).types;
  const types = type === undefined ? allowed : allowed.includes(type) ? [type] : [];
  const perType = type !== undefined || restrictsTypes(allowed);
  const streams: Stream[] = [];
  for (const customerId of implicitCustomers(viewer)) {
    if (customerId === viewer.id && viewer.documentsAsCustomer === 0) continue;
    if (perType) for (const t of types) streams.push({ customerId, type: t });
    else streams.push({ customerId });
  }
  if (viewer.grantsReceived !== 0) streams.push({ granteeId: viewer.id, ...(type === undefined ? {} : { type }) });
  return streams;
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

const streamKey = (stream: Stream, after: string | undefined, limit: number) => `stream:${JSON.stringify([stream, after ?? null, limit])}`;

/**
 * How many entries the first read of each of `k` streams asks for: three pages' worth (+1) shared
 * out, a page's worth (+1) at most. Up to three streams (a customer's, the person's own, its
 * grants) read `limit + 1` at once, as before, in one round; nineteen (nine types, of the company
 * and of the person, and the grants) read 16 each, where they read 101 each: nine per-type
 * streams of a company of large documents (64 KiB each at most) no longer read 9 × 101 to show 100.
 */
export const firstReadSize = (k: number, limit: number): number => Math.min(limit + 1, Math.ceil((3 * (limit + 1)) / Math.max(k, 1)));

/** A stream being merged: what was read of it and not taken yet, and where its next read starts. */
interface Merging {
  stream: Stream;
  entries: OrderedDocument[];
  /** The order key of the last entry read (shown or not). */
  last: string | undefined;
  /** The last read answered fewer entries than it asked for: nothing is left after `last`. */
  done: boolean;
  /** The size of its last read (each next one doubles, up to what the page can still take). */
  size: number;
}

/**
 * One page of the streams merged newest first, as `mergeNewestFirst` would merge them read whole
 * (`limit + 1` each), but reading each a little at a time: a stream is read on only when its next
 * entry is needed — for the page, or to tell whether more exist. Each document once (a document in
 * two streams has one order key), only those `shown` keeps, at most `limit` and `budget` bytes.
 */
export async function mergeStreams(
  first: { stream: Stream; read: Promise<OrderedDocument[]>; size: number }[],
  readOn: (stream: Stream, after: string | undefined, size: number) => Promise<OrderedDocument[]>,
  shown: (entry: OrderedDocument) => boolean,
  limit: number,
  budget = PAGE_BUDGET_BYTES,
): Promise<DocumentPage> {
  const merging: Merging[] = await Promise.all(
    first.map(async ({ stream, read, size }) => {
      const entries = await read;
      return { stream, entries: entries.filter(shown), last: entries.at(-1)?.order, done: entries.length < size, size };
    }),
  );
  const taken = new Set<string>();
  const page: OrderedDocument[] = [];
  let bytes = 0;
  const fill = (m: Merging, wanted: number) => async () => {
    while (m.entries.length === 0 && !m.done) {
      m.size = Math.min(m.size * 2, wanted);
      const entries = await readOn(m.stream, m.last, m.size);
      m.entries = entries.filter(shown);
      m.last = entries.at(-1)?.order ?? m.last;
      m.done = entries.length < m.size;
    }
  };
  for (;;) {
    for (const m of merging) while (m.entries[0] && taken.has(m.entries[0].order)) m.entries.shift();
    // Whether more exist once the page is full: any entry read and not taken says so; else one more of each stream.
    const wanted = page.length === limit ? 1 : limit - page.length + 1;
    if (page.length < limit || merging.every((m) => m.entries.length === 0)) {
      const empty = merging.filter((m) => m.entries.length === 0 && !m.done);
      if (empty.length > 0) {
        await Promise.all(empty.map((m) => fill(m, wanted)()));
        continue;
      }
    }
    let next: Merging | undefined;
    for (const m of merging) if (m.entries[0] && (!next || m.entries[0].order > (next.entries[0] as OrderedDocument).order)) next = m;
    const entry = next?.entries[0];
    if (!next || !entry) return { items: page.map((e) => e.document) };
    const size = Buffer.byteLength(JSON.stringify(entry.document));
    if (page.length === limit || (page.length > 0 && bytes + size > budget)) return { items: page.map((e) => e.document), last: (page.at(-1) as OrderedDocument).order };
    next.entries.shift();
    taken.add(entry.order);
    page.push(entry);
    bytes += size;
  }
}

/** `GET /portal/documents`: a page of what the portal user sees; its cursor is bound to the user and the type. */
export async function portalDocuments(
  deps: { documents: VisibilityStore; cursors: OrderCursors },
  caller: PortalCaller,
  query: { type?: DocumentType; cursor?: string; limit: number },
): Promise<{ items: Document[]; nextCursor?: string }> {
  const { now } = caller;
  const reads = new EarlyReads();
  const scopeOf = (viewer: ContactRecord) => listingScope('portal', viewer.id, query.type);
  // A grant past its `until` no longer counts: read on past it (the job removes it an hour later).
  const keep = (stream: Stream) => ('granteeId' in stream ? (entry: OrderedDocument) => !hasEnded(entry.grant?.until, now) : undefined);
  const readOn = (stream: Stream, after: string | undefined, size: number) => deps.documents.stream(stream, after, size, keep(stream));
  const firstReads = (viewer: ContactRecord, after: string | undefined) => {
    const streams = streamsOf(viewer, query.type);
    const size = firstReadSize(streams.length, query.limit);
    return streams.map((stream) => ({ stream, size, read: reads.read(streamKey(stream, after, size), () => readOn(stream, after, size)) }));
  };
  if (caller.guess) {
    let after: string | undefined;
    let usable = true;
    try {
      after = deps.cursors.decode(query.cursor, scopeOf(caller.guess));
    } catch {
      usable = false; // the checked viewer's decode answers for it
    }
    if (usable) firstReads(caller.guess, after);
  }
  const viewer = await caller.viewer;
  const scope = scopeOf(viewer);
  const shown = (entry: OrderedDocument) => sees({ viewer, document: entry.document, grant: entry.grant, now });
  const page = await mergeStreams(firstReads(viewer, deps.cursors.decode(query.cursor, scope)), readOn, shown, query.limit);
  return withCursor(page, scope, deps.cursors);
}

/** `GET /portal/documents/{type}/{id}`: a document the portal user sees, or `NotFound` whether or not it exists. */
export async function portalDocument(store: VisibilityStore, caller: PortalCaller, type: DocumentType, id: string): Promise<Document> {
  const reads = new EarlyReads();
  const document = reads.read('document', () => store.document(type, id));
  const grantOf = (viewer: ContactRecord) => reads.read(`grant:${viewer.id}`, () => store.grant(type, id, viewer.id));
  if (caller.guess) void grantOf(caller.guess);
  const viewer = await caller.viewer;
  const [found, grant] = await Promise.all([document, grantOf(viewer)]);
  if (found && sees({ viewer, document: found, grant, now: caller.now })) return found;
  throw new NotFound('No such document.');
}

/**
 * Per-type counts of what the user sees: the counters of the customers its scope names, for the
 * types it may see, plus its explicit grants of documents it does not see otherwise, less those past
 * their `until` that the job has not removed yet.
 */
export function portalCounts(
  viewer: ContactRecord,
  customerCounts: readonly Counts[],
  grants: readonly { type: DocumentType; customerId: string; n: number }[],
  ended: readonly { type: DocumentType; customerId: string }[],
): Record<DocumentType, number> {
  const counts = Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, 0])) as Record<DocumentType, number>;
  const allowed = accessSettings(viewer.portal).types;
  for (const c of customerCounts) for (const type of allowed) counts[type] += c[type] ?? 0;
  const onlyByGrant = (g: { type: DocumentType; customerId: string }) => implicitRoute(viewer, g.customerId, g.type).reason === undefined;
  for (const grant of grants) if (onlyByGrant(grant)) counts[grant.type] += grant.n;
  for (const grant of ended) if (onlyByGrant(grant)) counts[grant.type] = Math.max(0, counts[grant.type] - 1);
  return counts;
}

export interface PortalMe {
  contact: { id: string; name: string; email?: string };
  company?: { id: string; name: string };
  counts: Record<DocumentType, number>;
}

export async function portalMe(
  deps: { documents: VisibilityStore; contacts: { get(id: string): Promise<ContactRecord | undefined> } },
  caller: PortalCaller,
): Promise<PortalMe> {
  const reads = new EarlyReads();
  const nowIso = caller.now.toISOString();
  const read = (viewer: ContactRecord) => {
    const customers = implicitCustomers(viewer).filter((c) => !(c === viewer.id && viewer.documentsAsCustomer === 0));
    const grantsHeld = viewer.grantsReceived !== 0;
    const company = viewer.companyId ? reads.read(`contact:${viewer.companyId}`, () => deps.contacts.get(viewer.companyId as string)) : undefined;
    // The customers are the viewer and its company (implicitCustomers): their records, read anyway, carry the counts.
    const countsOf = async (customerId: string): Promise<Counts> => {
      const holder = customerId === viewer.id ? viewer : customerId === viewer.companyId ? await company : undefined;
      return holder?.documentCounts ?? reads.read(`counts:${customerId}`, () => deps.documents.counts(customerId));
    };
    return Promise.all([
      company,
      Promise.all(customers.map(countsOf)),
      grantsHeld ? reads.read(`grants:${viewer.id}`, () => deps.documents.grantCounts(viewer.id)) : [],
      grantsHeld ? reads.read(`ended:${viewer.id}`, () => deps.documents.endedGrants(viewer.id, nowIso)) : [],
    ]);
  };
  if (caller.guess) read(caller.guess).catch(() => undefined);
  const viewer = await caller.viewer;
  const [company, customerCounts, grants, ended] = await read(viewer);
  const email = viewer.email ?? viewer.login?.email;
  return {
    contact: { id: viewer.id, name: viewer.name, ...(email === undefined ? {} : { email }) },
    ...(company ? { company: { id: company.id, name: company.name } } : {}),
    counts: portalCounts(viewer, customerCounts, grants, ended),
  };
}
