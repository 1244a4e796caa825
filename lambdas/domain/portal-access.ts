/**
 * The "Grant portal access" wizard: its lines, and applying them — grant, re-grant, revoke — one
 * line at a time, each on its own.
 *
 * A grant is a sequence of steps, each one durable before the next starts, so that a crash (or a
 * failing Cognito/SES) anywhere leaves a state the same request, repeated, completes without a
 * second login or a second email:
 *   1. claim the login email (guard item) and mark the contact `invited` — one transaction;
 *   2. create (or adopt an orphan, or re-enable) the Cognito user and record it on the contact;
 *   3. a fresh invitation token (only its hash is stored; the previous invitation dies);
 *   4. the email; then the invitation is marked sent, with the audit entry, in one transaction;
 *   5. the events (a lost event is logged, never fails the line).
 * An `invited` contact whose invitation was never sent is such an unfinished grant: a repeat goes
 * on from step 2 (each step is idempotent), and a finished one is `unchanged`.
 */
import type { ApplyInput, ApplyLine, Outcome, WizardLine } from '../schemas/portal-access';
import { normaliseEmail } from '../schemas/common';
import type { ContactRecord, PortalStatus } from './contact-record';
import { auditEntry } from './audit';
import { Conflict, Invalid, NotFound, Unavailable } from './errors';
import { SENDING_WINDOW_MS, sendInvitation } from './invitations';
import { isLookalikeDomain, LOOKALIKE_WARNING } from './lookalike-domains';
import type { AccessEventType, ClaimResult, CognitoLogin, LoginClaim, LoginRecord, PortalAccessDeps } from './portal-access-ports';

export type * from './portal-access-ports';

// ── The wizard ───────────────────────────────────────────────────────────────────────────────────

const inPortal = (status: PortalStatus) => status === 'invited' || status === 'active';

export function wizardLineOf(contact: ContactRecord): WizardLine {
  const email = contact.login?.email ?? contact.email;
  return {
    contactId: contact.id,
    name: contact.name,
    ...(email === undefined ? {} : { email }),
    inPortal: inPortal(contact.portal.status),
    status: contact.portal.status,
    ...(contact.portal.delivery === undefined ? {} : { delivery: contact.portal.delivery }),
    ...(email !== undefined && isLookalikeDomain(email) ? { warning: LOOKALIKE_WARNING } : {}),
  };
}

/** The wizard's contact and, for a company, its non-archived persons. */
async function wizardContacts(deps: Pick<PortalAccessDeps, 'contacts'>, contactId: string): Promise<ContactRecord[]> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new NotFound('No such contact.');
  if (contact.kind !== 'company') return [contact];
  return [contact, ...(await companyPersons(deps, contact.id))];
}

async function companyPersons(deps: Pick<PortalAccessDeps, 'contacts'>, companyId: string): Promise<ContactRecord[]> {
  const persons: ContactRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.contacts.listCompanyPersons(companyId, cursor, 100);
    persons.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return persons;
}

export async function getWizard(deps: Pick<PortalAccessDeps, 'contacts'>, contactId: string): Promise<{ contactId: string; lines: WizardLine[] }> {
  return { contactId, lines: (await wizardContacts(deps, contactId)).map(wizardLineOf) };
}

/** Whether a contact (read consistently) still belongs to the wizard of `wizardId`. */
const inScope = (contact: ContactRecord, wizardId: string) =>
  contact.id === wizardId || (contact.companyId === wizardId && contact.kind === 'person' && !contact.archived);

// ── Apply ────────────────────────────────────────────────────────────────────────────────────────

export interface LineResult {
  contactId: string;
  outcome: Outcome;
  status: PortalStatus;
  /** A failed line's reason: a domain error, or whatever a dependency threw (the HTTP layer maps it). */
  error?: unknown;
}

class LineFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly status: PortalStatus,
  ) {
    super('line failed');
  }
}

