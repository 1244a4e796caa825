/**
 * Invitations: the single-use link of the invitation email (issued and sent by the outbox worker,
 * delivery.ts), and its acceptance.
 *
 * A token is 32 random bytes (256 bits), base64url; only its SHA-256 is stored, on an invitation
 * item (TTL'd) and on the contact. A contact has at most one live invitation: a fresh one deletes
 * the previous item, a revocation and an acceptance delete it, so a re-invited, revoked or used
 * token finds nothing. Every unusable token answers the same `Gone`.
 */
import { Gone, Invalid } from '../../contract/errors';
import { meetsPasswordPolicy, PASSWORD_REFUSED } from '../../contract/password-policy';
import { ABANDONED_AFTER_MS } from '../../contract/runtime';
import { portalStatusAt } from '../access-policy';
import { auditEntry, INVITEE } from '../audit';
import { hashToken, newToken } from '../tokens';
import type { AcceptDeps } from './ports';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The one answer to every unusable token: it says nothing about why. */
export const GONE_DETAIL = 'This invitation cannot be used any more. Ask for a new one.';

export { hashToken, newToken };

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
