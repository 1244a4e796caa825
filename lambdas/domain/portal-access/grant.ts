/**
 * Granting (and re-granting) portal access to one contact of the wizard.
 *
 * A grant is a sequence of steps, each one durable before the next starts, so that a crash (or a
 * failing Cognito/SES) anywhere leaves a state the same request, repeated, completes without a
 * second login or a second email:
 *   1. claim the login email (guard item) and mark the contact `invited` — one transaction;
 *   2. create (or adopt an orphan, or re-enable) the Cognito user and record it on the contact;
 *   3. a fresh invitation token (only its hash is stored; the previous invitation dies);
 *   4. the email; then the invitation is marked sent, with the audit entry, in one transaction;
 *   5. the events (a lost event is logged, never fails the line).
 * A line on a contact in the portal that changes only its scope, types or end is `updated`: one
 * write, no invitation.
 * An `invited` contact whose invitation was never sent is such an unfinished grant: a repeat goes
 * on from step 2 (each step is idempotent), and a finished one is `unchanged`.
 */
import { Conflict, EmailInUse, Invalid, NoEmail, OutOfScope, Unavailable } from '../../contract/errors';
import type { Outcome } from '../../contract/schemas/portal-access';
import { hasEnded, portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import type { ContactRecord, PortalStatus } from '../contact-record';
import { emitAccessEvent } from './access-events';
import { SENDING_WINDOW_MS, sendInvitation } from './invitations';
import { LineFailure, type LineResult } from './lines';
import { settleLogin } from './login-state';
import type { ClaimResult, CognitoLogin, LoginClaim, LoginRecord, PortalAccessDeps } from './ports';
import { changedSettings, describeSettings, sameSettings, storedSettings, type SettingsChange, type StoredSettings } from './settings';
import { inPortal, NOT_IN_WIZARD } from './wizard';

export async function grant(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  line: { email: string | undefined; settings: SettingsChange },
  message: string | undefined,
  actor: string,
  index: number,
  signal?: AbortSignal,
): Promise<LineResult> {
  const lineEmail = line.email;
  const now = deps.now();
  const status = portalStatusAt(contact.portal, now);
  const fail = (error: unknown, current: PortalStatus = status): never => {
    throw new LineFailure(error, current);
  };
  if (contact.archived) fail(new Conflict('The contact is archived.'));
  const settings = changedSettings(storedSettings(contact.portal), line.settings);

  let current = contact;
  let outcome: Outcome;
  if (inPortal(status)) {
    const loginEmail = current.login?.email;
    if (lineEmail !== undefined && loginEmail !== undefined && lineEmail !== loginEmail)
      fail(new Conflict("The contact's portal login has another email; change the contact's email (PATCH) to move the login."));
    const updated = !sameSettings(settings, storedSettings(current.portal));
    if (updated) current = await updateSettings(deps, current, settings, actor, status);
    if (status !== 'active') current = await awaitInvitationInFlight(deps, current, signal);
    if (current.portal.status !== 'invited' || isGrantComplete(current)) {
      // Nothing to do in the record; but the login must really be enabled (a repeat repairs any divergence).
      await ensureLoginEnabled(deps, current);
      return { contactId: contact.id, outcome: updated ? 'updated' : 'unchanged', status: portalStatusAt(current.portal, deps.now()) };
    }
    outcome = 'granted'; // an unfinished grant: go on where it stopped
  } else {
    const email = lineEmail ?? contact.email;
    if (!email) return fail(new NoEmail('The contact has no email; give one on the line.', `lines.${index}.email`));
    // An access that ended keeps its settings unless the line changes them: an end already past cannot be granted again.
    if (hasEnded(settings.until, now))
      fail(new Invalid(`The access ended at ${settings.until}; give a new until in the future, or null for none.`, `lines.${index}.until`));
    // A login of the pool under this email that is not this contact's own: before anything is
    // written, make sure it is no other contact's (then this line fails and the contact stays as it is).
    if (!(contact.login?.email === email && contact.login.username)) await adoptableLogin(deps, contact.id, email);
    const at = now.toISOString();
    const claimed = await claimLoginEmail(deps, contact, email, lineEmail !== undefined && lineEmail !== contact.email, at, settings);
    if (claimed === 'email-taken') fail(new EmailInUse(EMAIL_IN_USE));
    if (claimed === 'company-archived') fail(new Conflict("The contact's company is archived."));
    if (claimed === 'contact-changed') fail(new Conflict('The contact changed meanwhile; repeat the request.'));
    const sameLogin = contact.login?.email === email;
    current = {
      ...contact,
      ...(lineEmail === undefined ? {} : { email }),
      portal: { status: 'invited', invitedAt: at, ...settings },
      login: sameLogin && contact.login ? contact.login : { email },
    };
    delete current.invitation;
    outcome = status === 'revoked' || status === 'expired' ? 'regranted' : 'granted';
  }

  try {
    const login = await ensureLogin(deps, current);
    const audit = auditEntry(outcome === 'regranted' ? 'portal.regranted' : 'portal.granted', current.id, actor, deps.now().toISOString(), {
      email: login.email,
      ...describeSettings(storedSettings(current.portal)),
    });
    await sendInvitation(deps, current, message, audit, login);
  } catch (error) {
    return fail(error, 'invited');
  }
  const detail = { contactId: current.id, email: current.login?.email ?? '', at: deps.now().toISOString() };
  await emitAccessEvent(deps, 'PortalInvitationSent', detail);
  await emitAccessEvent(deps, 'PortalAccessGranted', detail);
  return { contactId: current.id, outcome, status: 'invited' };
}

/**
 * Only the scope, types or end of a live access change: one conditional write with its audit entry,
 * effective on the contact's next portal request (the portal reads the record on every request).
 * No invitation, no login change.
 */
async function updateSettings(deps: PortalAccessDeps, contact: ContactRecord, settings: StoredSettings, actor: string, status: PortalStatus): Promise<ContactRecord> {
  const at = deps.now().toISOString();
  const audit = auditEntry('portal.updated', contact.id, actor, at, { from: describeSettings(storedSettings(contact.portal)), to: describeSettings(settings) });
  if (!(await deps.store.updateSettings(contact, settings, at, audit)))
    throw new LineFailure(new Conflict('The contact changed meanwhile; repeat the request.'), status);
  const { scope: _scope, types: _types, until: _until, ...portal } = contact.portal;
  return { ...contact, portal: { ...portal, ...settings }, version: contact.version + 1, updatedAt: at };
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
    if (!fresh) throw new OutOfScope(NOT_IN_WIZARD);
    current = fresh;
  }
}

