/**
 * The outbox worker's part of a grant, a re-grant or a re-invitation (an `invitation` item):
 *
 *   2. the Cognito login exists and is enabled — created (`SUPPRESS`: Cognito sends nothing), or an
 *      orphan adopted, never a login another contact's record links — and is recorded on the contact;
 *   3. a fresh invitation (the previous one dies);
 *   4. its email, paced across every worker; the contact then says `sentAt` / `delivery: sent` and
 *      the item records the step, in one transaction;
 *   5. the events.
 *
 * Each step is idempotent and recorded (the login on the contact, the mail and the events as step
 * markers on the item), so a record delivered again — after a crash, a timeout, a retry — goes on
 * after the last recorded step: one login, one live invitation, one email. The exceptions are
 * around SES accepting the mail: a worker that dies between SES's answer and the marker's write cannot
 * know the mail went out, and the repeat sends it again with a fresh link (the first link dies); and
 * an answer of SES's that is lost (a timeout, a dropped connection) reads as SES unavailable, so the
 * same mail is tried again. That is at least once, not exactly once; SES has no idempotency key that
 * would close it. The marker's write itself is retried in-process until the invocation ends, so only a
 * worker that dies (or a table down for longer than an invocation) hits the first.
 *
 * The item acts only while the contact names it (`outbox.id`): once revoked, re-granted or re-invited
 * meanwhile, a newer item follows the record and this one is `superseded`.
 */
import { EmailInUse, Unavailable } from '../../contract/errors';
import type { DeliveryError } from '../../contract/schemas/portal-access';
import { auditEntry } from '../audit';
import type { ContactRecord } from '../contact-record';
import { once, type InvitationItem, type OutboxOutcome, type OutboxRun } from '../outbox';
import { EMAIL_IN_USE } from './grant';
import { invitationLink, invitationMail } from './invitation-mail';
import { freshInvitation, inviterName } from './invitations';
import { settleLogin } from './login-state';
import { MailDeferred, MailRefused, type CognitoLogin, type DeliveryDeps, type InvitationMail, type LoginRecord } from './ports';

const MARK_BACKOFF_MAX_MS = 2_000;

/** The item is the contact's current follow-up, and the contact still waits for an invitation. */
const current = (contact: ContactRecord | undefined, item: InvitationItem): contact is ContactRecord =>
  contact !== undefined && !contact.archived && contact.outbox?.id === item.id && contact.portal.status === 'invited';

export async function deliverInvitation(deps: DeliveryDeps, item: InvitationItem, run: OutboxRun): Promise<OutboxOutcome> {
  let contact = await deps.contacts.get(item.contactId);
  if (!current(contact, item)) return 'superseded';

  if (!item.steps?.mail) {
    let login: LoginRecord;
    try {
      login = await ensureLogin(deps, contact, item.id);
    } catch (error) {
      if (error instanceof EmailInUse) return withdraw(deps, contact, item, error.message);
      throw error;
    }
    await run.afterStep?.('login', item);
    contact = await deps.contacts.get(item.contactId);
    if (!current(contact, item)) return 'superseded';
    const sent = await sendInvitation(deps, contact, item, login, run);
    if (sent !== 'sent') return sent;
  }

  await once(deps, item, 'events', async () => {
    const email = (await deps.contacts.get(item.contactId))?.login?.email ?? '';
    const at = item.steps?.mail ?? deps.now().toISOString();
    // Emitted at least once: a worker that dies between these and the marker emits them again.
    await deps.events.emit('PortalInvitationSent', { contactId: item.contactId, email, at });
    if (item.reason !== 'reinvited') await deps.events.emit('PortalAccessGranted', { contactId: item.contactId, email, at: item.at });
  }, run);
  return 'done';
}

/**
 * Steps 3 and 4: a fresh invitation (sent by the item's actor: its expiry and its one reminder
 * scheduled with it), its email (paced), then `sent` on the contact and the item.
 */
async function sendInvitation(deps: DeliveryDeps, contact: ContactRecord, item: InvitationItem, login: LoginRecord, run: OutboxRun): Promise<'sent' | OutboxOutcome> {
  const { token, invitation } = freshInvitation(deps.config, deps.now(), item.actor);
  if (!(await deps.store.replaceInvitation(contact.id, invitation, contact.invitation?.tokenHash, item.id, { schedule: true }))) return 'superseded';
  await run.afterStep?.('invitation', item);
  const mail = invitationMail({
    to: login.email,
    name: contact.name,
    ...(contact.lang === undefined ? {} : { lang: contact.lang }),
    business: deps.config.businessName,
    inviter: await inviterName(deps, item.actor),
    link: invitationLink(deps.config.portalUrl, token),
    expiresAt: invitation.expiresAt,
    ...(item.message === undefined ? {} : { message: item.message }),
  });
  try {
    await sendPaced(deps, mail, run.signal);
  } catch (error) {
    if (!(error instanceof MailRefused)) throw error;
    const failure: DeliveryError = { code: 'recipient_rejected', detail: `The mail service refused the address ${login.email}: ${error.detail}`, at: deps.now().toISOString() };
    const audit = auditEntry('invitation.failed', contact.id, item.actor, failure.at, { email: login.email, code: failure.code });
    return (await deps.store.markDeliveryFailed(contact, item.id, failure, audit)) ? 'failed' : 'superseded';
  }
  await run.afterStep?.('mail', item);
  // SES has the mail: from here a dying worker means a second mail on the repeat, so the marker is written before anything else, and insisted on.
  const at = deps.now().toISOString();
  const marked = await insist(deps, run.signal, () => deps.store.markInvitationSent(contact.id, invitation.tokenHash, item.id, at));
  item.steps = { ...item.steps, mail: at };
  await run.afterStep?.('marked', item);
  // Not marked: revoked or re-invited while it was sent; the record follows the newer item.
  return marked ? 'sent' : 'superseded';
}

