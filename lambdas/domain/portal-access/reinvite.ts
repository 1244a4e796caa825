/**
 * Re-inviting (`delivery: "email"`): a fresh invitation to an `invited` contact of the wizard,
 * through the outbox — the request queues it (with the audit entry) and is answered 202; the
 * worker sends it, and the previous link dies when the new one is issued.
 */
import { Conflict } from '../../contract/errors';
import { portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import { invitationItem } from './grant';
import type { PortalAccessDeps } from './ports';
import { wizardContacts, wizardMember } from './wizard';

export async function reinvite(
  deps: PortalAccessDeps,
  wizardId: string,
  input: { contactId?: string; message?: string },
  actor: string,
): Promise<void> {
  const members = new Set((await wizardContacts(deps, wizardId)).map((c) => c.id));
  const read = await wizardMember(deps, wizardId, members, input.contactId ?? wizardId);
  if (portalStatusAt(read.portal, deps.now()) !== 'invited' || read.archived) throw new Conflict('Only a contact whose invitation is pending can be re-invited.');
  const item = invitationItem(deps, read.id, actor, 'reinvited', input.message);
  const audit = auditEntry('portal.reinvited', read.id, actor, item.at, { email: read.login?.email });
  if (!(await deps.store.requeueInvitation(read, item, audit))) throw new Conflict('The contact changed meanwhile; repeat the request.');
}
