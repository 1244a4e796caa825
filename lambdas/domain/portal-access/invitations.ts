/**
 * Invitations: the single-use link of the invitation email (issued and sent by the outbox worker,
 * delivery.ts, or handed to staff by a re-invite with `delivery: "link"`), and its acceptance.
 *
 * A token is 32 random bytes (256 bits), base64url; only its SHA-256 is stored, on an invitation
 * item (TTL'd) and on the contact. A contact has at most one live invitation: a fresh one deletes
 * the previous item, a revocation and an acceptance delete it, so a re-invited, revoked or used
 * token finds nothing. Every unusable token answers the same `Gone`.
 */
import { ChangedMeanwhile, Conflict, Gone, Invalid, Unavailable } from '../../contract/errors';
import { meetsPasswordPolicy, PASSWORD_REFUSED } from '../../contract/password-policy';
import { ABANDONED_AFTER_MS } from '../../contract/runtime';
import { portalStatusAt } from '../access-policy';
import { staffUsernameOf } from '../../contract/identity';
import { auditEntry, INVITEE, type AuditEntry } from '../audit';
import { untilTheNextSecond } from '../portal-session';
import { hashToken, newToken } from '../tokens';
import type { ContactInvitation, ContactRecord } from '../contact-record';
import { invitationLink } from './invitation-mail';
import { LoginGone, type AcceptDeps, type DeliveryDeps, type Invitation, type InvitationConfig, type ReinviteDeps } from './ports';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The one answer to every unusable token: it says nothing about why. */
export const GONE_DETAIL = 'This invitation cannot be used any more. Ask for a new one.';

export { hashToken, newToken };

/**
 * A fresh invitation sent by `actor` at `now`: its link works INVITATION_TTL, and its one reminder
 * is due REMINDER_AFTER later — none when that is not before the link expires. Only the token's
 * hash is kept; the token goes into the link, once.
 */
