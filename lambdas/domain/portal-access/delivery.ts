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
 * after the last recorded step: one login, one live invitation, one email. Two deliveries at once
 * never both work: the item's lease (outbox.ts) lets one go on. The link is minted for one mail:
 * right before SES is called the item records `sending` (with the link's hash), and a delivery
 * that finds it mints and mails nothing more — it records the mail as sent. So a table down from
 * SES's acceptance to the end of the invocation (the sent marker's write is insisted on until then)
 * or a worker that dies after SES took the mail ends with one mail and one link. What is left is
 * the other side of that (`handOver`): a worker that dies between `sending` and SES having the mail
 * leaves the line `sent` with no mail out — never two mails with two links. SES has no idempotency
 * key that would close it. An SES answer lost in-process (a timeout) is retried with the same mail
 * (the same link) while the invocation lasts.
 *
 * The item acts only while the contact names it (`outbox.id`): once revoked, re-granted or re-invited
 * meanwhile, a newer item follows the record and this one is `superseded` — but an item whose mail
 * is recorded still emits its events (the grant and its mail did happen), as a superseded
 * revocation emits its own.
 */
import { EmailInUse, Unavailable } from '../../contract/errors';
import type { DeliveryError } from '../../contract/schemas/portal-access';
import { auditEntry } from '../audit';
import type { ContactRecord } from '../contact-record';
import { once, OutboxBusy, type InvitationItem, type OutboxItem, type OutboxOutcome, type OutboxRun } from '../outbox';
import { EMAIL_IN_USE } from './grant';
import { invitationLink, invitationMail } from './invitation-mail';
import { freshInvitation, inviterName } from './invitations';
import { settleLogin } from './login-state';
import { LoginGone, MailDeferred, MailRefused, type CognitoLogin, type DeliveryDeps, type InvitationMail, type LoginRecord } from './ports';

const MARK_BACKOFF_MAX_MS = 2_000;

/** The item is the contact's current follow-up, and the contact still waits for an invitation. */
const current = (contact: ContactRecord | undefined, item: InvitationItem): contact is ContactRecord =>
  contact !== undefined && !contact.archived && contact.outbox?.id === item.id && contact.portal.status === 'invited';

