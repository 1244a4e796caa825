/**
 * Documents and their grants, as staff publish them. A document's customer is granted implicitly;
 * explicit grants share it with further contacts. Every change to a document's item collection (the
 * document, its explicit grants, its customer's counts) is one transaction guarded by the document's
 * `version`, so concurrent changes serialise: the loser re-reads and tries again.
 */
import { hasEnded } from './access-policy';
import { auditEntry, SCHEDULE_ACTOR, type AuditEntry } from './audit';
import type { ContactRecord } from './contact-record';
import { listingScope, withCursor, type OrderCursors } from './listing';
import type { DocumentType } from '../contract/document-types';
import { Conflict, DomainError, Invalid, NotFound } from '../contract/errors';
import type { Document, Grant, PutDocumentInput } from '../contract/schemas/documents';

/**
 * At most this many explicit grants per document: a change rewrites every grant's copy in one
 * transaction, which DynamoDB limits to 100 items and 4 MB. A copy holds up to 64 KiB of JSON `data`,
 * which can take ~1.5× that in DynamoDB's encoding (arrays of small numbers): 30 copies + the
 * document + 2 counts stay under 4 MB.
 */
export const MAX_EXPLICIT_GRANTS = 30;
/** Each round of a race has one winner; with jitter, a few concurrent writers of one document all get through. */
const ATTEMPTS = 20;
// Stryker disable next-line ArithmeticOperator,MethodExpression,ArrowFunction: the pause's length is timing, not an outcome a test can tell apart.
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(10 * attempt, 100)));

export interface StoredDocument {
  document: Document;
  version: number;
}

/** An explicit grant as stored: to whom, until when, by whom and when it was given. */
export interface StoredGrant {
  contactId: string;
  until?: string;
  grantedBy?: string;
  grantedAt?: string;
}

/** One page of a listing, newest first; `last` is the order key to continue after. */
export interface DocumentPage {
  items: Document[];
  last?: string;
}

/**
 * A change of one document's item collection; the store writes it in one transaction or throws
 * `StaleVersion`. A create, a replace and a grant also check, in the same transaction, that the
 * document's customer (or the grantee) is still a non-archived contact. The counters that depend on
 * the collection (the customer's per-type counts, the grantees' grant counts, the holdings on the
 * customer's and grantees' contact items) change in the same transaction.
 */
export type DocumentChange =
  | { kind: 'create'; document: Document }
  /** `grants` keep their copies (rewritten); `dropGrants` are removed (the new customer's explicit grant, now implicit). */
  | { kind: 'replace'; previous: StoredDocument; document: Document; grants: StoredGrant[]; dropGrants: StoredGrant[] }
  | { kind: 'delete'; previous: StoredDocument; grants: StoredGrant[] }
  /** A new grant, or (`replaces`) another `until` for an existing one; `audit`: the grantee's entry (`grant.given`). */
  | { kind: 'grant'; current: StoredDocument; grant: StoredGrant; replaces?: StoredGrant; audit: AuditEntry }
  /**
   * A grant removed, with the grantee's audit entry (`grant.removed` by staff, `grant.expired` by the job);
   * `expired`: the scheduled job removes a grant past its `until` (only if that is still its `until`).
   */
  | { kind: 'ungrant'; current: StoredDocument; grant: StoredGrant; audit: AuditEntry; expired?: boolean };

/** The document changed (or appeared) since it was read: read again and retry. */
export class StaleVersion extends DomainError {}

export interface DocumentStore {
  get(type: DocumentType, id: string): Promise<StoredDocument | undefined>;
  /** The document's explicit grants (never to its customer), strongly consistent. */
  grants(type: DocumentType, id: string): Promise<StoredGrant[]>;
  write(change: DocumentChange): Promise<void>;
  /** Staff listing: a customer's documents, or all of them; newest date first, after the order key `after`. */
  list(filter: { customerId?: string; type?: DocumentType }, after: string | undefined, limit: number): Promise<DocumentPage>;
}

/** Contacts as documents read them (strongly consistent). */
export interface ContactReader {
  get(id: string): Promise<ContactRecord | undefined>;
}

export interface DocumentDeps {
  store: DocumentStore;
  contacts: ContactReader;
  now: () => Date;
}

/** An archived contact is there (staff can restore it): saying it does not exist would send them looking. */
export const archivedContact = (id: string): string => `Contact ${id} is archived: restore it first.`;

