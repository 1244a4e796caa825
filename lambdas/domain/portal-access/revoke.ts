/**
 * Revoking portal access: by a wizard line, by the archive of a contact, by a revocation event.
 *
 * The access record says `revoked` first (with the pending invitation deleted, the audit entry and
 * an outbox item, one transaction): from then on the portal refuses, on the very next request. The
 * outbox worker then disables and signs out the Cognito login (as the record says by then: the
 * login follows the record) and emits `PortalAccessRevoked` (`settleRevocation`). The login email
 * guard stays while the contact is not archived (the disabled login still exists, and a re-grant
 * reuses it); an archived contact's guard and subject pointer are released (its disabled login
 * becomes an orphan that a later grant may adopt).
 */
import { ChangedMeanwhile, Conflict, NotFound } from '../../contract/errors';
import { OUTBOX_ABANDONED_AFTER_MS } from '../../contract/outbox';
import { hasEnded, portalStatusAt } from '../access-policy';
import { auditEntry } from '../audit';
import type { ContactRecord } from '../contact-record';
import { once, type OutboxOutcome, type OutboxRun, type RevocationItem } from '../outbox';
import { LineFailure, mapBounded, unwrapLine, WRITE_ATTEMPTS } from './lines';
import { settleLogin } from './login-state';
import type { DeliveryDeps, RevocationDeps } from './ports';
import { companyPersons, inPortal } from './wizard';

const revocationItem = (deps: Pick<RevocationDeps, 'newId'>, contact: ContactRecord, actor: string, at: string): RevocationItem => ({
  id: deps.newId(),
  kind: 'revocation',
  contactId: contact.id,
  actor,
  at,
  ...(contact.login?.email ? { email: contact.login.email } : {}),
});

/**
 * Revokes one contact. The wizard's `inPortal: false` leaves an access that has ended (`expired`)
 * as it is, like a revoked one; an archive or a revocation event (`ended: 'revoke'`) revokes it too,
 * so that its login is disabled as well.
 */
export async function revokeContact(
  deps: RevocationDeps,
  read: ContactRecord,
  actor: string,
  reason?: string,
  ended: 'keep' | 'revoke' = 'keep',
): Promise<'revoked' | 'unchanged'> {
  let contact = read;
  for (let attempt = 1; revocable(contact, ended, deps.now()); attempt++) {
    const status = contact.portal.status;
    const email = contact.login?.email;
    const at = deps.now().toISOString();
    const audit = auditEntry('portal.revoked', contact.id, actor, at, { email, previousStatus: status, ...(reason ? { reason } : {}) });
    if (await deps.store.revoke(contact, at, audit, contact.archived, revocationItem(deps, contact, actor, at), endUnannounced(contact, new Date(at)))) return 'revoked';
    // Changed since the read (lines.ts, WRITE_ATTEMPTS): the access still has to end.
    const fresh = attempt < WRITE_ATTEMPTS ? await deps.contacts.get(contact.id) : undefined;
    if (!fresh) throw new LineFailure(new ChangedMeanwhile(), status);
    contact = fresh;
  }
  const status = contact.portal.status;
  if (contact.archived && contact.login) await deps.store.releaseLogin(contact.login, contact.id);
  // A revocation whose follow-up never finished (its outbox item abandoned): queue it again.
  if (status === 'revoked' && contact.login?.username && !contact.login.disabledAt && abandoned(contact, deps.now())) {
    if (!(await deps.store.requeueRevocation(contact, revocationItem(deps, contact, actor, deps.now().toISOString()))))
      throw new LineFailure(new ChangedMeanwhile(), status);
  }
  return 'unchanged';
}

/** Whether there is an access to revoke: an archive or an event also ends one that has expired. */
const revocable = (contact: ContactRecord, ended: 'keep' | 'revoke', now: Date): boolean =>
  ended === 'revoke' ? inPortal(contact.portal.status) || contact.portal.status === 'expired' : inPortal(portalStatusAt(contact.portal, now));

/**
 * The access reached its `until` before this revocation and the scheduled job has not announced
 * that yet (it may not even have recorded it): the job still must (`PortalAccessExpired`, audited),
 * so the revocation keeps the end's due entry and claim (expire.ts).
 */
const endUnannounced = (contact: ContactRecord, at: Date): boolean =>
  contact.portal.until !== undefined && hasEnded(contact.portal.until, at) && contact.expiryAnnounced !== contact.portal.until;

const abandoned = (contact: ContactRecord, now: Date) => !contact.outbox || now.getTime() - Date.parse(contact.outbox.at) > OUTBOX_ABANDONED_AFTER_MS;

/**
 * The outbox worker's part of a revocation: the login disabled and signed out if the record still
 * says revoked (a re-grant meanwhile wins: its own item enables it, and `settleLogin` makes the last
 * Cognito call follow the record), then `PortalAccessRevoked` — for every revocation, also one a
 * re-grant superseded, since it did happen.
 */