/** Runs `work` over `items` with at most `limit` at once; results in the items' order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export async function applyPortalAccess(
  deps: PortalAccessDeps,
  wizardId: string,
  input: ApplyInput,
  actor: string,
  signal?: AbortSignal,
): Promise<LineResult[]> {
  const scope = new Set((await wizardContacts(deps, wizardId)).map((c) => c.id));
  const firstIndex = new Map<string, number>();
  input.lines.forEach((line, index) => firstIndex.has(line.contactId) || firstIndex.set(line.contactId, index));

  return mapBounded(input.lines, deps.config.applyConcurrency, async (line, index) => {
    try {
      if (signal?.aborted) throw new LineFailure(new Unavailable('The request ran out of time before this line; repeat it.'), 'none');
      if (firstIndex.get(line.contactId) !== index)
        throw new LineFailure(new Invalid('This contact appears on an earlier line.', `lines.${index}.contactId`), 'none');
      if (!scope.has(line.contactId)) throw new LineFailure(new NotFound('The contact is not in this wizard.'), 'none');
      const contact = await deps.contacts.get(line.contactId);
      if (!contact || !inScope(contact, wizardId)) throw new LineFailure(new NotFound('The contact is not in this wizard.'), 'none');
      try {
        return await applyLine(deps, contact, line, index, input.message, actor, signal);
      } catch (error) {
        throw error instanceof LineFailure ? error : new LineFailure(error, contact.portal.status);
      }
    } catch (error) {
      if (error instanceof LineFailure) return { contactId: line.contactId, outcome: 'failed', status: error.status, error: error.error };
      return { contactId: line.contactId, outcome: 'failed', status: 'none', error };
    }
  });
}

async function applyLine(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  line: ApplyLine,
  index: number,
  message: string | undefined,
  actor: string,
  signal?: AbortSignal,
): Promise<LineResult> {
  const status = contact.portal.status;
  let email: string | undefined;
  if (line.email !== undefined) {
    email = normaliseEmail(line.email);
    if (!email) throw new LineFailure(new Invalid('The email is not a valid address.', `lines.${index}.email`), status);
  }
  if (!line.inPortal) {
    const outcome = await revokeContact(deps, contact, actor);
    return { contactId: contact.id, outcome, status: outcome === 'unchanged' ? status : 'revoked' };
  }
  return grant(deps, contact, email, message, actor, index, signal);
}

// ── Grant ────────────────────────────────────────────────────────────────────────────────────────

async function grant(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  lineEmail: string | undefined,
  message: string | undefined,
  actor: string,
  index: number,
  signal?: AbortSignal,
): Promise<LineResult> {
  const status = contact.portal.status;
  const fail = (error: unknown, current: PortalStatus = status): never => {
    throw new LineFailure(error, current);
  };
  if (contact.archived) fail(new Conflict('The contact is archived.'));

  let current = contact;
  let outcome: Outcome;
  if (inPortal(status)) {
    const loginEmail = current.login?.email;
    if (lineEmail !== undefined && loginEmail !== undefined && lineEmail !== loginEmail)
      fail(new Conflict('The contact already has a portal login with another email; revoke it first to change the email.'));
    if (status !== 'active') current = await awaitInvitationInFlight(deps, current, signal);
    if (current.portal.status !== 'invited' || isGrantComplete(current)) {
      // Nothing to do in the record; but the login must really be enabled (a repeat repairs any divergence).
      await ensureLoginEnabled(deps, current);
      return { contactId: contact.id, outcome: 'unchanged', status: current.portal.status };
    }
    outcome = 'granted'; // an unfinished grant: go on where it stopped
  } else {
    const email = lineEmail ?? contact.email;
    if (!email) return fail(new Invalid('The contact has no email; give one on the line.', `lines.${index}.email`));
    // A login of the pool under this email that is not this contact's own: before anything is
    // written, make sure it is no other contact's (then this line fails and the contact stays as it is).
    if (!(contact.login?.email === email && contact.login.username)) await adoptableLogin(deps, contact.id, email);
    const at = deps.now().toISOString();
    const claimed = await claimLoginEmail(deps, contact, email, lineEmail !== undefined && lineEmail !== contact.email, at);
    if (claimed === 'email-taken') fail(new Conflict(EMAIL_IN_USE));
    if (claimed === 'company-archived') fail(new Conflict("The contact's company is archived."));
    if (claimed === 'contact-changed') fail(new Conflict('The contact changed meanwhile; repeat the request.'));
    const sameLogin = contact.login?.email === email;
    current = {
      ...contact,
      ...(lineEmail === undefined ? {} : { email }),
      portal: { status: 'invited', invitedAt: at },
      login: sameLogin && contact.login ? contact.login : { email },
    };
    delete current.invitation;
    outcome = status === 'revoked' ? 'regranted' : 'granted';
  }

  try {
    const login = await ensureLogin(deps, current);
    const audit = auditEntry(outcome === 'regranted' ? 'portal.regranted' : 'portal.granted', current.id, actor, deps.now().toISOString(), { email: login.email });
    await sendInvitation(deps, current, message, audit, login);
  } catch (error) {
    return fail(error, 'invited');
  }
  const detail = { contactId: current.id, email: current.login?.email ?? '', at: deps.now().toISOString() };
  await emit(deps, 'PortalInvitationSent', detail);
  await emit(deps, 'PortalAccessGranted', detail);
  return { contactId: current.id, outcome, status: 'invited' };
}

// ── Re-invite ────────────────────────────────────────────────────────────────────────────────────

/** A fresh invitation to an `invited` contact of the wizard: the old link dies. */
export async function reinvite(
  deps: PortalAccessDeps,
  wizardId: string,
  input: { contactId?: string; message?: string },
  actor: string,
): Promise<void> {
  const targetId = input.contactId ?? wizardId;
  const scope = await wizardContacts(deps, wizardId);
  if (!scope.some((c) => c.id === targetId)) throw new NotFound('The contact is not in this wizard.');
  const read = await deps.contacts.get(targetId);
  if (!read || !inScope(read, wizardId)) throw new NotFound('The contact is not in this wizard.');
  if (read.portal.status !== 'invited' || read.archived) throw new Conflict('Only a contact whose invitation is pending can be re-invited.');
  const login = await ensureLogin(deps, read);
  const at = deps.now().toISOString();
  await sendInvitation(deps, read, input.message, auditEntry('portal.reinvited', read.id, actor, at, { email: login.email }), login);
  await emit(deps, 'PortalInvitationSent', { contactId: read.id, email: login.email, at: deps.now().toISOString() });
}