async function liveContact(deps: DocumentDeps, id: string, path: string): Promise<ContactRecord> {
  const contact = await deps.contacts.get(id);
  if (!contact) throw new Invalid(`No such contact: ${id}.`, path);
  if (contact.archived) throw new Invalid(archivedContact(id), path);
  return contact;
}

async function existing(store: DocumentStore, type: DocumentType, id: string): Promise<StoredDocument> {
  const stored = await store.get(type, id);
  if (!stored) throw new NotFound('No such document.');
  return stored;
}

/** Runs `attempt` again while the store reports a concurrent change; a persistent race is a 409. */
async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleVersion)) throw error;
      if (i >= ATTEMPTS) throw new Conflict('The document is being changed concurrently; please retry.');
      await pause(i);
    }
  }
}

/** Publishes (upserts) a document: `created` tells 201 from 200. `createdAt` survives a replace. */
export async function putDocument(
  deps: DocumentDeps,
  type: DocumentType,
  id: string,
  input: PutDocumentInput,
): Promise<{ document: Document; created: boolean }> {
  return retrying(async () => {
    await liveContact(deps, input.customerId, 'customerId');
    const previous = await deps.store.get(type, id);
    const at = deps.now().toISOString();
    const document: Document = { type, id, ...input, createdAt: previous?.document.createdAt ?? at, updatedAt: at };
    if (!previous) {
      await deps.store.write({ kind: 'create', document });
      return { document, created: true };
    }
    const all = await deps.store.grants(type, id);
    const grants = all.filter((grant) => grant.contactId !== document.customerId);
    const dropGrants = all.filter((grant) => grant.contactId === document.customerId);
    await deps.store.write({ kind: 'replace', previous, document, grants, dropGrants });
    return { document, created: false };
  });
}

export async function getDocument(deps: Pick<DocumentDeps, 'store'>, type: DocumentType, id: string): Promise<Document> {
  return (await existing(deps.store, type, id)).document;
}

/** Withdraws a document: the document, every explicit grant and its count go in one transaction. */
export async function deleteDocument(deps: Pick<DocumentDeps, 'store'>, type: DocumentType, id: string): Promise<void> {
  await retrying(async () => {
    const previous = await existing(deps.store, type, id);
    await deps.store.write({ kind: 'delete', previous, grants: await deps.store.grants(type, id) });
  });
}

/**
 * Shares a document with one more contact, until `until` if given (a future instant). Granting its
 * customer changes nothing (it sees it anyway); granting an existing grantee again sets the grant's
 * end to what this request says (the grant's giver and time are then this request's). Answers the
 * grant as `listGrants` shows it.
 */
export async function addGrant(deps: DocumentDeps, type: DocumentType, id: string, input: { contactId: string; until?: string }, actor: string): Promise<Grant> {
  const { contactId, until } = input;
  if (until !== undefined && hasEnded(until, deps.now())) throw new Invalid('until must be in the future.', 'until');
  return retrying(async () => {
    const current = await existing(deps.store, type, id);
    await liveContact(deps, contactId, 'contactId');
    if (current.document.customerId === contactId) return { contactId, implicit: true };
    const grants = await deps.store.grants(type, id);
    const previous = grants.find((grant) => grant.contactId === contactId);
    if (previous && previous.until === until) return explicitGrant(previous, deps.now());
    if (!previous && grants.length >= MAX_EXPLICIT_GRANTS) throw fullDocument(type, id, grants, deps.now());
    const at = deps.now().toISOString();
    const grant: StoredGrant = { contactId, ...(until === undefined ? {} : { until }), grantedBy: actor, grantedAt: at };
    // On the grantee, whose history then says who shared which document with it, and until when.
    const audit = auditEntry('grant.given', contactId, actor, at, { type, id, ...(until === undefined ? {} : { until }), ...(previous ? { previousUntil: previous.until ?? null } : {}) });
    await deps.store.write({ kind: 'grant', current, grant, audit, ...(previous ? { replaces: previous } : {}) });
    return explicitGrant(grant, deps.now());
  });
}

/**
 * The refusal of one grantee more than MAX_EXPLICIT_GRANTS. Ended grants count until the job removes
 * them (listed `expired` meanwhile): the answer says how many of them ended and how to free a place
 * now, or a client that sees only ended grants listed cannot tell why it is refused.
 */