export function freshInvitation(config: Pick<InvitationConfig, 'invitationTtlSeconds' | 'reminderAfterSeconds'>, now: Date, actor: string): { token: string; invitation: Invitation } {
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
export async function inviterName(deps: Pick<DeliveryDeps, 'staff' | 'config' | 'warn'>, actor: string | undefined): Promise<string> {
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
 * A re-invite with `delivery: "link"`: a fresh invitation whose link goes back to the staff user
 * (to pass on themselves) instead of into an email. The previous link dies; the invitation is out
 * from this moment (`sharedAt`), audited in the same write, and gets its reminder like a mailed one;
 * an invitation item still on its way is superseded (its mail would kill this link). The token is in
 * the answer only: it is stored nowhere, idempotency records included. The contact's login must
 * exist (the outbox worker makes it): a link nobody can accept is no answer.
 */
export async function shareInvitation(deps: Pick<ReinviteDeps, 'store' | 'now' | 'config'>, contact: ContactRecord, audit: AuditEntry): Promise<{ url: string; expiresAt: string }> {
  if (!contact.login?.username || !contact.login.sub)
    throw new Conflict('The invitation is still being prepared (its portal login comes from the outbox within seconds); try again in a moment.');
  const now = deps.now();
  const { token, invitation } = freshInvitation(deps.config, now, audit.actor);
  const shared = { ...invitation, sharedAt: now.toISOString() };
  if (!(await deps.store.shareInvitation(contact, shared, audit))) throw new ChangedMeanwhile();
  return { url: invitationLink(deps.config.portalUrl, token), expiresAt: invitation.expiresAt };
}

/**
 * When an accepted access begins: in a later whole second than the one its login's password was
 * replaced in. Token times (`iat`) are whole seconds, and the portal lets in a token of the access's
 * own second (portal-session.ts); whoever still knew the login's former password (an adopted login's
 * earlier user, or the contact before its re-grant) could sign in up to the moment it was replaced —
 * a token of that second must stay refused. The answer waits for that second (at most one), so that
 * the invitee's own sign-in, after it, is let in.
 */
function activationTime(deps: Pick<AcceptDeps, 'now' | 'sleep'>, passwordReplacedAt: Date): Promise<string> {
  return untilTheNextSecond(deps, passwordReplacedAt.toISOString());
}

/** How often, and how long in all, an accept waits for another attempt's live claim on its link to end. */
const CLAIM_POLL_MS = 200;
const CLAIM_POLLS = 25;

/**
 * Claims the invitation for this attempt; answers the claim's time. Another attempt's claim that is
 * still live is a second submit of the link, over within a second or two (the link is used then, or
 * released), or an attempt that failed and could not release its claim (the table went away after
 * the password was set): that link is not dead, so once the wait is over the answer is "try again"
 * (`Unavailable`, 503), never `Gone` — until the claim is abandoned (ABANDONED_AFTER_MS) and taken over.
 */
async function claim(deps: Pick<AcceptDeps, 'store' | 'now' | 'sleep'>, tokenHash: string): Promise<string> {
  for (let poll = 0; ; poll++) {
    const now = deps.now();
    const claimedAt = now.toISOString();
    if (await deps.store.claimInvitation(tokenHash, claimedAt, new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString())) return claimedAt;
    const invitation = await deps.store.getInvitation(tokenHash);
    // Used, re-invited, revoked or expired meanwhile.
    if (!invitation || invitation.expiresAt <= claimedAt) throw new Gone(GONE_DETAIL);
    if (poll >= CLAIM_POLLS) throw new Unavailable('This invitation is being accepted by another request; try again in a moment.');
    // Released meanwhile: claim it at once; else wait for the other attempt.
    if (invitation.claimedAt !== undefined) await deps.sleep(CLAIM_POLL_MS);
  }
}

/** Whether the contact's pending invitation is this link's: not archived, still invited at `now` (an access past its `until` is not), with a login. */
const usableBy = (contact: ContactRecord | undefined, tokenHash: string, now: Date): boolean =>
  contact !== undefined &&
  !contact.archived &&
  portalStatusAt(contact.portal, now) === 'invited' &&
  contact.invitation?.tokenHash === tokenHash &&
  Boolean(contact.login?.username);

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
  const invitation = await deps.store.getInvitation(tokenHash);
  if (!invitation || invitation.expiresAt <= deps.now().toISOString()) throw gone();
  // A link still stored whose access has ended (`until`) before the job dropped it is dead too: 410
  // whatever the password, like every other dead link (a weak one must not tell it apart by a 400).
  if (!usableBy(await deps.contacts.get(invitation.contactId), tokenHash, deps.now())) throw gone();
  if (!meetsPasswordPolicy(password)) throw new Invalid(PASSWORD_REFUSED, 'password');
  const claimedAt = await claim(deps, tokenHash);
  let activated: boolean;
  try {
    // Read again under the claim: revoked or re-invited meanwhile, it is gone.
    const contact = await deps.contacts.get(invitation.contactId);
    const username = usableBy(contact, tokenHash, deps.now()) ? contact?.login?.username : undefined;
    if (!username) throw gone();
    await deps.logins.setPassword(username, password);
    const passwordReplacedAt = deps.now();
    // Sessions from before (an adopted login's earlier user) end with the invitation's acceptance.
    await deps.logins.signOut(username);
    const at = await activationTime(deps, passwordReplacedAt);
    activated = await deps.store.activate(invitation.contactId, tokenHash, claimedAt, at, auditEntry('invitation.accepted', invitation.contactId, INVITEE, at));
  } catch (error) {
    // A refused password or an unavailable dependency: the invitee may try again at once (should the
    // release fail too, the retry is told to try again until the claim is abandoned: claim()).
    await deps.store.releaseInvitation(tokenHash, claimedAt).catch(() => undefined);
    // The login was deleted from the pool since the link was mailed: this link cannot sign anyone in (staff re-invite).
    throw error instanceof LoginGone ? gone() : error;
  }
  // Revoked or re-invited while we set the password: that invitation is dead.
  if (!activated) throw gone();
}
