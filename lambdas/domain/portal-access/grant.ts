/**
 * Granting (and re-granting) portal access to one contact of the wizard: the request's part.
 *
 * One transaction per line: the login email's guard (held by no one, or by this contact), the
 * contact `invited` with `delivery: queued` (and the line's scope, types and end), the audit entry,
 * and an outbox item — then the line is answered. The rest (the Cognito login, a fresh invitation,
 * its email, the events) follows from the outbox (delivery.ts, the worker), paced and retried, so a
 * 500-line apply depends on neither Cognito's nor SES's rate. A line on a contact in the portal that
 * changes only its scope, types or end is `updated`: one write, no invitation. A contact already in
 * the portal is otherwise `unchanged`, unless its invitation never went out (refused, or its outbox
 * item abandoned): then it is queued again (`granted`).
 */
import { Conflict, EmailInUse, Invalid, NoEmail } from '../../contract/errors';
import { OUTBOX_ABANDONED_AFTER_MS } from '../../contract/outbox';
import type { Outcome } from '../../contract/schemas/portal-access';
import { hasEnded, portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import type { ContactRecord, PortalStatus } from '../contact-record';
import type { InvitationItem } from '../outbox';
import { LineFailure, type LineResult } from './lines';
import type { ClaimResult, LoginClaim, PortalAccessDeps } from './ports';
import { changedSettings, describeSettings, sameSettings, storedSettings, type SettingsChange, type StoredSettings } from './settings';
import { inPortal } from './wizard';

export async function grant(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  line: { email: string | undefined; settings: SettingsChange },
  message: string | undefined,
  actor: string,
  index: number,
): Promise<LineResult> {
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
    const updated = !sameSettings(settings, storedSettings(contact.portal));
    const current = updated ? await updateSettings(deps, contact, settings, actor, status) : contact;
    if (!undelivered(current, now)) return { contactId: contact.id, outcome: updated ? 'updated' : 'unchanged', status: portalStatusAt(current.portal, deps.now()) };
    // Its invitation never went out: queue it again (the earlier item is finished, or can no longer run).
    const item = invitationItem(deps, contact.id, actor, 'granted', message);
    if (!(await deps.store.requeueInvitation(current, item, undefined))) fail(new Conflict('The contact changed meanwhile; repeat the request.'));
    return { contactId: contact.id, outcome: 'granted', status };
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
  const claimed = await claimLoginEmail(deps, { contact, email, storeEmail, at, outbox: item, audit, settings });
  if (claimed === 'email-taken') fail(new EmailInUse(EMAIL_IN_USE));
  if (claimed === 'company-archived') fail(new Conflict("The contact's company is archived."));
  if (claimed === 'contact-changed') fail(new Conflict('The contact changed meanwhile; repeat the request.'));
  return { contactId: contact.id, outcome, status: 'invited' };
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
 * An invited contact whose invitation email will not go out by itself: refused for good (`failed`),
 * its outbox item so old that no worker can still hold it, or no outbox item at all (an invitation
 * left unsent before the outbox existed).
 */
function undelivered(contact: ContactRecord, now: Date): boolean {
  if (contact.portal.status !== 'invited' || contact.invitation?.sentAt) return false;
  if (contact.portal.delivery === 'failed') return true;
  if (!contact.outbox) return true;
  return now.getTime() - Date.parse(contact.outbox.at) > OUTBOX_ABANDONED_AFTER_MS;
}

/** Step 1, with the takeover of a stale guard (its holder archived, or no longer using that email). */
async function claimLoginEmail(deps: PortalAccessDeps, claim: LoginClaim): Promise<ClaimResult> {
  const result = await deps.store.claimLogin(claim);
  if (result !== 'email-taken') return result;
  const { contact, email } = claim;
  const holderId = await deps.store.loginHolder(email);
  if (holderId === undefined || holderId === contact.id) return deps.store.claimLogin(claim);
  const holder = await deps.contacts.get(holderId);
  if (holder && !holder.archived && holder.login?.email === email) return 'email-taken';
  return deps.store.claimLogin({ ...claim, takeOverFrom: holderId });
}
