/**
 * Re-inviting: a fresh invitation to an `invited` contact of the wizard — mailed (`delivery:
 * "email"`, the default), or answered as a link for staff to pass on (`"link"`, no email). The old
 * link dies either way; an expired invitation lives again (a new expiry, a new reminder).
 */
import { Conflict } from '../../contract/errors';
import { portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import { emitAccessEvent } from './access-events';
import { ensureLogin } from './grant';
import { sendInvitation, shareInvitation } from './invitations';
import type { PortalAccessDeps } from './ports';
import { wizardContacts, wizardMember } from './wizard';

export async function reinvite(
  deps: PortalAccessDeps,
  wizardId: string,
  input: { contactId?: string; message?: string; delivery?: 'email' | 'link' },
  actor: string,
): Promise<{ url: string; expiresAt: string } | undefined> {
  const members = new Set((await wizardContacts(deps, wizardId)).map((c) => c.id));
  const read = await wizardMember(deps, wizardId, members, input.contactId ?? wizardId);
  if (portalStatusAt(read.portal, deps.now()) !== 'invited' || read.archived) throw new Conflict('Only a contact whose invitation is pending can be re-invited.');
  const login = await ensureLogin(deps, read);
  const at = deps.now().toISOString();
  if (input.delivery === 'link')
    return shareInvitation(deps, read, auditEntry('portal.reinvited', read.id, actor, at, { email: login.email, delivery: 'link' }), login);
  await sendInvitation(deps, read, input.message, auditEntry('portal.reinvited', read.id, actor, at, { email: login.email }), login);
  await emitAccessEvent(deps, 'PortalInvitationSent', { contactId: read.id, email: login.email, at: deps.now().toISOString() });
  return undefined;
}