function fullDocument(type: DocumentType, id: string, grants: readonly StoredGrant[], now: Date): Conflict {
  const limit = `A document can be shared explicitly with at most ${MAX_EXPLICIT_GRANTS} contacts`;
  const ended = grants.filter((grant) => hasEnded(grant.until, now)).length;
  if (ended === 0) return new Conflict(`${limit}.`);
  return new Conflict(
    `${limit}; ${ended} of this document's grants have ended and still count until the scheduled job removes them (DELETE /documents/${type}/${id}/grants/{contactId} removes one now).`,
  );
}

export async function removeGrant(deps: Pick<DocumentDeps, 'store' | 'now'>, type: DocumentType, id: string, contactId: string, actor: string): Promise<void> {
  await retrying(async () => {
    const current = await existing(deps.store, type, id);
    if (current.document.customerId === contactId)
      throw new Conflict("This is the document's customer (an implicit grant); move the document to another customer instead.");
    const grant = (await deps.store.grants(type, id)).find((g) => g.contactId === contactId);
    if (!grant) throw new NotFound('No such grant.');
    const audit = auditEntry('grant.removed', contactId, actor, deps.now().toISOString(), { type, id, ...(grant.until === undefined ? {} : { until: grant.until }), ...(grant.grantedBy ? { grantedBy: grant.grantedBy } : {}) });
    await deps.store.write({ kind: 'ungrant', current, grant, audit });
  });
}

/**
 * The scheduled job's part: a grant that reached its `until` is removed (with an audit entry on the
 * grantee), unless its `until` changed meanwhile. The portal stopped counting it at `until` already.
 * Idempotent: a grant already gone, or given again with another end, is left alone.
 */
export async function expireGrant(deps: DocumentDeps, type: DocumentType, id: string, contactId: string, until: string): Promise<'removed' | 'unchanged'> {
  return retrying(async () => {
    const current = await deps.store.get(type, id);
    if (!current) return 'unchanged';
    const grant = (await deps.store.grants(type, id)).find((g) => g.contactId === contactId);
    const now = deps.now();
    if (!grant || grant.until !== until || !hasEnded(until, now)) return 'unchanged';
    const audit = auditEntry('grant.expired', contactId, SCHEDULE_ACTOR, now.toISOString(), { type, id, until, ...(grant.grantedBy ? { grantedBy: grant.grantedBy } : {}) });
    await deps.store.write({ kind: 'ungrant', current, grant, audit, expired: true });
    return 'removed';
  });
}

/** The customer's implicit grant, then each explicit one: its end, whether it has passed, who gave it and when. */
export async function listGrants(deps: Pick<DocumentDeps, 'store' | 'now'>, type: DocumentType, id: string): Promise<Grant[]> {
  const { document } = await existing(deps.store, type, id);
  const explicit = await deps.store.grants(type, id);
  const now = deps.now();
  return [
    { contactId: document.customerId, implicit: true },
    ...explicit
      .filter((grant) => grant.contactId !== document.customerId)
      .map((grant) => explicitGrant(grant, now)),
  ];
}

/** A stored grant as staff see it: `expired` once its `until` has passed. */
const explicitGrant = (grant: StoredGrant, now: Date): Grant => ({
  contactId: grant.contactId,
  implicit: false,
  ...(grant.until === undefined ? {} : { until: grant.until, expired: hasEnded(grant.until, now) }),
  ...(grant.grantedBy === undefined ? {} : { grantedBy: grant.grantedBy }),
  ...(grant.grantedAt === undefined ? {} : { grantedAt: grant.grantedAt }),
});

/** The staff listing, newest date first; its cursor is bound to the filter (customer and type). */
export async function listDocuments(
  deps: Pick<DocumentDeps, 'store'> & { cursors: OrderCursors },
  query: { customerId?: string; type?: DocumentType; cursor?: string; limit: number },
): Promise<{ items: Document[]; nextCursor?: string }> {
  const { customerId, type, cursor, limit } = query;
  const scope = listingScope('documents', customerId, type);
  const filter = { ...(customerId ? { customerId } : {}), ...(type ? { type } : {}) };
  return withCursor(await deps.store.list(filter, deps.cursors.decode(cursor, scope), limit), scope, deps.cursors);
}
