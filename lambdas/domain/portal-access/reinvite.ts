/**
 * Re-inviting: a fresh invitation to an `invited` contact of the wizard — through the outbox
 * (`delivery: "email"`, the default: the request queues it with the audit entry and ends the
 * previous link in the same write, and is answered 202; the worker sends the new one), or answered as
 * a link for staff to pass on (`"link"`: no email; the previous link dies at once). An expired
 * invitation lives again either way (a new expiry, a new reminder).
 */
import { ChangedMeanwhile, Conflict } from '../../contract/errors';
import { portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import { invitationItem } from './grant';
import { shareInvitation } from './invitations';
import type { ReinviteDeps } from './ports';
import { wizardMember, wizardOwner } from './wizard';

export async function reinvite(
  deps: ReinviteDeps,
  wizardId: string,
  input: { contactId?: string; message?: string; delivery?: 'email' | 'link' },
  actor: string,
  /** The request's run (its `Idempotency-Key` record's `runId`): the same for every attempt of one request. */
  runId?: string,
): Promise<{ url: string; expiresAt: string } | undefined> {
  await wizardOwner(deps, wizardId);
  const read = await wizardMember(deps, wizardId, input.contactId ?? wizardId);
  // An earlier attempt of this very request queued it (its answer was lost): done, not done again.
  if (input.delivery !== 'link' && runId !== undefined && read.outbox?.id === runId) return undefined;
  if (portalStatusAt(read.portal, deps.now()) !== 'invited' || read.archived) throw new Conflict('Only a contact whose invitation is pending can be re-invited.');
  if (input.delivery === 'link')
    return shareInvitation(deps, read, auditEntry('portal.reinvited', read.id, actor, deps.now().toISOString(), { email: read.login?.email, delivery: 'link' }));
  // Under a key, the item is named by the request's run, so that a later attempt of it finds it.
  const item = { ...invitationItem(deps, read.id, actor, 'reinvited', input.message), ...(runId === undefined ? {} : { id: runId }) };
  const audit = auditEntry('portal.reinvited', read.id, actor, item.at, { email: read.login?.email });
  const queued = await deps.store.requeueInvitation(read, item, audit);
  // 'exists': an earlier attempt of this request queued it, and the contact has moved on since.
  if (queued === false) throw new ChangedMeanwhile();
  return undefined;
}
