/**
 * Contacts: persons and companies, the people portal access is given to. The rules live here; the
 * store (DynamoDB in production) and the portal-access revocation are ports.
 */
import type { Contact, CreateContactInput, PortalStatus, UpdateContactInput } from '../contract/schemas/contacts';
import { auditEntry, type AuditEntry } from './audit';
import { toContact, type ContactRecord } from './contact-record';
import { emailPrefixOf } from '../contract/email';
import { Conflict, DomainError, EmailInUse, Invalid, NotFound, StaleVersion } from '../contract/errors';

export interface ContactPage {
  items: ContactRecord[];
  nextCursor?: string;
}

/** One listing of contacts: all of them, or a company's persons, optionally narrowed by a prefix and a portal status. */
export interface ContactQuery {
  companyId?: string;
  /** A case- and accent-insensitive prefix of the name. */
  namePrefix?: string;
  /** A prefix of the (normalised, lower-case) email. */
  emailPrefix?: string;
  portalStatus?: PortalStatus;
  /** When `portalStatus` is judged, where a listing tests its rows: an access whose `until` has passed reads `expired` from then on. */
  at?: Date;
  /** Archived contacts only (else non-archived ones only). */
  archived?: boolean;
  cursor?: string;
  limit: number;
}

/**
 * A contact's login moving to its new email (a PATCH of a contact with portal access), written with
 * the contact in one transaction: the login email guard moves from `from` to `to` (taken over from
 * `takeOverFrom`, a holder that no longer uses it), a pending invitation dies (its link went to the
 * old address), the login's earlier sessions end, and the audit entry is written.
 */
export interface LoginEmailMove {
  from: string;
  to: string;
  /** The moment of the move: tokens issued before it are refused from then on (`login.signedOutAt`). */
  at: string;
  takeOverFrom?: string;
  audit: AuditEntry;
}

/**
 * Where contacts are kept. Other areas use `get` and `listCompanyPersons`; keep their shape stable.
 * Write failures: `NotFound` when the contact does not exist, `Conflict` when a condition failed
 * (another version, archived meanwhile, a live login's email), `CompanyUnavailable` when the company
 * a write names is not (any more) a non-archived company.
 */
export interface ContactStore {
  /** Strongly consistent. */
  get(id: string): Promise<ContactRecord | undefined>;
  /** A company's non-archived persons, by name then id. */
  listCompanyPersons(companyId: string, cursor?: string, limit?: number): Promise<ContactPage>;
  /** Non-archived contacts, by name then id (by email then id for an `emailPrefix` without `companyId`). */
  list(query: ContactQuery): Promise<ContactPage>;
  /** A new contact; a `companyId` is checked to be a non-archived company in the same write. */
  create(record: ContactRecord): Promise<void>;
  /**
   * Writes what differs between `before` and `after`, only if the stored contact is still at
   * `before.version` and not archived; when the email changes, only if no live portal login
   * (invited/active) holds another address — unless `move` moves that login with it (then only if
   * the login still has `move.from`, and the guard of `move.to` is free, ours or `takeOverFrom`'s:
   * else `EmailInUse`); a new `companyId` is checked as in `create`.
   */
  update(before: ContactRecord, after: ContactRecord, move?: LoginEmailMove): Promise<void>;
  /** Archives the contact if it is still at `before.version` and not archived: it moves to the archived listings, version + 1, with the audit entry. */
  archive(before: ContactRecord, at: string, audit: AuditEntry): Promise<void>;
  /**
   * Restores an archived contact still at `before.version` whose portal access is not live: back in
   * the listings, without its former login (`after` has none), with the audit entry.
   */
  restore(before: ContactRecord, after: ContactRecord, audit: AuditEntry): Promise<void>;
}

/** Several contacts at once (an apply's lines), strongly consistent: those that exist, by id. */
export interface ContactBatchReader {
  getMany(ids: readonly string[]): Promise<Map<string, ContactRecord>>;
}

/** A write named a company that is missing, archived or not a company (the store checked it in the same write). */
export class CompanyUnavailable extends DomainError {}

/** Revokes a contact's portal access when the contact is archived; portal access implements it. Idempotent. */
export interface PortalAccessRevoker {
  revokeForArchive(contactId: string, actor: string): Promise<void>;
}

/**
 * Moves a portal login (live, or kept by an ended access for its re-grant) to a contact's new email;
 * portal access implements it (the user pool, the guard, the audit entry), calling `write` for the
 * contact's own change with the move.
 */
export interface LoginEmailMover {
  moveLoginEmail(current: ContactRecord, next: ContactRecord, actor: string, write: (move: LoginEmailMove) => Promise<void>): Promise<void>;
}

export interface ContactsDeps {
  store: ContactStore;
  revoker: PortalAccessRevoker;
  /** Without it (the events function), a live login's email cannot change: `409`. */
  loginEmails?: LoginEmailMover;
  now?: () => Date;
  newId?: () => string;
}

const LIVE_PORTAL = new Set(['invited', 'active']);
/** Without `If-Match`, a PATCH that loses a version race is re-applied to the fresh contact; each round one writer wins. */
const MAX_ATTEMPTS = 20;

