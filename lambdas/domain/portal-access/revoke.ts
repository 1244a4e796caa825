/**
 * Revoking portal access: by a wizard line, by the archive of a contact, by a revocation event.
 *
 * The access record says `revoked` first (with the pending invitation deleted and the audit entry,
 * one transaction): from then on the portal refuses. Then the Cognito user is disabled and signed
 * out; should that fail, a repeat finishes it (`login.disabledAt` is set only once it is done). The
 * login email guard stays while the contact is not archived (the disabled login still exists, and a
 * re-grant reuses it); an archived contact's guard is released.
 */
import { Conflict, NotFound } from '../../contract/errors';
import { auditEntry } from '../audit';
import type { ContactRecord } from '../contact-record';
import { emitAccessEvent } from './access-events';
import { LineFailure, mapBounded, unwrapLine } from './lines';
import type { RevocationDeps } from './ports';
import { companyPersons, inPortal } from './wizard';

export async function revokeContact(deps: RevocationDeps, contact: ContactRecord, actor: string, reason?: string): Promise<'revoked' | 'unchanged'> {
  const status = contact.portal.status;
  const email = contact.login?.email;
  let outcome: 'revoked' | 'unchanged' = 'unchanged';
  if (inPortal(status)) {
    const at = deps.now().toISOString();
    const audit = auditEntry('portal.revoked', contact.id, actor, at, { email, previousStatus: status, ...(reason ? { reason } : {}) });
    if (!(await deps.store.revoke(contact, at, audit, contact.archived)))
      throw new LineFailure(new Conflict('The contact changed meanwhile; repeat the request.'), status);
    outcome = 'revoked';
  } else if (contact.archived && email) {
    await deps.store.releaseLoginEmail(email, contact.id);
  }
  if ((outcome === 'revoked' || status === 'revoked') && contact.login?.username && !contact.login.disabledAt) {
    try {
      await deps.logins.disable(contact.login.username);
      await deps.store.markLoginDisabled(contact.id, deps.now().toISOString());
    } catch (error) {
      throw new LineFailure(error, 'revoked');
    }
  }
  if (outcome === 'revoked') await emitAccessEvent(deps, 'PortalAccessRevoked', { contactId: contact.id, email: email ?? '', at: deps.now().toISOString() });
  return outcome;
}

/**
 * Revokes one contact's access, for the archive of a contact and for revocation events. Idempotent:
 * a contact already revoked (or never granted) changes nothing and gets no second audit entry.
 */
export async function revokeAccess(deps: RevocationDeps, contactId: string, actor: string, reason?: string): Promise<'revoked' | 'unchanged'> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new NotFound('No such contact.');
  try {
    return await revokeContact(deps, contact, actor, reason);
  } catch (error) {
    throw unwrapLine(error);
  }
}

/** Revokes a company's own access and every one of its persons'. */
export async function revokeCompany(deps: RevocationDeps, companyId: string, actor: string, reason?: string): Promise<void> {
  const company = await deps.contacts.get(companyId);
  if (!company) throw new NotFound('No such contact.');
  const contacts = [company, ...(await companyPersons(deps, companyId))];
  const failures: unknown[] = [];
  await mapBounded(contacts, deps.config.applyConcurrency, async (contact) => {
    try {
      await revokeContact(deps, contact, actor, reason);
    } catch (error) {
      failures.push(unwrapLine(error));
    }
  });
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${contacts.length} revocations failed`);
}

/** The contacts module's archive hook: an archived contact's access is revoked (idempotent). */
export const archiveRevoker = (deps: RevocationDeps) => ({
  revokeForArchive: async (contactId: string, actor: string): Promise<void> => {
    await revokeAccess(deps, contactId, actor, 'contact archived');
  },
});
