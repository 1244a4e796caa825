/**
 * A pending invitation whose link expired, recorded: `expiredAt` on the contact's invitation (the
 * wizard line read `expired` from that instant already, against the clock), its link item deleted,
 * the audit entry, then `PortalInvitationExpired`. The contact stays `invited` — its access was
 * granted and is still wanted; only the link is gone — and a re-invite revives it.
 *
 * Idempotent: the record is one conditional transaction (one run wins), and the event is emitted by
 * whoever holds the due entry's claim (a run that died before emitting is made up for by the next
 * one, once its claim is stale): at least once, twice only when a claim went stale while its holder lived.
 */
import { auditEntry, SCHEDULE_ACTOR } from '../audit';
import type { AccessEvents, AccessStore, PortalAccessDeps } from './ports';

/** The job records and announces it itself (with the bus): no login changes, no mail, so no outbox item. */
export type InvitationExpiryDeps = Pick<PortalAccessDeps, 'contacts' | 'now'> & { store: Pick<AccessStore, 'markInvitationExpired'>; events: AccessEvents };

export async function expireInvitation(deps: InvitationExpiryDeps, contactId: string, at: string): Promise<'expired' | 'announced' | 'unchanged'> {
  const contact = await deps.contacts.get(contactId);
  const invitation = contact?.invitation;
  const now = deps.now();
  // Another invitation by now (re-invited), accepted, or not due yet: nothing to do.
  if (!contact || !invitation || invitation.expiresAt !== at || invitation.acceptedAt || Date.parse(at) > now.getTime()) return 'unchanged';
  let outcome: 'expired' | 'announced' = 'announced';
  if (!invitation.expiredAt) {
    if (contact.portal.status !== 'invited') return 'unchanged';
    const recorded = now.toISOString();
    const audit = auditEntry('invitation.expired', contact.id, SCHEDULE_ACTOR, recorded, { expiresAt: at, ...(invitation.remindedAt ? { remindedAt: invitation.remindedAt } : {}) });
    // Changed meanwhile (accepted, revoked, re-invited): the record says what happened instead.
    if (!(await deps.store.markInvitationExpired(contact, recorded, audit))) return 'unchanged';
    outcome = 'expired';
  }
  await deps.events.emit('PortalInvitationExpired', { contactId: contact.id, email: contact.login?.email ?? contact.email ?? '', at });
  return outcome;
}