const clock = (deps: ContactsDeps) => (deps.now ?? (() => new Date()))();
const nowIso = (deps: ContactsDeps) => clock(deps).toISOString();

export async function getContact(deps: ContactsDeps, id: string): Promise<Contact> {
  const record = await deps.store.get(id);
  if (!record) throw new NotFound('No such contact.');
  return toContact(record, clock(deps));
}

/** The company a person is put into must be a non-archived company. */
async function assertCompany(deps: ContactsDeps, companyId: string): Promise<void> {
  const company = await deps.store.get(companyId);
  if (!company || company.kind !== 'company')
    throw new Invalid('companyId must name a company contact.', 'companyId');
  if (company.archived) throw new Invalid('companyId names an archived company.', 'companyId');
}

const companyGone = () => new Invalid('companyId names a company that is missing or archived.', 'companyId');

export async function createContact(deps: ContactsDeps, input: CreateContactInput): Promise<Contact> {
  if (input.kind === 'company' && input.companyId !== undefined)
    throw new Invalid('A company cannot belong to a company.', 'companyId');
  if (input.companyId !== undefined) await assertCompany(deps, input.companyId);
  const at = nowIso(deps);
  const record: ContactRecord = {
    id: (deps.newId ?? (() => crypto.randomUUID()))(),
    kind: input.kind,
    name: input.name,
    // Stryker disable next-line ConditionalExpression: a field set to undefined is the field absent (JSON drops it; the table client removes undefined values).
    ...(input.email === undefined ? {} : { email: input.email }),
    // Stryker disable next-line ConditionalExpression: as above.
    ...(input.phone === undefined ? {} : { phone: input.phone }),
    // Stryker disable next-line ConditionalExpression: as above.
    ...(input.companyId === undefined ? {} : { companyId: input.companyId }),
    ...(input.lang === undefined ? {} : { lang: input.lang }),
    archived: false,
    portal: { status: 'none' },
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  try {
    await deps.store.create(record);
  } catch (error) {
    if (error instanceof CompanyUnavailable) throw companyGone();
    throw error;
  }
  return toContact(record, clock(deps));
}

/** The contact after a patch: `null` clears an optional field, an absent field stays as it is. */
function patched(current: ContactRecord, patch: UpdateContactInput): ContactRecord {
  const next: ContactRecord = { ...current };
  if (patch.name !== undefined) next.name = patch.name;
  for (const field of ['email', 'phone', 'companyId'] as const) {
    const value = patch[field];
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  if (patch.lang === null) delete next.lang;
  else if (patch.lang !== undefined) next.lang = patch.lang;
  return next;
}

const differs = (a: ContactRecord, b: ContactRecord) =>
  a.name !== b.name || a.email !== b.email || a.phone !== b.phone || a.companyId !== b.companyId || a.lang !== b.lang;

/** The rules of a change, checked against the current contact: whether it moves the contact's portal login. */
async function checkChange(deps: ContactsDeps, current: ContactRecord, next: ContactRecord): Promise<'moves-login' | 'plain'> {
  if (current.archived) throw new Conflict('An archived contact cannot be changed.');
  if (next.companyId !== current.companyId && next.companyId !== undefined) {
    if (current.kind === 'company') throw new Invalid('A company cannot belong to a company.', 'companyId');
    await assertCompany(deps, next.companyId);
  }
  const loginEmail = current.login?.email ?? current.email;
  if (next.email === current.email || next.email === loginEmail) return 'plain';
  // An ended access (revoked, expired) keeps its login for a re-grant: a new email takes it along when
  // it can (the contacts function), or the old address would stay locked by a login no contact shows.
  if (!LIVE_PORTAL.has(current.portal.status)) return current.login && next.email !== undefined && deps.loginEmails ? 'moves-login' : 'plain';
  if (next.email === undefined)
    throw new Conflict('The email of a contact with portal access is its login: it can be changed, not removed (revoke the access first).');
  if (!current.login || !deps.loginEmails)
    throw new Conflict('This contact has a portal login under its current email; revoke its portal access first, then change the email.');
  return 'moves-login';
}

/**
 * PATCH: with `ifMatch`, only that version may be changed (else 409); without it, a lost version
 * race is retried against the fresh contact, so no concurrent update is ever lost silently.
 */
export async function updateContact(
  deps: ContactsDeps,
  id: string,
  patch: UpdateContactInput,
  ifMatch: number | undefined,
  actor: string,
): Promise<Contact> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.get(id);
    if (!current) throw new NotFound('No such contact.');
    if (ifMatch !== undefined && current.version !== ifMatch)
      throw new StaleVersion(`The contact is at version ${current.version}, not ${ifMatch}.`);
    const next = patched(current, patch);
    const change = await checkChange(deps, current, next);
    if (!differs(current, next)) return toContact(current, clock(deps));
    next.version = current.version + 1;
    next.updatedAt = nowIso(deps);
    try {
      if (change === 'moves-login' && deps.loginEmails && current.login) {
        // The access stays; its login follows the email (the user pool, the guard, the audit entry).
        let movedAt = next.updatedAt;
        await deps.loginEmails.moveLoginEmail(current, next, actor, (move) => {
          movedAt = move.at;
          return deps.store.update(current, next, move);
        });
        next.login = { ...current.login, email: next.email as string, signedOutAt: movedAt };
        delete next.invitation;
      } else {
        await deps.store.update(current, next);
      }
      return toContact(next, clock(deps));
    } catch (error) {
      if (error instanceof CompanyUnavailable) throw companyGone();
      // A failed condition: re-read and decide again (stale If-Match, archived, a login appeared, or just retry);
      // another contact's login under the new email stays so however often we look.
      if (!(error instanceof Conflict) || error instanceof EmailInUse || attempt >= MAX_ATTEMPTS) throw error;
      // Stryker disable next-line ArithmeticOperator: the back-off's length is timing, not an outcome a test can tell apart.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/**
 * DELETE: revoke the contact's portal access (a company's persons' too), archive (idempotent; never
 * destroys), then revoke again: whoever got access between the two (the archive's own write is the
 * last word). The access ends before the archive is written, so a failure half-way (the table gone)
 * leaves access revoked on a contact not yet archived — still offered for archiving, and the repeat
 * completes it — never an archived company whose persons still see its documents.
 */
export async function archiveContact(deps: ContactsDeps, id: string, actor: string): Promise<void> {
  const before = await deps.store.get(id);
  if (!before) throw new NotFound('No such contact.');
  if (!before.archived) await deps.revoker.revokeForArchive(id, actor);
  for (let attempt = 1; ; attempt++) {
    const current = attempt === 1 && before.archived ? before : await deps.store.get(id);
    if (!current) throw new NotFound('No such contact.');
    if (current.archived) break;
    try {
      const at = nowIso(deps);
      await deps.store.archive(current, at, auditEntry('contact.archived', id, actor, at, { portalStatus: current.portal.status }));
      break;
    } catch (error) {
      if (!(error instanceof Conflict) || attempt >= 5) throw error;
    }
  }
  await deps.revoker.revokeForArchive(id, actor);
}

/**
 * `POST /contacts/{id}/restore`: an archived contact back in the listings, at a new version, its
 * portal access still revoked (grant it again). Its former login is forgotten: the archive released
 * its guard and subject, so another contact may have adopted it since; a new grant finds (and
 * adopts, if nobody else's) whatever login the pool has under the email. A person whose company is
 * still archived is restored as a person of that company, as its siblings that were never archived
 * are: it cannot be granted access until the company is restored or the person moved (PATCH
 * `companyId`). Restoring a contact that is not archived changes nothing.
 */
export async function restoreContact(deps: ContactsDeps, id: string, actor: string): Promise<Contact> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.get(id);
    if (!current) throw new NotFound('No such contact.');
    if (!current.archived) return toContact(current, clock(deps));
    if (LIVE_PORTAL.has(current.portal.status))
      throw new Conflict("The archive has not finished revoking this contact's portal access: repeat DELETE /contacts/{id}, then restore.");
    const at = nowIso(deps);
    const next: ContactRecord = { ...current, archived: false, version: current.version + 1, updatedAt: at, restoredAt: at };
    delete next.login;
    delete next.invitation;
    try {
      await deps.store.restore(current, next, auditEntry('contact.restored', id, actor, at, { portalStatus: current.portal.status }));
      return toContact(next, clock(deps));
    } catch (error) {
      if (!(error instanceof Conflict) || attempt >= 5) throw error;
    }
  }
}