/**
 * An unsent invitation younger than SENDING_WINDOW_MS may be in the hands of another request that is
 * sending it right now (two applies of one company at once): replacing it would mail the contact
 * twice. So wait until that request marks it sent (then this line is `unchanged`) or the window
 * passes (then its request died, and this one goes on). A request whose mail failed drops its
 * invitation at once, so a repeat after a failure does not wait.
 */
async function awaitInvitationInFlight(deps: PortalAccessDeps, contact: ContactRecord, signal?: AbortSignal): Promise<ContactRecord> {
  let current = contact;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const pending = current.invitation;
    if (!pending || pending.sentAt || current.portal.status !== 'invited' || !pending.issuedAt) return current;
    const age = deps.now().getTime() - Date.parse(pending.issuedAt);
    if (!(age >= 0 && age < SENDING_WINDOW_MS)) return current;
    // The request's own time is up: say so rather than outlive the handler (the repeat decides).
    if (signal?.aborted) throw new LineFailure(new Unavailable('Another request is sending this invitation; repeat the request.'), 'invited');
    await sleep(Math.min(250, SENDING_WINDOW_MS - age));
    const fresh = await deps.contacts.get(current.id);
    if (!fresh) throw new NotFound('The contact is not in this wizard.');
    current = fresh;
  }
}

/** A grant whose every step is done: the login exists and is enabled, and the invitation email went out. */
const isGrantComplete = (contact: ContactRecord) =>
  Boolean(contact.login?.sub && !contact.login.disabledAt && contact.invitation?.sentAt);

/** Step 1, with the takeover of a stale guard (its holder archived, or no longer using that email). */
async function claimLoginEmail(deps: PortalAccessDeps, contact: ContactRecord, email: string, storeEmail: boolean, at: string): Promise<ClaimResult> {
  const claim: LoginClaim = { contact, email, storeEmail, at };
  const result = await deps.store.claimLogin(claim);
  if (result !== 'email-taken') return result;
  const holderId = await deps.store.loginHolder(email);
  if (holderId === undefined || holderId === contact.id) return deps.store.claimLogin(claim);
  const holder = await deps.contacts.get(holderId);
  if (holder && !holder.archived && holder.login?.email === email) return 'email-taken';
  return deps.store.claimLogin({ ...claim, takeOverFrom: holderId });
}

const EMAIL_IN_USE = "The email is another contact's portal login.";