export async function settleRevocation(deps: DeliveryDeps, item: RevocationItem, run: OutboxRun): Promise<OutboxOutcome> {
  const contact = await deps.contacts.get(item.contactId);
  const isCurrent = contact !== undefined && contact.outbox?.id === item.id;
  await once(deps, item, 'login', async () => {
    const username = contact?.login?.username;
    if (!isCurrent || contact.portal.status !== 'revoked' || !username || contact.login?.disabledAt || !(await stillOwnsLogin(deps, contact))) return;
    await deps.logins.disable(username);
    if ((await settleLogin(deps, contact.id, username, 'disabled')) === 'disabled') await deps.store.markLoginDisabled(contact.id, deps.now().toISOString());
  }, run);
  await once(deps, item, 'events', () => deps.events.emit('PortalAccessRevoked', { contactId: item.contactId, email: item.email ?? '', at: item.at }), run);
  return isCurrent ? 'done' : 'superseded';
}

/** An archived contact's released login may since have been adopted by another contact: then it is not this contact's to disable. */
async function stillOwnsLogin(deps: Pick<DeliveryDeps, 'store'>, contact: ContactRecord): Promise<boolean> {
  const sub = contact.login?.sub;
  if (!contact.archived || !sub) return true;
  const holder = await deps.store.subjectHolder(sub);
  return holder === undefined || holder === contact.id;
}

/**
 * Revokes one contact's access, for the archive of a contact and for revocation events. Idempotent:
 * a contact already revoked (or never granted) changes nothing and gets no second audit entry.
 */
export async function revokeAccess(deps: RevocationDeps, contactId: string, actor: string, reason?: string): Promise<'revoked' | 'unchanged'> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new NotFound('No such contact.');
  try {
    return await revokeContact(deps, contact, actor, reason, 'revoke');
  } catch (error) {
    throw unwrapLine(error);
  }
}

/** Revokes a company's own access and every one of its persons'. */
export async function revokeCompany(deps: RevocationDeps, companyId: string, actor: string, reason?: string): Promise<void> {
  const company = await deps.contacts.get(companyId);
  if (!company) throw new NotFound('No such contact.');
  await revokeEach(deps, [company, ...(await personsNow(deps, companyId))], actor, () => reason);
}

/**
 * A company's persons as they are now. The listing comes from an index, which DynamoDB keeps
 * eventually consistent: a person granted access just before the company's revocation may still be
 * listed without it, and would be left in the portal. So each listed person is read again
 * (consistently, 100 to a request); one that moved to another company since is not this company's.
 */
async function personsNow(deps: RevocationDeps, companyId: string): Promise<ContactRecord[]> {
  const listed = await companyPersons(deps, companyId);
  if (listed.length === 0) return [];
  const fresh = await deps.contacts.getMany(listed.map((person) => person.id));
  return listed.flatMap((person) => {
    const now = fresh.get(person.id);
    return now && now.companyId === companyId ? [now] : [];
  });
}

/**
 * The archive of a contact (`DELETE /contacts/{id}`, `ContactArchived`): its access is revoked, and
 * for a company every one of its persons' too. Idempotent: a repeat (the DELETE again) completes a
 * revocation that failed half-way, and changes nothing once all are revoked.
 */
export async function revokeForArchive(deps: RevocationDeps, contactId: string, actor: string): Promise<void> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new NotFound('No such contact.');
  const persons = contact.kind === 'company' ? await personsNow(deps, contact.id) : [];
  try {
    await revokeEach(deps, [contact, ...persons], actor, (c) => (c.id === contact.id ? 'contact archived' : 'company archived'));
  } catch (error) {
    // Only records that changed meanwhile: the DELETE is a 409 that its repeat completes (never a 500).
    if (error instanceof AggregateError && error.errors.every((e) => e instanceof Conflict))
      throw new Conflict(`${error.message}: the contact is archived, and repeating the request completes its revocation.`);
    throw error;
  }
}

/** Each contact revoked on its own (bounded concurrency); the failures, if any, together. */
async function revokeEach(deps: RevocationDeps, contacts: ContactRecord[], actor: string, reasonOf: (contact: ContactRecord) => string | undefined): Promise<void> {
  const failures: unknown[] = [];
  await mapBounded(contacts, deps.config.applyConcurrency, async (contact) => {
    try {
      await revokeContact(deps, contact, actor, reasonOf(contact), 'revoke');
    } catch (error) {
      failures.push(unwrapLine(error));
    }
  });
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${contacts.length} revocations failed`);
}

/** The contacts module's archive hook: an archived contact's access is revoked, a company's persons' too (idempotent). */
export const archiveRevoker = (deps: RevocationDeps) => ({
  revokeForArchive: (contactId: string, actor: string): Promise<void> => revokeForArchive(deps, contactId, actor),
});
