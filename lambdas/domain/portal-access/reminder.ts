/**
 * The one reminder of a pending invitation, REMINDER_AFTER after it went out: a fresh link to the
 * invitee (the earlier link dies; the invitation keeps its expiry and sender), then a short notice
 * to the staff user who sent it (to its email in the staff pool; none when it has none).
 *
 * Two steps, each recorded on the contact's invitation when done (`remindedAt`, `noticedAt`), so a
 * repeat — the scheduled job's next run, after this one failed or died — goes on after the last
 * recorded step: one reminder, one notice. As with every mail, a run that dies between the mail
 * service accepting the reminder and the record of it sends it again on the repeat (at least once).
 * Never after acceptance: the fresh link replaces the old one only while the contact still waits
 * for it, and the notice is not sent to say "not accepted" about an accepted invitation.
 */
import { portalStatusAt } from '../access-policy';
import { auditEntry, SCHEDULE_ACTOR } from '../audit';
import type { ContactInvitation, ContactRecord } from '../contact-record';
import { invitationLink, reminderMail, staffNoticeMail } from './invitation-mail';
import { hashToken, inviterName, isOpen, newToken } from './invitations';
import { staffUsernameOf } from '../../contract/identity';
import type { Invitation, PortalAccessDeps } from './ports';

export type ReminderDeps = Pick<PortalAccessDeps, 'contacts' | 'store' | 'mailer' | 'staff' | 'now' | 'config' | 'warn'>;

/**
 * Whether the contact's invitation is the one whose reminder came due at `at`, and still waits for
 * it (or for its notice): out (mailed or handed over), open, and its contact still invited.
 */
export function reminderDue(contact: ContactRecord, at: string, now: Date): boolean {
  const invitation = contact.invitation;
  return (
    !contact.archived &&
    portalStatusAt(contact.portal, now) === 'invited' &&
    isOpen(invitation, now) &&
    invitation.remindAt === at &&
    Boolean(invitation.sentAt || invitation.sharedAt) &&
    !(invitation.remindedAt && invitation.noticedAt)
  );
}

export async function deliverReminder(deps: ReminderDeps, contactId: string, at: string): Promise<'reminded' | 'unchanged'> {
  const contact = await deps.contacts.get(contactId);
  if (!contact || !reminderDue(contact, at, deps.now())) return 'unchanged';
  let invitation: ContactInvitation = contact.invitation!;
  if (!invitation.remindedAt) {
    const fresh = await remindInvitee(deps, contact, invitation);
    if (!fresh) return 'unchanged';
    invitation = fresh;
  }
  if (!invitation.noticedAt) {
    // Accepted (or revoked) meanwhile: "not accepted yet" would be wrong; there is nothing to tell.
    const latest = await deps.contacts.get(contactId);
    if (latest?.invitation?.tokenHash !== invitation.tokenHash || !isOpen(latest.invitation, deps.now())) return 'reminded';
    await noticeInviter(deps, latest, invitation);
    await deps.store.markNoticed(contactId, invitation.tokenHash, deps.now().toISOString());
  }
  return 'reminded';
}

/** Step 1: a fresh link replaces the old one (while the contact still waits), mailed, then recorded. */
async function remindInvitee(deps: ReminderDeps, contact: ContactRecord, invitation: ContactInvitation): Promise<ContactInvitation | undefined> {
  const email = contact.login?.email;
  if (!email || !contact.login?.username) return undefined;
  const token = newToken();
  const { remindedAt: _reminded, noticedAt: _noticed, ...rest } = invitation;
  const fresh: Invitation = { ...rest, tokenHash: hashToken(token), issuedAt: deps.now().toISOString() };
  // Conditioned on the contact still `invited` with the old token: accepted or revoked meanwhile, no reminder.
  if (!(await deps.store.replaceInvitation(contact.id, fresh, invitation.tokenHash, undefined, { schedule: false }))) return undefined;
  const mail = reminderMail({
    to: email,
    name: contact.name,
    ...(contact.lang === undefined ? {} : { lang: contact.lang }),
    business: deps.config.businessName,
    inviter: await inviterName(deps, invitation.invitedBy),
    link: invitationLink(deps.config.portalUrl, token),
    expiresAt: fresh.expiresAt,
    sentAt: invitation.sentAt ?? invitation.sharedAt ?? invitation.issuedAt ?? fresh.issuedAt,
  });
  // Not handed over: the next run sends another fresh link (this one is dead already).
  await deps.mailer.send(mail);
  const at = deps.now().toISOString();
  const audit = auditEntry('invitation.reminded', contact.id, SCHEDULE_ACTOR, at, { email, ...(invitation.invitedBy ? { invitedBy: invitation.invitedBy } : {}) });
  if (!(await deps.store.markReminded(contact.id, fresh.tokenHash, at, audit))) return undefined;
  return { ...fresh, remindedAt: at };
}

/** Step 2: the staff user who sent the invitation hears of the reminder — if the staff pool has an email for it. */
async function noticeInviter(deps: ReminderDeps, contact: ContactRecord, invitation: ContactInvitation): Promise<void> {
  const username = staffUsernameOf(invitation.invitedBy);
  if (username === undefined) return;
  // A failing pool fails the step: the next run tries the notice again (the reminder stays sent).
  const profile = await deps.staff.profile(username);
  if (!profile?.email) return;
  await deps.mailer.send(
    staffNoticeMail({
      to: profile.email,
      staffName: profile.name?.trim() || username,
      ...(profile.locale === undefined ? {} : { lang: profile.locale }),
      business: deps.config.businessName,
      contact: { name: contact.name, email: contact.login?.email ?? contact.email ?? '' },
      sentAt: invitation.sentAt ?? invitation.sharedAt ?? invitation.issuedAt ?? deps.now().toISOString(),
      expiresAt: invitation.expiresAt,
    }),
  );
}