/**
 * The pool's user under this email, if any, and only if no other contact's access record links it
 * (`SUB#<sub>`): a login whose email was changed to this one in Cognito (by its user, or in the
 * console) still belongs to its contact, and adopting it would hand that user this contact's
 * documents. An unlinked user is an orphan — an earlier attempt of this grant that died before
 * recording it, or the login of an archived contact, released with its guard — and may be adopted.
 */
async function adoptableLogin(deps: PortalAccessDeps, contactId: string, email: string): Promise<CognitoLogin | undefined> {
  const found = await deps.logins.find(email);
  if (!found) return undefined;
  const holder = await deps.store.subjectHolder(found.sub);
  if (holder !== undefined && holder !== contactId) throw new Conflict(EMAIL_IN_USE);
  return found;
}

/**
 * Step 2: the Cognito user exists and is enabled. Answers the login, which step 3 records (when
 * the contact does not yet) in the same transaction as the fresh invitation.
 */
async function ensureLogin(deps: PortalAccessDeps, contact: ContactRecord): Promise<LoginRecord> {
  const login = contact.login;
  if (!login) throw new Error('ensureLogin needs a claimed login email');
  if (login.username && login.sub) {
    // Always, not only when the record says disabled: a revocation running at the same time may have
    // disabled it after this grant read the contact (settleLogin then puts it right either way).
    await deps.logins.enable(login.username);
    await settleLogin(deps, contact.id, login.username, 'enabled');
    return { email: login.email, username: login.username, sub: login.sub };
  }
  const created = await deps.logins.create(login.email);
  if (created !== 'exists') return { email: login.email, ...created };
  // The pool already has a user with this email: ours to adopt only if it is an orphan.
  const found = await adoptableLogin(deps, contact.id, login.email);
  if (!found) throw new Unavailable('The portal login could not be found; repeat the request.');
  await deps.logins.enable(found.username);
  // Whoever used this login before must not go on with sessions of theirs (refresh tokens included).
  await deps.logins.signOut(found.username);
  return { email: login.email, ...found };
}

type LoginState = 'enabled' | 'disabled';

/** What the record says the login must be: enabled while in the portal, disabled once revoked. */
function wantedLoginState(contact: ContactRecord | undefined, username: string): LoginState | undefined {
  if (!contact || contact.login?.username !== username) return undefined; // not (or no longer) this contact's login
  if (inPortal(contact.portal.status) && !contact.archived) return 'enabled';
  return contact.portal.status === 'revoked' ? 'disabled' : undefined;
}

const SETTLE_ROUNDS = 5;

/**
 * After a Cognito enable or disable of a contact's login, the record is read again: a revoke and a
 * re-grant running at the same time each write the record, then call Cognito, and the later write
 * may be followed by the earlier call. So whoever made the last call sees the record's last state
 * and sets the login to match it (every change of the record is followed by such a call, so the last
 * call to land is always checked). Answers the state the login was left in.
 */
async function settleLogin(deps: PortalAccessDeps, contactId: string, username: string, applied: LoginState): Promise<LoginState> {
  let state = applied;
  for (let round = 0; round < SETTLE_ROUNDS; round++) {
    const wanted = wantedLoginState(await deps.contacts.get(contactId), username);
    if (wanted === undefined || wanted === state) return state;
    if (wanted === 'enabled') await deps.logins.enable(username);
    else await deps.logins.disable(username);
    state = wanted;
  }
  throw new Unavailable('The portal login kept changing; repeat the request.');
}

/** A repeated grant of a contact in the portal checks the pool: a login found disabled is enabled again. */
async function ensureLoginEnabled(deps: PortalAccessDeps, contact: ContactRecord): Promise<void> {
  const username = contact.login?.username;
  if (!username || (await deps.logins.isEnabled(username)) !== false) return;
  deps.warn('portal login found disabled for a contact in the portal; enabled again', { contactId: contact.id });
  await deps.logins.enable(username);
  await settleLogin(deps, contact.id, username, 'enabled');
}

async function emit(deps: PortalAccessDeps, type: AccessEventType, detail: { contactId: string; email: string; at: string }): Promise<void> {
  try {
    await deps.events.emit(type, detail);
  } catch (error) {
    deps.warn('event not emitted', { type, contactId: detail.contactId, error });
  }
}

// ── Revoke ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Revokes a contact's access. The access record says `revoked` first (with the pending invitation
 * deleted and the audit entry, one transaction): from then on the portal refuses. Then the Cognito
 * user is disabled and signed out; should that fail, a repeat finishes it (`login.disabledAt` is
 * set only once it is done). The login email guard stays while the contact is not archived (the
 * disabled login still exists, and a re-grant reuses it); an archived contact's guard and subject
 * pointer are released (its disabled login becomes an orphan that a later grant may adopt).
 */