/**
 * One pacing slot per attempt: a throttled SES is tried again after a backoff (doubling, up to 10 s)
 * with a fresh slot, so retries never push the rate above the configured one. When the invocation's
 * time is up the last error goes up, and the stream brings the item back later.
 */
export async function sendPaced(deps: Pick<DeliveryDeps, 'pacer' | 'mailer' | 'warn' | 'sleep'>, mail: InvitationMail, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await deps.pacer.acquire(signal);
    try {
      return await deps.mailer.send(mail, signal);
    } catch (error) {
      if (!(error instanceof MailDeferred) || signal.aborted) throw error;
      deps.warn('invitation email deferred, trying again', { reason: error.reason, attempt });
      // Stryker disable next-line ArithmeticOperator,MethodExpression: the backoff's length is timing, not an outcome
      await deps.sleep(Math.min(10_000, 200 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal);
      if (signal.aborted) throw new Unavailable('The mail service kept deferring; the item comes back.');
    }
  }
}

/**
 * Retries a write in-process (a throttle, a table unavailable for a while) for as long as the
 * invocation lasts: giving up here is what would turn one mail into two.
 */
export async function insist<T>(deps: Pick<DeliveryDeps, 'sleep'>, signal: AbortSignal, write: () => Promise<T>): Promise<T> {
  // Stryker disable next-line UpdateOperator: the attempt only sets the backoff's length (timing, not an outcome)
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (signal.aborted) throw error;
      // Stryker disable next-line ArithmeticOperator,MethodExpression: the backoff's length is timing, not an outcome
      await deps.sleep(Math.min(MARK_BACKOFF_MAX_MS, 50 * 2 ** attempt), signal);
    }
  }
}

/**
 * The pool's user under this email, if any, and only if no other contact's access record links it
 * (`SUB#<sub>`): a login whose email was changed to this one in Cognito (by its user, or in the
 * console) still belongs to its contact, and adopting it would hand that user this contact's
 * documents. An unlinked user is an orphan — an earlier attempt of this grant that died before
 * recording it, or the login of an archived contact, released with its guard — and may be adopted.
 */
async function adoptableLogin(deps: DeliveryDeps, contactId: string, email: string): Promise<CognitoLogin | undefined> {
  const found = await deps.logins.find(email);
  if (!found) return undefined;
  const holder = await deps.store.subjectHolder(found.sub);
  if (holder !== undefined && holder !== contactId) throw new EmailInUse(EMAIL_IN_USE);
  return found;
}

/**
 * Step 2: the Cognito user exists and is enabled, and the contact records it (with `SUB#<sub>`).
 * Throws `EmailInUse` when the pool's user under the email belongs to another contact.
 */
export async function ensureLogin(deps: DeliveryDeps, contact: ContactRecord, outboxId: string): Promise<LoginRecord> {
  const login = contact.login;
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable — an invitation item is written in the transaction that claims the login email
  if (!login) throw new Error('ensureLogin needs a claimed login email');
  // Stryker disable next-line LogicalOperator: a login is recorded with its username and sub together (recordLogin), never one alone
  if (login.username && login.sub) {
    // Always, not only when the record says disabled: a revocation's worker may have disabled it
    // after this grant's record was written (settleLogin puts it right either way).
    await deps.logins.enable(login.username);
    await settleLogin(deps, contact.id, login.username, 'enabled');
    return { email: login.email, username: login.username, sub: login.sub };
  }
  let found: CognitoLogin;
  const created = await deps.logins.create(login.email);
  if (created !== 'exists') found = created;
  else {
    // The pool already has a user with this email: ours to adopt only if it is an orphan.
    const orphan = await adoptableLogin(deps, contact.id, login.email);
    if (!orphan) throw new Unavailable('The portal login could not be found; it will be tried again.');
    await deps.logins.enable(orphan.username);
    // Whoever used this login before must not go on with sessions of theirs (refresh tokens included).
    await deps.logins.signOut(orphan.username);
    found = orphan;
  }
  const recorded = { email: login.email, ...found };
  const result = await deps.store.recordLogin(contact.id, outboxId, recorded);
  if (result === 'subject-taken') throw new EmailInUse(EMAIL_IN_USE);
  if (result === 'superseded') throw new Unavailable('The contact changed while its login was made; it will be tried again.');
  // A revocation may have landed between the enable and the record: the login follows the record.
  await settleLogin(deps, contact.id, found.username, 'enabled');
  return recorded;
}

/**
 * The grant cannot go on: the email's login is another contact's. The grant is taken back — the
 * contact as it was before it (`none`, or `revoked` for a re-grant), its email guard released — and
 * the line says why (`delivery: failed`, `login_in_use`), audited.
 */
async function withdraw(deps: DeliveryDeps, contact: ContactRecord, item: InvitationItem, detail: string): Promise<OutboxOutcome> {
  const at = deps.now().toISOString();
  const failure: DeliveryError = { code: 'login_in_use', detail, at };
  const audit = auditEntry('portal.withdrawn', contact.id, item.actor, at, { email: contact.login?.email, code: failure.code });
  const fallback = item.reason === 'regranted' ? 'revoked' : 'none';
  return (await deps.store.withdrawGrant(contact, item.id, fallback, failure, audit)) ? 'withdrawn' : 'superseded';
}
