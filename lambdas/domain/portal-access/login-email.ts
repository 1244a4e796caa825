/**
 * A new email for a contact with portal access (`invited` or `active`), or with the login an ended
 * access (`revoked`, `expired`) keeps for its re-grant: its login moves with it and the access stays
 * as it is. What must hold, whoever asks:
 * - no other contact's login is taken: the new address's guard must be free, ours, or held by a
 *   contact that no longer uses it (archived, or moved on), and no other user of the pool may have
 *   the address (a login linked to another contact, or an orphan: `409` either way);
 * - the old address stops signing in: the pool's user gets the new email (verified, so Cognito
 *   sends nothing and applies it at once), and the user's sessions end — whoever read the old
 *   mailbox may have started one: the pool signs it out before the move is written (a sign-out that
 *   fails fails the move: its refresh token would outlive it), and the portal refuses every token
 *   issued before the move (`login.signedOutAt`), as it refuses tokens from before an activation;
 * - a pending invitation dies (its link went to the old address): re-invite, or apply the line again;
 * - the contact, its login's email, the guard and the audit entry are one write (the contacts store);
 * - the answer comes once the move's second is over, so the new address signs in at once after it.
 * The login follows the record: after the pool's user is changed, the contact is read again and the
 * user set to what the record says, so a failed write, or two changes at once, leave them agreeing.
 */
import { EmailInUse } from '../../contract/errors';
import { auditEntry } from '../audit';
import type { ContactRecord } from '../contact-record';
import type { LoginEmailMove } from '../contacts';
import { untilTheNextSecond } from '../portal-session';
import { LoginGone, type CustomerLogins, type PortalAccessDeps } from './ports';

export type LoginEmailDeps = Pick<PortalAccessDeps, 'contacts' | 'store' | 'now' | 'warn'> & {
  logins: Pick<CustomerLogins, 'find' | 'changeEmail' | 'signOut'>;
  /** Waits `ms` (tests pass one that moves their clock). */
  sleep: (ms: number) => Promise<void>;
};

const IN_USE = "The email is another contact's portal login.";

export async function moveLoginEmail(
  deps: LoginEmailDeps,
  current: ContactRecord,
  next: ContactRecord,
  actor: string,
  write: (move: LoginEmailMove) => Promise<void>,
): Promise<void> {
  const from = current.login?.email;
  const to = next.email;
  if (!from || !to) throw new Error('moveLoginEmail needs a login and a new email');
  const takeOverFrom = await staleHolderOf(deps, current.id, to);
  let username = current.login?.username;
  if (username) {
    const found = await deps.logins.find(to);
    // Another user of the pool has it: another contact's login, or an orphan the pool would not let us share.
    if (found && found.username !== username) throw new EmailInUse(IN_USE);
    // A login deleted from the pool has no email to move: the record moves, and the next grant or re-invitation makes the login again.
    if (!(await changedUnlessGone(deps, username, to))) username = undefined;
  }
  const at = deps.now().toISOString();
  const audit = auditEntry('portal.login-email-changed', current.id, actor, at, { from, to, previousVersion: current.version });
  try {
    // Before the write, and failing it: a session begun under the old address renews itself with its
    // refresh token into tokens newer than the move, which the portal would let in — so no move
    // stands unless those sessions have ended. (The sign-out after the write is for a sign-in in between.)
    if (username) await deps.logins.signOut(username);
    await write({ from, to, at, audit, ...(takeOverFrom === undefined ? {} : { takeOverFrom }) });
  } catch (error) {
    // Whatever happened to the write (refused, or its answer lost), the login follows the record.
    if (username && (await settleLoginEmail(deps, current.id, username)) === to) {
      await signOut(deps, username);
      return untilTheMoveSecondEnds(deps, at);
    }
    throw error;
  }
  if (username) {
    await settleLoginEmail(deps, current.id, username);
    await signOut(deps, username);
  }
  await untilTheMoveSecondEnds(deps, at);
}

/**
 * The portal refuses tokens of the move's own second (`iat` counts whole seconds): the answer waits
 * until that second is over (at most 1 s), so a sign-in under the new address after it works at once.
 */
async function untilTheMoveSecondEnds(deps: LoginEmailDeps, at: string): Promise<void> {
  await untilTheNextSecond(deps, at);
}

/** The holder of the new address's guard, if it is a contact that no longer uses it (to take it over); `EmailInUse` if it does. */
async function staleHolderOf(deps: LoginEmailDeps, me: string, email: string): Promise<string | undefined> {
  const holderId = await deps.store.loginHolder(email);
  if (holderId === undefined || holderId === me) return undefined;
  const holder = await deps.contacts.get(holderId);
  if (holder && !holder.archived && holder.login?.email === email) throw new EmailInUse(IN_USE);
  return holderId;
}

/** Sets the pool's user to the email its contact's record names now; answers that email. */
async function settleLoginEmail(deps: LoginEmailDeps, contactId: string, username: string): Promise<string | undefined> {
  const fresh = await deps.contacts.get(contactId);
  const email = fresh?.login?.username === username ? fresh.login.email : undefined;
  if (email) await changedUnlessGone(deps, username, email);
  return email;
}

/** The pool's user gets the email; `false` when the pool no longer has that user (`LoginGone`). */
async function changedUnlessGone(deps: LoginEmailDeps, username: string, email: string): Promise<boolean> {
  try {
    await deps.logins.changeEmail(username, email);
    return true;
  } catch (error) {
    if (error instanceof LoginGone) return false;
    throw error;
  }
}

/** Sessions begun between the sign-out before the write and the write end too; a failure here is logged: the email moved, and the sessions from before it ended. */
async function signOut(deps: LoginEmailDeps, username: string): Promise<void> {
  try {
    await deps.logins.signOut(username);
  } catch (error) {
    deps.warn('login not signed out after its email changed', { error });
  }
}