async function revokeContact(deps: PortalAccessDeps, contact: ContactRecord, actor: string, reason?: string): Promise<'revoked' | 'unchanged'> {
  const status = contact.portal.status;
  const email = contact.login?.email;
  let outcome: 'revoked' | 'unchanged' = 'unchanged';
  if (inPortal(status)) {
    const at = deps.now().toISOString();
    const audit = auditEntry('portal.revoked', contact.id, actor, at, { email, previousStatus: status, ...(reason ? { reason } : {}) });
    if (!(await deps.store.revoke(contact, at, audit, contact.archived)))
      throw new LineFailure(new Conflict('The contact changed meanwhile; repeat the request.'), status);
    outcome = 'revoked';
  } else if (contact.archived && contact.login) {
    await deps.store.releaseLogin(contact.login, contact.id);
  }
  if ((outcome === 'revoked' || status === 'revoked') && contact.login?.username && !contact.login.disabledAt && (await stillOwnsLogin(deps, contact))) {
    try {
      await deps.logins.disable(contact.login.username);
      // A re-grant at the same moment may have enabled it before this disable landed: follow the record.
      if ((await settleLogin(deps, contact.id, contact.login.username, 'disabled')) === 'disabled')
        await deps.store.markLoginDisabled(contact.id, deps.now().toISOString());
    } catch (error) {
      throw new LineFailure(error, 'revoked');
    }
  }
  if (outcome === 'revoked') await emit(deps, 'PortalAccessRevoked', { contactId: contact.id, email: email ?? '', at: deps.now().toISOString() });
  return outcome;
}

/** An archived contact's released login may since have been adopted by another contact: then it is not this contact's to disable. */
async function stillOwnsLogin(deps: PortalAccessDeps, contact: ContactRecord): Promise<boolean> {
  const sub = contact.login?.sub;
  if (!contact.archived || !sub) return true;
  const holder = await deps.store.subjectHolder(sub);
  return holder === undefined || holder === contact.id;
}

/**
 * Revokes one contact's access, for the archive of a contact and for revocation events. Idempotent:
 * a contact already revoked (or never granted) changes nothing and gets no second audit entry.
 */
export async function revokeAccess(deps: PortalAccessDeps, contactId: string, actor: string, reason?: string): Promise<'revoked' | 'unchanged'> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new NotFound('No such contact.');
  try {
    return await revokeContact(deps, contact, actor, reason);
  } catch (error) {
    throw error instanceof LineFailure ? error.error : error;
  }
}

/** Revokes a company's own access and every one of its persons'. */
export async function revokeCompany(deps: PortalAccessDeps, companyId: string, actor: string, reason?: string): Promise<void> {
  const company = await deps.contacts.get(companyId);
  if (!company) throw new NotFound('No such contact.');
  await revokeEach(deps, [company, ...(await companyPersons(deps, companyId))], actor, () => reason);
}

/**
 * The archive of a contact (`DELETE /contacts/{id}`, `ContactArchived`): its access is revoked, and
 * for a company every one of its persons' too. Idempotent: a repeat (the DELETE again) completes a
 * revocation that failed half-way, and changes nothing once all are revoked.
 */
export async function revokeForArchive(deps: PortalAccessDeps, contactId: string, actor: string): Promise<void> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new NotFound('No such contact.');
  const persons = contact.kind === 'company' ? await companyPersons(deps, contact.id) : [];
  await revokeEach(deps, [contact, ...persons], actor, (c) => (c.id === contact.id ? 'contact archived' : 'company archived'));
}

/** Each contact revoked on its own (bounded concurrency); the failures, if any, together. */
async function revokeEach(deps: PortalAccessDeps, contacts: ContactRecord[], actor: string, reasonOf: (contact: ContactRecord) => string | undefined): Promise<void> {
  const failures: unknown[] = [];
  await mapBounded(contacts, deps.config.applyConcurrency, async (contact) => {
    try {
      await revokeContact(deps, contact, actor, reasonOf(contact));
    } catch (error) {
      failures.push(error instanceof LineFailure ? error.error : error);
    }
  });
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${contacts.length} revocations failed`);
}
