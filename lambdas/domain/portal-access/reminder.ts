/**
 * The one reminder of a pending invitation, REMINDER_AFTER after it went out: a fresh link to the
 * invitee (the earlier link dies; the invitation keeps its expiry and sender), then a short notice
 * to the staff user who sent it (to its verified email in the staff pool; none when it has none).
 *
 * The scheduled job queues it (`queueReminder`: an outbox item in one transaction with the contact,
 * which then names it), and the outbox worker sends it (`deliverReminder`), paced like every mail,
 * in two steps recorded on the item — the reminder (with `remindedAt` on the contact, in the same
 * write as the step's marker), then the notice — so a record delivered again goes on after the last
 * recorded step: one reminder, one notice (the reminder's link is handed to SES once, as the
 * invitation's: delivery.ts `handOver`; the notice carries no link and is at least once). Never after acceptance: the fresh link replaces the old one
 * only while the contact still waits for it, and no notice says "not accepted" of an accepted one;
 * nor during one: while the old link is being accepted, the reminder waits (`AcceptanceUnderWay`).
 * A re-invite or a revocation meanwhile names another outbox item: this one is then superseded.
 */
import { Unavailable } from '../../contract/errors';
import { ABANDONED_AFTER_MS } from '../../contract/runtime';
import { portalStatusAt } from '../access-policy';
import { auditEntry, SCHEDULE_ACTOR } from '../audit';
import type { ContactRecord } from '../contact-record';
import { once, type OutboxOutcome, type OutboxRun, type ReminderItem } from '../outbox';
import { staffUsernameOf } from '../../contract/identity';
import type { DeliveryError } from '../../contract/schemas/portal-access';
import { handOver, insist, sendPaced } from './delivery';
import { invitationLink, reminderMail, staffNoticeMail } from './invitation-mail';
import { hashToken, inviterName, isOpen, newToken } from './invitations';
import { MailRefused, type DeliveryDeps, type Invitation, type PortalAccessDeps } from './ports';

/**
 * Whether the contact's invitation is the one whose reminder came due at `at`, and still waits for
 * it: out (mailed or handed over), open, its contact still invited, no reminder sent or queued yet,
 * and no re-invite on its way (`delivery: queued`): that one brings a fresh invitation with its own
 * reminder, and a reminder queued now would supersede it — the re-invite's mail never sent, its
 * line `queued` for good. Nor to an address that bounced or complained (`unmailable`).
 */
export function reminderDue(contact: ContactRecord, at: string, now: Date): boolean {
  const invitation = contact.invitation;
  return (
    !contact.archived &&
    portalStatusAt(contact.portal, now) === 'invited' &&
    isOpen(invitation, now) &&
    invitation.remindAt === at &&
    Boolean(invitation.sentAt || invitation.sharedAt) &&
    !invitation.remindedAt &&
    contact.outbox?.kind !== 'reminder' &&
    contact.portal.delivery !== 'queued' &&
    !unmailable(contact)
  );
}

/**
 * The address hard-bounced, or its owner marked our mail as spam (SES's feedback, mail-feedback.ts):
 * a reminder would bounce again, or go to someone who asked for no more — both count against the
 * account's sending reputation. Staff see `delivery` on the line and correct the email (a re-invite).
 */
const unmailable = (contact: ContactRecord): boolean => contact.portal.delivery === 'bounced' || contact.portal.delivery === 'complained';

export type ReminderQueueDeps = Pick<PortalAccessDeps, 'contacts' | 'store' | 'now' | 'newId'>;

/** The scheduled job's part: the reminder's outbox item, if the contact still waits for it. */
export async function queueReminder(deps: ReminderQueueDeps, contactId: string, at: string): Promise<'queued' | 'unchanged'> {
  const contact = await deps.contacts.get(contactId);
  if (!contact || !reminderDue(contact, at, deps.now())) return 'unchanged';
  const item: ReminderItem = { id: deps.newId(), kind: 'reminder', contactId, actor: SCHEDULE_ACTOR, at: deps.now().toISOString(), remindAt: at };
  // Changed meanwhile (accepted, re-invited, revoked): nothing to remind of.
  return (await deps.store.queueReminder(contact, item)) ? 'queued' : 'unchanged';
}

