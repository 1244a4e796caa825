/**
 * An access that reached its `until`, announced. The portal refused it from that instant already
 * (it reads the record on every request, against its clock); this is the record catching up, by the
 * scheduled job, within minutes: `expired`, the pending invitation deleted, the audit entry, then
 * `PortalAccessExpired`. Idempotent and safe to run concurrently: the marking is one conditional
 * transaction (one run wins), the event is announced by whoever holds the claim (taken over once
 * stale, so a run that died before announcing is made up for), and the due entry goes only once the
 * event went out — at least once, and twice only when a claim went stale while its holder still lived.
 * A run that finds another one on it answers `pending`, not done: the job then keeps the entry's hour
 * under its watermark, so that a later run still finds the entry if that other run dies.
 * An access revoked (archived, by an event) after its end but before a run announced it still had
 * that end: the revocation keeps the due entry, and the run announces it — and audits it, if no run
 * had recorded it — with the status left `revoked`.
 */
import { hasEnded } from '../access-policy';
import { auditEntry, SCHEDULE_ACTOR } from '../audit';
import type { ContactRecord } from '../contact-record';
import type { AccessEvents, AccessStore, PortalAccessDeps } from './ports';

/** A run that claimed an announcement and did not finish it within this long died: another run takes it over. */
export const EXPIRY_CLAIM_STALE_MS = 60_000;

/** The job announces the expiry itself (a background function, with the bus): no login changes, so no outbox item. */
export type ExpiryDeps = Pick<PortalAccessDeps, 'contacts' | 'now'> & { store: Pick<AccessStore, 'markExpired' | 'claimExpiry' | 'expiryAnnounced'>; events: AccessEvents };

/** Revoked (an archive, an event) at or after its end: that end happened and is still to be announced (revoke.ts keeps its due entry). */
const revokedAfterEnd = (contact: ContactRecord, until: string): boolean =>
  contact.portal.status === 'revoked' && contact.portal.revokedAt !== undefined && Date.parse(contact.portal.revokedAt) >= Date.parse(until);

export async function expireAccess(deps: ExpiryDeps, contactId: string, until: string): Promise<'expired' | 'announced' | 'unchanged' | 'pending'> {
  const contact = await deps.contacts.get(contactId);
  const now = deps.now();
  // Not this end any more (given another, revoked meanwhile) or not yet: nothing to do.
  if (!contact || contact.portal.until !== until || !hasEnded(until, now)) return 'unchanged';
  const claim = now.toISOString();
  let outcome: 'expired' | 'announced';
  if (contact.portal.status === 'invited' || contact.portal.status === 'active') {
    const audit = auditEntry('portal.expired', contact.id, SCHEDULE_ACTOR, claim, { until, previousStatus: contact.portal.status });
    if (!(await deps.store.markExpired(contact, claim, audit))) return 'pending'; // changed meanwhile (another run marked it?): the next run sees it as it is
    outcome = 'expired';
  } else if (contact.portal.status === 'expired' || revokedAfterEnd(contact, until)) {
    // Announced already (a run that listed it before another finished it must not announce it again).
    if (contact.expiryAnnounced === until) return 'unchanged';
    const previous = contact.expiryClaim;
    if (previous !== undefined && now.getTime() - Date.parse(previous) < EXPIRY_CLAIM_STALE_MS) return 'pending'; // another run is announcing it
    // Revoked before any run recorded the end (no claim was ever taken): the end's audit entry comes with the claim.
    const unrecorded = contact.portal.status === 'revoked' && previous === undefined;
    const audit = unrecorded ? auditEntry('portal.expired', contact.id, SCHEDULE_ACTOR, claim, { until, revokedAt: contact.portal.revokedAt }) : undefined;
    if (!(await deps.store.claimExpiry(contact.id, until, previous, claim, audit))) return 'pending';
    outcome = unrecorded ? 'expired' : 'announced';
  } else return 'unchanged';
  // A failure here leaves the due entry: a later run announces it (once the claim is stale).
  await deps.events.emit('PortalAccessExpired', { contactId: contact.id, email: contact.login?.email ?? contact.email ?? '', at: until });
  await deps.store.expiryAnnounced(contact.id, until);
  return outcome;
}
