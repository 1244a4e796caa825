/**
 * Contacts: persons and companies, the people portal access is given to. The rules live here; the
 * store (DynamoDB in production) and the portal-access revocation are ports.
 */
import type { Contact, CreateContactInput, UpdateContactInput } from '../contract/schemas/contacts';
import { toContact, type ContactRecord } from './contact-record';
import { emailPrefixOf } from '../contract/email';
import { Conflict, DomainError, Invalid, NotFound } from '../contract/errors';

export interface ContactPage {
  items: ContactRecord[];
  nextCursor?: string;
}

/** One listing of non-archived contacts: all of them, or a company's persons, optionally narrowed by a prefix. */
export interface ContactQuery {
  companyId?: string;
  /** A case- and accent-insensitive prefix of the name. */
  namePrefix?: string;
  /** A prefix of the (normalised, lower-case) email. */
  emailPrefix?: string;
  cursor?: string;
  limit: number;
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
   * (invited/active) holds another address; a new `companyId` is checked as in `create`.
   */
  update(before: ContactRecord, after: ContactRecord): Promise<void>;
  /** Archives a non-archived contact in one conditional write: leaves every listing, version + 1. */
  archive(id: string, at: string): Promise<void>;
}

/** A write named a company that is missing, archived or not a company (the store checked it in the same write). */
export class CompanyUnavailable extends DomainError {}

/** Revokes a contact's portal access when the contact is archived; portal access implements it. Idempotent. */
export interface PortalAccessRevoker {
  revokeForArchive(contactId: string, actor: string): Promise<void>;
}

export interface ContactsDeps {
  store: ContactStore;
  revoker: PortalAccessRevoker;
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
    ...(input.email === undefined ? {} : { email: input.email }),
    ...(input.phone === undefined ? {} : { phone: input.phone }),
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

/** The rules of a change, checked against the current contact. */
async function checkChange(deps: ContactsDeps, current: ContactRecord, next: ContactRecord): Promise<void> {
  if (current.archived) throw new Conflict('An archived contact cannot be changed.');
  if (next.companyId !== current.companyId && next.companyId !== undefined) {
    if (current.kind === 'company') throw new Invalid('A company cannot belong to a company.', 'companyId');
    await assertCompany(deps, next.companyId);
  }
  const loginEmail = current.login?.email ?? current.email;
  if (next.email !== current.email && LIVE_PORTAL.has(current.portal.status) && next.email !== loginEmail)
    throw new Conflict(
      'This contact has a portal login under its current email; revoke its portal access first, then change the email.',
    );
}

/**
 * PATCH: with `ifMatch`, only that version may be changed (else 409); without it, a lost version
 * race is retried against the fresh contact, so no concurrent update is ever lost silently.
 */
export async function updateContact(
  deps: ContactsDeps,
  id: string,
  patch: UpdateContactInput,
  ifMatch?: number,
): Promise<Contact> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.get(id);
    if (!current) throw new NotFound('No such contact.');
    if (ifMatch !== undefined && current.version !== ifMatch)
      throw new Conflict(`The contact is at version ${current.version}, not ${ifMatch}.`);
    const next = patched(current, patch);
    await checkChange(deps, current, next);
    if (!differs(current, next)) return toContact(current, clock(deps));
    next.version = current.version + 1;
    next.updatedAt = nowIso(deps);
    try {
      await deps.store.update(current, next);
      return toContact(next, clock(deps));
    } catch (error) {
      if (error instanceof CompanyUnavailable) throw companyGone();
      // A failed condition: re-read and decide again (stale If-Match, archived, a login appeared, or just retry).
      if (!(error instanceof Conflict) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/**
 * DELETE: archive (idempotent; never destroys), then revoke the contact's portal access. A failed
 * revocation leaves the contact archived, and repeating the DELETE completes it.
 */
export async function archiveContact(deps: ContactsDeps, id: string, actor: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.get(id);
    if (!current) throw new NotFound('No such contact.');
    if (current.archived) break;
    try {
      await deps.store.archive(id, nowIso(deps));
      break;
    } catch (error) {
      if (!(error instanceof Conflict) || attempt >= 3) throw error;
    }
  }
  await deps.revoker.revokeForArchive(id, actor);
}

export interface ListContactsInput {
  companyId?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

/** A `q` with an `@` searches emails, any other `q` names. */
export async function listContacts(
  deps: ContactsDeps,
  input: ListContactsInput,
): Promise<{ items: Contact[]; nextCursor?: string }> {
  const query: ContactQuery = { limit: input.limit };
  if (input.companyId !== undefined) query.companyId = input.companyId;
  if (input.cursor !== undefined) query.cursor = input.cursor;
  if (input.q !== undefined) {
    if (input.q.includes('@')) query.emailPrefix = emailPrefixOf(input.q);
    else query.namePrefix = input.q;
  }
  const page = await deps.store.list(query);
  const now = clock(deps);
  return { items: page.items.map((record) => toContact(record, now)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
