/**
 * Granting (and re-granting) portal access to one contact of the wizard: the request's part.
 *
 * Per line, what one transaction writes: the login email's guard (held by no one, or by this
 * contact), the contact `invited` with `delivery: queued` (and the line's scope, types and end), the
 * audit entry, and an outbox item — then the line is answered. An apply writes several lines' claims
 * in one transaction (apply.ts), each answered as if it had been alone. The rest (the Cognito login, a fresh invitation,
 * its email, the events) follows from the outbox (delivery.ts, the worker), paced and retried, so a
 * 500-line apply depends on neither Cognito's nor SES's rate. A line on a contact in the portal that
 * changes only its scope, types or end is `updated`: one write, no invitation. A contact already in
 * the portal is otherwise `unchanged`, unless its invitation never went out (refused, or its outbox
 * item abandoned): then it is queued again (`granted`).
 */
import { ChangedMeanwhile, Conflict, EmailInUse, Invalid, NoEmail } from '../../contract/errors';
import { OUTBOX_ABANDONED_AFTER_MS } from '../../contract/outbox';
import type { Outcome } from '../../contract/schemas/portal-access';
import { hasEnded, portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import type { ContactRecord, PortalStatus } from '../contact-record';
import type { InvitationItem } from '../outbox';
import { LineFailure, WRITE_ATTEMPTS, type LineResult } from './lines';
import type { ClaimResult, LoginClaim, PortalAccessDeps } from './ports';
import { changedSettings, describeSettings, sameSettings, storedSettings, type SettingsChange } from './settings';
import { inPortal } from './wizard';

/**
 * A line's grant up to its claim: answered without one (an update of its scope, types or end, a
 * queued-again invitation, nothing to do), or the claim to make — the apply makes its lines' claims
 * several at once (`AccessStore.claimLogins`), then `settleClaim` answers each. Throws `LineFailure`
 * for a refusal that needs no write.
 */
export type GrantStep =
  | { kind: 'answer'; run: () => Promise<LineResult> }
  | { kind: 'claim'; claim: LoginClaim; outcome: Outcome; status: PortalStatus };

export function planGrant(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  line: { email: string | undefined; settings: SettingsChange },
  message: string | undefined,
  actor: string,
  index: number,
): GrantStep {
  const lineEmail = line.email;
  const now = deps.now();
  const status = portalStatusAt(contact.portal, now);
  const fail = (error: unknown, current: PortalStatus = status): never => {
    throw new LineFailure(error, current);
  };
  if (contact.archived) fail(new Conflict('The contact is archived.'));
  const settings = changedSettings(storedSettings(contact.portal), line.settings);

  if (inPortal(status)) {
    const loginEmail = contact.login?.email;
    if (lineEmail !== undefined && loginEmail !== undefined && lineEmail !== loginEmail)
      fail(new Conflict("The contact's portal login has another email; change the contact's email (PATCH) to move the login."));
    return { kind: 'answer', run: () => regrantLive(deps, contact, line.settings, message, actor, status) };
  }

  const email = lineEmail ?? contact.email;
  if (!email) return fail(new NoEmail('The contact has no email; give one on the line.', `lines.${index}.email`));
  // An access that ended keeps its settings unless the line changes them: an end already past cannot be granted again.
  if (hasEnded(settings.until, now))
    fail(new Invalid(`The access ended at ${settings.until}; give a new until in the future, or null for none.`, `lines.${index}.until`));
  const at = now.toISOString();
  const outcome: Outcome = status === 'revoked' || status === 'expired' ? 'regranted' : 'granted';
  const item = invitationItem(deps, contact.id, actor, outcome, message);
  const audit = auditEntry(outcome === 'regranted' ? 'portal.regranted' : 'portal.granted', contact.id, actor, at, { email, ...describeSettings(settings) });
  const storeEmail = lineEmail !== undefined && lineEmail !== contact.email;
  return { kind: 'claim', claim: { contact, email, storeEmail, at, outbox: item, audit, settings }, outcome, status };
}

/**
 * A claim's line answered from the claim's first result: a guard held by someone else is looked at
 * (its holder archived, or no longer using that email: taken over), then the refusals.
 */
export async function settleClaim(deps: PortalAccessDeps, step: Extract<GrantStep, { kind: 'claim' }>, first: ClaimResult): Promise<LineResult> {
  const { claim, outcome, status } = step;
  const claimed = first === 'email-taken' ? await takeOverStaleGuard(deps, claim) : first;
  if (claimed === 'email-taken') throw new LineFailure(new EmailInUse(EMAIL_IN_USE), status);
  if (claimed === 'company-archived') throw new LineFailure(new Conflict("The contact's company is archived."), status);
  if (claimed === 'contact-changed') throw new LineFailure(new ChangedMeanwhile(), status);
  return { contactId: claim.contact.id, outcome, status: 'invited' };
}

/**
 * A contact already in the portal: its scope, types or end changed (`updated`), or nothing
 * (`unchanged`) — unless its invitation never went out: then it is queued again (`granted`).
 */
async function regrantLive(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  change: SettingsChange,
  message: string | undefined,
  actor: string,
  status: PortalStatus,
): Promise<LineResult> {
  const now = deps.now();
  const unchanged = sameSettings(changedSettings(storedSettings(contact.portal), change), storedSettings(contact.portal));
  const { current, wrote } = unchanged ? { current: contact, wrote: false } : await updateSettings(deps, contact, change, actor, status);
  // `updated` only for the line that wrote the change (and its audit entry): one made meanwhile by someone else leaves this line `unchanged`.
  if (!undelivered(current, now)) return { contactId: contact.id, outcome: wrote ? 'updated' : 'unchanged', status: portalStatusAt(current.portal, deps.now()) };
  // Its invitation never went out: queue it again (the earlier item is finished, or can no longer run).
  const item = invitationItem(deps, contact.id, actor, 'granted', message);
  if ((await deps.store.requeueInvitation(current, item, undefined)) !== true) throw new LineFailure(new ChangedMeanwhile(), status);
  return { contactId: contact.id, outcome: 'granted', status };
}

export const EMAIL_IN_USE = "The email is another contact's portal login.";

export function invitationItem(
  deps: Pick<PortalAccessDeps, 'newId' | 'now'>,
  contactId: string,
  actor: string,
  reason: InvitationItem['reason'],
  message: string | undefined,
): InvitationItem {
  return { id: deps.newId(), kind: 'invitation', contactId, actor, at: deps.now().toISOString(), reason, ...(message === undefined ? {} : { message }) };
}

/**
 * Only the scope, types or end of a live access change: one conditional write with its audit entry,
 * effective on the contact's next portal request (the portal reads the record on every request).
 * No invitation, no login change. A write refused because the record changed meanwhile goes again
 * from the record as it is now (lines.ts, WRITE_ATTEMPTS), while the access is still live.
 */
async function updateSettings(
  deps: PortalAccessDeps,
  read: ContactRecord,
  change: SettingsChange,
  actor: string,
  status: PortalStatus,
): Promise<{ current: ContactRecord; wrote: boolean }> {
  let contact = read;
  for (let attempt = 1; ; attempt++) {
    const settings = changedSettings(storedSettings(contact.portal), change);
    // Someone else made the same change meanwhile: nothing left to write.
    if (attempt > 1 && sameSettings(settings, storedSettings(contact.portal))) return { current: contact, wrote: false };
    const at = deps.now().toISOString();
    const audit = auditEntry('portal.updated', contact.id, actor, at, { from: describeSettings(storedSettings(contact.portal)), to: describeSettings(settings) });
    if (await deps.store.updateSettings(contact, settings, at, audit)) {
      const { scope: _scope, types: _types, until: _until, ...portal } = contact.portal;
      return { current: { ...contact, portal: { ...portal, ...settings }, version: contact.version + 1, updatedAt: at }, wrote: true };
    }
    const fresh = attempt < WRITE_ATTEMPTS ? await deps.contacts.get(contact.id) : undefined;
    if (!fresh || fresh.archived || !inPortal(portalStatusAt(fresh.portal, deps.now())))
      throw new LineFailure(new ChangedMeanwhile(), status);
    contact = fresh;
  }
}

/**
 * An invited contact whose invitation email will not go out by itself: refused for good (`failed`),
 * its outbox item so old that no worker can still hold it, or no outbox item at all (an invitation
 * left unsent before the outbox existed).
 */
function undelivered(contact: ContactRecord, now: Date): boolean {
  // Mailed, or its link handed to staff (no outbox item then): out.
  if (contact.portal.status !== 'invited' || contact.invitation?.sentAt || contact.invitation?.sharedAt) return false;
  if (contact.portal.delivery === 'failed') return true;
  if (!contact.outbox) return true;
  return now.getTime() - Date.parse(contact.outbox.at) > OUTBOX_ABANDONED_AFTER_MS;
}

/** The claim again after `email-taken`: the guard is free or ours by now, or its holder's is stale (archived, or no longer using that email). */
async function takeOverStaleGuard(deps: PortalAccessDeps, claim: LoginClaim): Promise<ClaimResult> {
  const { contact, email } = claim;
  const holderId = await deps.store.loginHolder(email);
  if (holderId === undefined || holderId === contact.id) return deps.store.claimLogin(claim);
  const holder = await deps.contacts.get(holderId);
  if (holder && !holder.archived && holder.login?.email === email) return 'email-taken';
  return deps.store.claimLogin({ ...claim, takeOverFrom: holderId });
}
