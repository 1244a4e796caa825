/**
 * Invitations: the single-use link of the invitation email, and its acceptance.
 *
 * A token is 32 random bytes (256 bits), base64url; only its SHA-256 is stored, on an invitation
 * item (TTL'd) and on the contact. A contact has at most one live invitation: a fresh one deletes
 * the previous item, a revocation and an acceptance delete it, so a re-invited, revoked or used
 * token finds nothing. Every unusable token answers the same `Gone`.
 */
import { Conflict, Gone, Invalid } from '../../contract/errors';
import { meetsPasswordPolicy, PASSWORD_REFUSED } from '../../contract/password-policy';
import { ABANDONED_AFTER_MS } from '../../contract/runtime';
import { portalStatusAt } from '../access-policy';
import { staffUsernameOf } from '../../contract/identity';
import { auditEntry, INVITEE, type AuditEntry } from '../audit';
import { hashToken, newToken } from '../tokens';
import type { ContactInvitation, ContactRecord } from '../contact-record';
import { invitationLink, invitationMail } from './invitation-mail';
import type { AcceptDeps, Invitation, LoginRecord, PortalAccessConfig, PortalAccessDeps } from './ports';

/**
 * How long an unsent invitation may still be on its way through another live request: longer than
 * the mailer may take (its deadline, MAIL_DEADLINE_MS) plus the write that marks it sent.
 */
export const MAIL_DEADLINE_MS = 8_000;
export const SENDING_WINDOW_MS = 15_000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The one answer to every unusable token: it says nothing about why. */
export const GONE_DETAIL = 'This invitation cannot be used any more. Ask for a new one.';

export { hashToken, newToken };

/**
 * A fresh invitation sent by `actor` at `now`: its link works INVITATION_TTL, and its one reminder
 * is due REMINDER_AFTER later — none when that is not before the link expires. Only the token's
 * hash is kept; the token goes into the link, once.
 */
export function freshInvitation(config: Pick<PortalAccessConfig, 'invitationTtlSeconds' | 'reminderAfterSeconds'>, now: Date, actor: string): { token: string; invitation: Invitation } {
  const token = newToken();
  const expires = now.getTime() + config.invitationTtlSeconds * 1000;
  const remind = now.getTime() + config.reminderAfterSeconds * 1000;
  const invitation: Invitation = {
    tokenHash: hashToken(token),
    expiresAt: new Date(expires).toISOString(),
    issuedAt: now.toISOString(),
    invitedBy: actor,
    ...(remind < expires ? { remindAt: new Date(remind).toISOString() } : {}),
  };
  return { token, invitation };
}

/** Whether an invitation's link still opens the way in at `now`: neither accepted, nor expired. */
export const isOpen = (invitation: ContactInvitation | undefined, now: Date): invitation is ContactInvitation =>
  invitation !== undefined && !invitation.acceptedAt && !invitation.expiredAt && Date.parse(invitation.expiresAt) > now.getTime();

/** The inviter, as the mails name it: the staff user's name in the staff pool, else its username. */
export async function inviterName(deps: Pick<PortalAccessDeps, 'staff' | 'config' | 'warn'>, actor: string | undefined): Promise<string> {
  const username = staffUsernameOf(actor);
  if (username === undefined) return deps.config.businessName;
  try {
    return (await deps.staff.profile(username))?.name?.trim() || username;
  } catch (error) {
    // The mail goes out all the same, with the username.
    deps.warn('staff profile not read; the mail names the username', { error });
    return username;
  }
}

/**
 * Steps 3 and 4 of a grant (and a re-invite): a fresh invitation replaces the previous one (and
 * the Cognito login is recorded with it, if it is not yet), the email goes out, and only then is
 * the invitation marked sent, with the audit entry (its actor is the inviter) and its due entries
 * (an invitation that never went out is neither reminded of nor announced expired). A crash before
 * the mark leaves an unsent invitation, which a repeat replaces and sends: one email.
 */
