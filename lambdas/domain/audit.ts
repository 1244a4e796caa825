/**
 * The audit trail of a contact's portal access: who granted, re-granted, revoked, re-invited, and
 * when an invitation was accepted; a company's wizard applies, login email changes, restores.
 * Entries are written in the same transaction as the change they record (see AccessStore), so a
 * change is never without its entry and a repeated request that changes nothing writes nothing.
 */
import type { AuditEvent } from '../contract/schemas/portal-access';
import { NotFound } from '../contract/errors';

export type AuditAction =
  | 'portal.granted'
  | 'portal.regranted'
  | 'portal.revoked'
  | 'portal.reinvited'
  | 'invitation.accepted'
  /** The invitation email was refused for good (a bad recipient): the line says `delivery: failed`. */
  | 'invitation.failed'
  /** A grant taken back by the outbox worker: its login email is another contact's login. */
  | 'portal.withdrawn'
  /** Only the scope, types or end of an access changed (a wizard line, outcome `updated`). */
  | 'portal.updated'
  /** The access reached its `until` (written by the scheduled job). */
  | 'portal.expired'
  /** An explicit grant of a document given (or given another end) and removed by staff (on the grantee; lambdas/domain/documents.ts). */
  | 'grant.given'
  | 'grant.removed'
  /** An explicit grant of a document reached its `until` and was removed (the scheduled job; on the grantee). */
  | 'grant.expired'
  /** The invitation's one reminder went out (a fresh link; the scheduled job). */
  | 'invitation.reminded'
  /** A pending invitation's link expired unused (the scheduled job); the contact stays invited. */
  | 'invitation.expired'
  /** SES feedback about an invitation email (lambdas/domain/mail-feedback.ts). */
  | 'invitation.bounced'
  | 'invitation.complained'
  /** A document's share link, on the document's customer (lambdas/domain/share-links/). */
  | 'link.created'
  | 'link.revoked'
  /** The email of a contact with portal access changed, and its login's with it (domain/portal-access/login-email.ts). */
  | 'portal.login-email-changed'
  /** One apply of a company's wizard, on the company: who applied what to which persons (domain/portal-access/apply.ts). */
  | 'portal.applied'
  /** A contact archived (`DELETE /contacts/{id}`, `ContactArchived`), after its portal access was revoked. */
  | 'contact.archived'
  /** An archived contact restored (its portal access stays revoked). */
  | 'contact.restored';

export type AuditEntry = AuditEvent & { action: AuditAction };

export interface AuditPage {
  items: AuditEvent[];
  nextCursor?: string;
}

export interface AuditStore {
  /** Newest first; `cursor` is the opaque cursor of the previous page. */
  list(contactId: string, cursor: string | undefined, limit: number): Promise<AuditPage>;
}

/** The actor of changes that no person asked for directly (an event from another system). */
export const eventActor = (source: string): string => `event:${source}`;

/** The actor of what the scheduled job does (expiries, reminders). */
export const SCHEDULE_ACTOR = 'schedule';

/** The actor of an accepted invitation: whoever held the token. */
export const INVITEE = 'invitee';

export function auditEntry(action: AuditAction, contactId: string, actor: string, at: string, details: Record<string, unknown> = {}): AuditEntry {
  return { at, actor, action, contactId, details };
}

export async function listAudit(
  deps: { audit: AuditStore; contactExists: (id: string) => Promise<boolean> },
  contactId: string,
  cursor: string | undefined,
  limit: number,
): Promise<AuditPage> {
  if (!(await deps.contactExists(contactId))) throw new NotFound('No such contact.');
  return deps.audit.list(contactId, cursor, limit);
}