export type ReminderDeps = Pick<DeliveryDeps, 'contacts' | 'store' | 'outbox' | 'mailer' | 'pacer' | 'staff' | 'now' | 'config' | 'warn' | 'sleep'>;

/** The link staff handed over (a re-invite with `delivery: "link"`): never mailed, so no mail speaks of an earlier email. */
const handedOver = (invitation: { sentAt?: string; sharedAt?: string }): boolean => invitation.sentAt === undefined && invitation.sharedAt !== undefined;

/** The contact still names this item and waits (invited — its access's `until` not reached meanwhile — not archived). */
const current = (contact: ContactRecord | undefined, item: ReminderItem, now: Date): contact is ContactRecord =>
  contact !== undefined && !contact.archived && contact.outbox?.id === item.id && portalStatusAt(contact.portal, now) === 'invited';

/** The outbox worker's part: the reminder, then the notice, each once. */
export async function deliverReminder(deps: ReminderDeps, item: ReminderItem, run: OutboxRun): Promise<OutboxOutcome> {
  const contact = await deps.contacts.get(item.contactId);
  if (!current(contact, item, deps.now())) return 'superseded';
  let invitation = contact.invitation;
  if (!item.steps?.mail) {
    const sent = await remindInvitee(deps, contact, item, run);
    if (sent !== 'sent') return sent;
    invitation = (await deps.contacts.get(item.contactId))?.invitation;
  }
  await once(
    deps,
    item,
    'notice',
    async () => {
      // Accepted (or gone) meanwhile: "not accepted yet" would be wrong; there is nothing to tell.
      if (!isOpen(invitation, deps.now()) || !invitation.remindedAt) return;
      const latest = await deps.contacts.get(item.contactId);
      if (!latest || portalStatusAt(latest.portal, deps.now()) !== 'invited') return;
      await noticeInviter(deps, latest, invitation, run);
    },
    run,
  );
  return 'done';
}

/**
 * Step 1: a fresh link replaces the old one (while the contact still waits), mailed (paced, handed
 * over once: `handOver`), then recorded. An item that says its mail was handed over already
 * (`sending`) mails nothing: only the record is left to write.
 */
async function remindInvitee(deps: ReminderDeps, contact: ContactRecord, item: ReminderItem, run: OutboxRun): Promise<'sent' | OutboxOutcome> {
  const invitation = contact.invitation;
  const email = contact.login?.email;
  if (item.sending && email) return recordReminded(deps, contact, item, item.sending.tokenHash, email, run);
  // A bounce or complaint that came in since the job queued it counts too.
  if (!isOpen(invitation, deps.now()) || invitation.remindAt !== item.remindAt || invitation.remindedAt || !email || unmailable(contact)) return 'superseded';
  const token = newToken();
  const { remindedAt: _reminded, ...rest } = invitation;
  const fresh: Invitation = { ...rest, tokenHash: hashToken(token), issuedAt: deps.now().toISOString() };
  // Conditioned on the contact naming this item, `invited`, with the old token: accepted or revoked meanwhile, no reminder.
  const unlessClaimedSince = new Date(deps.now().getTime() - ABANDONED_AFTER_MS).toISOString();
  const replaced = await deps.store.replaceInvitation(contact.id, fresh, invitation.tokenHash, item.id, { schedule: false, holder: run.holder, unlessClaimedSince });
  if (replaced === 'claimed') throw new AcceptanceUnderWay(contact.id);
  if (replaced === 'superseded') return 'superseded';
  await run.afterStep?.('reminder-link', item);
  const mail = reminderMail({
    to: email,
    name: contact.name,
    ...(contact.lang === undefined ? {} : { lang: contact.lang }),
    business: deps.config.businessName,
    inviter: await inviterName(deps, invitation.invitedBy),
    link: invitationLink(deps.config.portalUrl, token),
    expiresAt: fresh.expiresAt,
    sentAt: invitation.sentAt ?? invitation.sharedAt ?? invitation.issuedAt ?? fresh.issuedAt,
    handedOver: handedOver(invitation),
  });
  const handed = await handOver(deps, contact.id, item, fresh.tokenHash, mail, run);
  if (handed === 'superseded') return 'superseded';
  if (handed instanceof MailRefused) {
    // The old link is dead already: the contact has no working link, and staff must see why.
    const failure: DeliveryError = { code: 'recipient_rejected', detail: `The mail service refused the address ${email}: ${handed.detail}`, at: deps.now().toISOString() };
    const audit = auditEntry('invitation.failed', contact.id, item.actor, failure.at, { email, code: failure.code, reminder: true });
    return (await insist(deps, run.signal, () => deps.store.markDeliveryFailed(contact, item.id, failure, audit))) ? 'failed' : 'superseded';
  }
  await run.afterStep?.('reminder-mail', item);
  return recordReminded(deps, contact, item, fresh.tokenHash, email, run);
}

