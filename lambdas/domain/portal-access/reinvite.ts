/** Re-inviting: a fresh invitation to an `invited` contact of the wizard; the old link dies. */
import { Conflict } from '../../contract/errors';
import { portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import { emitAccessEvent } from './access-events';
import { ensureLogin } from './grant';
import { sendInvitation } from './invitations';
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
  const login = await ensureLogin(deps, read);
  const at = deps.now().toISOString();
  await sendInvitation(deps, read, input.message, auditEntry('portal.reinvited', read.id, actor, at, { email: login.email }), login);
  await emitAccessEvent(deps, 'PortalInvitationSent', { contactId: read.id, email: login.email, at: deps.now().toISOString() });
}