export interface ListContactsInput {
  companyId?: string;
  q?: string;
  portalStatus?: PortalStatus;
  archived?: boolean;
  cursor?: string;
  limit: number;
}

/** A `q` with an `@` searches emails, any other `q` names. */
export async function listContacts(
  deps: ContactsDeps,
  input: ListContactsInput,
): Promise<{ items: Contact[]; nextCursor?: string }> {
  const now = clock(deps);
  const query: ContactQuery = { limit: input.limit };
  if (input.companyId !== undefined) query.companyId = input.companyId;
  if (input.portalStatus !== undefined) {
    query.portalStatus = input.portalStatus;
    query.at = now;
  }
  if (input.archived) query.archived = true;
  if (input.cursor !== undefined) query.cursor = input.cursor;
  if (input.q !== undefined) {
    if (input.q.includes('@')) query.emailPrefix = emailPrefixOf(input.q);
    else query.namePrefix = input.q;
  }
  const page = await deps.store.list(query);
  const items = page.items.map((record) => toContact(record, now));
  // The scheduled job stores `expired` within a minute of an access's `until` (expire.ts); until it
  // has, the access reads `expired` already. A company's or an email prefix's listing tests each row
  // at `at`, so it lists it `expired` at once; the listing by status alone reads the stored status's
  // partition: it leaves such an access out of `invited`/`active` (a shorter page) and finds it under
  // `expired` once the job has stored it.
  const shown = input.portalStatus === undefined ? items : items.filter((contact) => contact.portal.status === input.portalStatus);
  return { items: shown, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