/**
 * The invitee is accepting the link the reminder would replace (its claim is live): replacing it now
 * would answer that acceptance 410 after its password was set, and mail a link to someone who just
 * signed up. Transient: the worker tries the item again shortly (the acceptance takes a second or
 * two) — then the contact is active and no reminder goes, or the acceptance failed and released its
 * claim and the reminder goes; a claim its request abandoned counts no more after ABANDONED_AFTER_MS.
 */
export class AcceptanceUnderWay extends Unavailable {
  constructor(contactId: string) {
    super(`The invitation of contact ${contactId} is being accepted; its reminder waits for the answer.`);
  }
}

/** `remindedAt` on the contact, audited, with the item's marker: insisted on (SES has the mail, or may have). */
async function recordReminded(deps: ReminderDeps, contact: ContactRecord, item: ReminderItem, tokenHash: string, email: string, run: OutboxRun): Promise<'sent' | OutboxOutcome> {
  const at = deps.now().toISOString();
  const invitedBy = contact.invitation?.invitedBy;
  const audit = auditEntry('invitation.reminded', contact.id, SCHEDULE_ACTOR, at, { email, ...(invitedBy ? { invitedBy } : {}) });
  const marked = await insist(deps, run.signal, () => deps.store.markReminded(contact.id, tokenHash, item.id, at, audit));
  item.steps = { ...item.steps, mail: at };
  await run.afterStep?.('reminder-marked', item);
  return marked ? 'sent' : 'superseded';
}

/**
 * Step 2: the staff user who sent the invitation hears of the reminder — if the staff pool has a
 * verified email for it, and it is a portal admin still: one removed from the group, disabled or
 * deleted (its name perhaps someone else's by now) is told nothing about customers any more.
 */
async function noticeInviter(deps: ReminderDeps, contact: ContactRecord, invitation: ContactRecord['invitation'] & object, run: OutboxRun): Promise<void> {
  const username = staffUsernameOf(invitation.invitedBy);
  if (username === undefined) return;
  // A failing pool fails the step: the item comes back and tries the notice again (the reminder stays sent).
  // Asked afresh: whether the inviter is a portal admin still is what it is now, not a minute ago.
  const profile = await deps.staff.profile(username, { fresh: true });
  if (!profile?.email || !profile.portalAdmin) return;
  const notice = staffNoticeMail({
    to: profile.email,
    staffName: profile.name?.trim() || username,
    ...(profile.locale === undefined ? {} : { lang: profile.locale }),
    business: deps.config.businessName,
    contact: { name: contact.name, email: contact.login?.email ?? contact.email ?? '' },
    sentAt: invitation.sentAt ?? invitation.sharedAt ?? invitation.issuedAt ?? deps.now().toISOString(),
    expiresAt: invitation.expiresAt,
    handedOver: handedOver(invitation),
  });
  try {
    await sendPaced(deps, notice, run.signal);
  } catch (error) {
    // SES refuses the staff address for good (unverified in the sandbox, malformed): asking again
    // changes nothing, and a failing item would hold up every later item of its stream shard — other
    // contacts' invitations among them — until its retries ran out. The reminder itself went out.
    if (!(error instanceof MailRefused)) throw error;
    deps.warn('the inviter notice of a reminder was refused by the mail service; not sent', { contactId: contact.id, inviter: username, detail: error.detail });
  }
}