export async function deliverInvitation(deps: DeliveryDeps, item: InvitationItem, run: OutboxRun): Promise<OutboxOutcome> {
  let contact = await deps.contacts.get(item.contactId);
  // Once its mail is recorded the grant has happened: its events go out even if the contact has moved
  // on since (revoked, re-invited) — as a revocation's do — or subscribers would see it revoked, never granted.
  const mailed = item.steps?.mail !== undefined;
  if (!mailed) {
    if (!current(contact, item)) return 'superseded';
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

  // Each announcement is a step of its own: one refused for a while (throttled) is tried again
  // without the other being announced again with every try. Emitted at least once: a worker that
  // dies between an emit and its marker emits it again. `events` is the last step, as for every item
  // (an item that has it, from before the split, announced both).
  let address: Promise<string> | undefined;
  const email = () => (address ??= deps.contacts.get(item.contactId).then((c) => c?.login?.email ?? ''));
  const invitationSent = async () => deps.events.emit('PortalInvitationSent', { contactId: item.contactId, email: await email(), at: item.steps?.mail ?? deps.now().toISOString() });
  if (item.reason === 'reinvited') await once(deps, item, 'events', invitationSent, run);
  else {
    if (!item.steps?.events) await once(deps, item, 'invitation-event', invitationSent, run);
    await once(deps, item, 'events', async () => deps.events.emit('PortalAccessGranted', { contactId: item.contactId, email: await email(), at: item.at }), run);
  }
  return !mailed || current(contact, item) ? 'done' : 'superseded';
}

/**
 * Steps 3 and 4: a fresh invitation (sent by the item's actor: its expiry and its one reminder
 * scheduled with it), its email (paced, handed over once: `handOver`), then `sent` on the contact
 * and the item. An item that says a mail was handed over already (`sending`) mails nothing: its
 * link is the contact's invitation, and only the record is left to write.
 */
async function sendInvitation(deps: DeliveryDeps, contact: ContactRecord, item: InvitationItem, login: LoginRecord, run: OutboxRun): Promise<'sent' | OutboxOutcome> {
  if (item.sending) return recordSent(deps, contact.id, item, item.sending.tokenHash, run);
  // No mail of this item went out: a link minted by an earlier attempt was never mailed, and a fresh one replaces it.
  const { token, invitation } = freshInvitation(deps.config, deps.now(), item.actor);
  if ((await deps.store.replaceInvitation(contact.id, invitation, contact.invitation?.tokenHash, item.id, { schedule: true, holder: run.holder })) !== 'replaced') return 'superseded';
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
  const handed = await handOver(deps, contact.id, item, invitation.tokenHash, mail, run);
  if (handed === 'superseded') return 'superseded';
  if (handed instanceof MailRefused) {
    const failure: DeliveryError = { code: 'recipient_rejected', detail: `The mail service refused the address ${login.email}: ${handed.detail}`, at: deps.now().toISOString() };
    const audit = auditEntry('invitation.failed', contact.id, item.actor, failure.at, { email: login.email, code: failure.code });
    // Insisted on like the sent marker: a redelivery would take the handed-over mail for sent.
    return (await insist(deps, run.signal, () => deps.store.markDeliveryFailed(contact, item.id, failure, audit))) ? 'failed' : 'superseded';
  }
  await run.afterStep?.('mail', item);
  return recordSent(deps, contact.id, item, invitation.tokenHash, run);
}

/** `sent` on the contact and the item's marker, insisted on (SES has the mail, or may have). */
async function recordSent(deps: DeliveryDeps, contactId: string, item: InvitationItem, tokenHash: string, run: OutboxRun): Promise<'sent' | OutboxOutcome> {
  const at = deps.now().toISOString();
  const marked = await insist(deps, run.signal, () => deps.store.markInvitationSent(contactId, tokenHash, item.id, at));
  item.steps = { ...item.steps, mail: at };
  await run.afterStep?.('marked', item);
  // Not marked: revoked or re-invited while it was sent; the record follows the newer item.
  return marked ? 'sent' : 'superseded';
}

/**
 * Hands a mail with a link (the contact's invitation `tokenHash`) to SES once: after its pacing
 * slot and right before the first attempt, the item records `sending` — only while this delivery
 * holds the item and the contact still has that invitation — and from then on no delivery of the
 * item mints or mails another link. Attempts SES refused or deferred are tried again with the same
 * mail (the same link) while the invocation lasts; if every attempt surely failed (SES answered
 * each with an error) the marker is withdrawn, so that the stream's retry mails a fresh link.
 * Answers `handed` (SES took it), the refusal of a recipient, or `superseded`; throws the rest
 * (`OutboxBusy` when another delivery took the item over).
 *
 * The one window left: SES has the mail and nothing can be written before the invocation ends (the
 * table down), or the worker dies between `sending` and SES's answer. The redelivery then records
 * the mail as sent without sending: one mail and one link, except if the worker died before SES
 * had it (or SES's lost answer was a failure), when no mail went out although the line says `sent`
 * (staff re-invite from the wizard). SES has no idempotency key that would close it.
 */
export async function handOver(
  deps: Pick<DeliveryDeps, 'store' | 'pacer' | 'mailer' | 'warn' | 'sleep' | 'now'>,
  contactId: string,
  item: OutboxItem,
  tokenHash: string,
  mail: InvitationMail,
  run: OutboxRun,
): Promise<'handed' | 'superseded' | MailRefused> {
  let maybeSent = false;
  const beforeFirst = async () => {
    const at = deps.now().toISOString();
    const marked = await deps.store.markMailSending(contactId, tokenHash, item.id, at, run.renewal());
    if (marked === 'lease-lost') throw new OutboxBusy(item.id);
    if (marked === 'superseded') throw new Superseded();
    item.sending = { tokenHash, at };
  };
  try {
    await sendPaced(deps, mail, run.signal, { beforeFirst, deferred: (error) => (maybeSent ||= error.maybeSent) });
    return 'handed';
  } catch (error) {
    if (error instanceof Superseded) return 'superseded';
    if (error instanceof MailRefused) return error;
    if (item.sending && !maybeSent) {
      // SES surely has none of it: the next delivery may mint and mail a fresh link.
      await deps.store.clearMailSending(item.id, run.holder).catch(() => undefined);
      delete item.sending;
    }
    throw error;
  }
}

/** The contact moved on (revoked, re-invited) before the mail was handed over. */
class Superseded extends Error {}

/**
 * One pacing slot per attempt: a throttled SES is tried again after a backoff (doubling, up to 10 s)
 * with a fresh slot, so retries never push the rate above the configured one; a slot gone stale before
 * the send (see `MailSlot`) is replaced, never used late. When the invocation's
 * time is up the last error goes up, and the stream brings the item back later. `beforeFirst` runs
 * once, after the first slot and before the first attempt; `deferred` hears of every deferral.
 */
export async function sendPaced(
  deps: Pick<DeliveryDeps, 'pacer' | 'mailer' | 'warn' | 'sleep'>,
  mail: InvitationMail,
  signal: AbortSignal,
  hooks: { beforeFirst?: () => Promise<void>; deferred?: (error: MailDeferred) => void } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let slot = await deps.pacer.acquire(signal);
    if (attempt === 1) await hooks.beforeFirst?.();
    // The hook's write (or a slow moment) may have taken the slot past its second.
    while (!slot.usable()) slot = await deps.pacer.acquire(signal);
    try {
      return await deps.mailer.send(mail, signal);
    } catch (error) {
      if (!(error instanceof MailDeferred)) throw error;
      hooks.deferred?.(error);
      if (signal.aborted) throw error;
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
    try {
      // Always, not only when the record says disabled: a revocation's worker may have disabled it
      // after this grant's record was written (settleLogin puts it right either way).
      await deps.logins.enable(login.username);
      await settleLogin(deps, contact.id, login.username, 'enabled');
      return { email: login.email, username: login.username, sub: login.sub };
    } catch (error) {
      // Deleted from the pool since it was recorded: made again below, as for a first grant.
      if (!(error instanceof LoginGone)) throw error;
    }
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
  const replaced = login.sub !== undefined && login.sub !== found.sub ? login.sub : undefined;
  const result = await deps.store.recordLogin(contact.id, outboxId, recorded, replaced);
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