/** A grant whose every step is done: the login exists and is enabled, and the invitation email went out. */
const isGrantComplete = (contact: ContactRecord) =>
  Boolean(contact.login?.sub && !contact.login.disabledAt && contact.invitation?.sentAt);

/** Step 1, with the takeover of a stale guard (its holder archived, or no longer using that email). */
async function claimLoginEmail(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  email: string,
  storeEmail: boolean,
  at: string,
  settings: StoredSettings,
): Promise<ClaimResult> {
  const claim: LoginClaim = { contact, email, storeEmail, at, settings };
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
  if (holder !== undefined && holder !== contactId) throw new EmailInUse(EMAIL_IN_USE);
  return found;
}

/**
 * Step 2: the Cognito user exists and is enabled. Answers the login, which step 3 records (when
 * the contact does not yet) in the same transaction as the fresh invitation.
 */
export async function ensureLogin(deps: PortalAccessDeps, contact: ContactRecord): Promise<LoginRecord> {
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

/** A repeated grant of a contact in the portal checks the pool: a login found disabled is enabled again. */
async function ensureLoginEnabled(deps: PortalAccessDeps, contact: ContactRecord): Promise<void> {
  const username = contact.login?.username;
  if (!username || (await deps.logins.isEnabled(username)) !== false) return;
  deps.warn('portal login found disabled for a contact in the portal; enabled again', { contactId: contact.id });
  await deps.logins.enable(username);
  await settleLogin(deps, contact.id, username, 'enabled');
}