export async function sendInvitation(
  deps: Pick<PortalAccessDeps, 'store' | 'mailer' | 'staff' | 'now' | 'config' | 'warn'>,
  contact: ContactRecord,
  message: string | undefined,
  audit: AuditEntry,
  login: LoginRecord,
): Promise<void> {
  const { token, invitation } = freshInvitation(deps.config, deps.now(), audit.actor);
  if (!(await deps.store.replaceInvitation(contact.id, invitation, contact.invitation?.tokenHash, unrecordedLogin(contact, login), { schedule: false })))
    throw new Conflict('The contact changed meanwhile; repeat the request.');
  const mail = invitationMail({
    to: login.email,
    name: contact.name,
    ...(contact.lang === undefined ? {} : { lang: contact.lang }),
    business: deps.config.businessName,
    inviter: await inviterName(deps, audit.actor),
    link: invitationLink(deps.config.portalUrl, token),
    expiresAt: invitation.expiresAt,
    ...(message === undefined ? {} : { message }),
  });
  try {
    await deps.mailer.send(mail);
  } catch (error) {
    // Not sent: drop it, so that the repeat goes on at once instead of waiting for it (SENDING_WINDOW_MS).
    await deps.store.dropUnsentInvitation(contact.id, invitation.tokenHash).catch(() => undefined);
    throw error;
  }
  if (!(await deps.store.markInvitationSent(contact.id, invitation.tokenHash, deps.now().toISOString(), audit, invitation)))
    throw new Conflict('The contact changed while its invitation was sent; repeat the request.');
}

/**
 * A re-invite with `delivery: "link"`: a fresh invitation whose link goes back to the staff user
 * (to pass on themselves) instead of into an email. The previous link dies; the invitation is out
 * from this moment (`sharedAt`), audited in the same write, and gets its reminder like a mailed one.
 * The token is in the answer only: it is stored nowhere, idempotency records included.
 */
export async function shareInvitation(
  deps: Pick<PortalAccessDeps, 'store' | 'now' | 'config'>,
  contact: ContactRecord,
  audit: AuditEntry,
  login: LoginRecord,
): Promise<{ url: string; expiresAt: string }> {
  const now = deps.now();
  const { token, invitation } = freshInvitation(deps.config, now, audit.actor);
  const shared = { ...invitation, sharedAt: now.toISOString() };
  if (!(await deps.store.replaceInvitation(contact.id, shared, contact.invitation?.tokenHash, unrecordedLogin(contact, login), { schedule: true, audit })))
    throw new Conflict('The contact changed meanwhile; repeat the request.');
  return { url: invitationLink(deps.config.portalUrl, token), expiresAt: invitation.expiresAt };
}

/** The login to record with the invitation: none when the contact records this very one (enabled) already. */
const unrecordedLogin = (contact: ContactRecord, login: LoginRecord): LoginRecord | undefined =>
  contact.login?.sub === login.sub && contact.login.username === login.username && !contact.login.disabledAt ? undefined : login;

/**
 * Accepts an invitation: claims it (one of two concurrent accepts wins), sets the password, then
 * activates the access and deletes the invitation in one transaction. A refused password releases
 * the claim so that the invitee can try another one.
 */
export async function acceptInvitation(
  deps: AcceptDeps,
  token: string,
  password: string,
): Promise<void> {
  const gone = () => new Gone(GONE_DETAIL);
  if (!TOKEN.test(token)) throw gone();
  const tokenHash = hashToken(token);
  const now = deps.now();
  const claimedAt = now.toISOString();
  const invitation = await deps.store.getInvitation(tokenHash);
  if (!invitation || invitation.expiresAt <= claimedAt) throw gone();
  if (!meetsPasswordPolicy(password)) throw new Invalid(PASSWORD_REFUSED, 'password');
  if (!(await deps.store.claimInvitation(tokenHash, claimedAt, new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString()))) throw gone();
  let activated: boolean;
  try {
    const contact = await deps.contacts.get(invitation.contactId);
    const username = contact?.login?.username;
    // An invitation whose access ended (`until`) is as dead as a revoked one.
    if (!contact || contact.archived || portalStatusAt(contact.portal, deps.now()) !== 'invited' || contact.invitation?.tokenHash !== tokenHash || !username)
      throw gone();
    await deps.logins.setPassword(username, password);
    // Sessions from before (an adopted login's earlier user) end with the invitation's acceptance.
    await deps.logins.signOut(username);
    const at = deps.now().toISOString();
    activated = await deps.store.activate(invitation.contactId, tokenHash, claimedAt, at, auditEntry('invitation.accepted', invitation.contactId, INVITEE, at));
  } catch (error) {
    // A refused password or an unavailable dependency: the invitee may try again at once.
    await deps.store.releaseInvitation(tokenHash, claimedAt).catch(() => undefined);
    throw error;
  }
  // Revoked or re-invited while we set the password: that invitation is dead.
  if (!activated) throw gone();
}
