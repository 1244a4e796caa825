/**
 * The portal-access function (the wizard, re-invitations, the audit trail): the access records on
 * the table — grants, re-invitations and revocations write their outbox items there, and the outbox
 * worker does the rest; a re-invite's link for staff is issued here — and the audit and idempotency
 * stores. Env: those of revocation.ts, PORTAL_URL, INVITATION_TTL_SECONDS, REMINDER_AFTER_SECONDS.
 */
import type { AccessReportDeps } from '../domain/access-report';
import type { AuditStore } from '../domain/audit';
import type { IdempotencyStore } from '../domain/idempotency';
import type { ReinviteDeps } from '../domain/portal-access/ports';
import { DynamoAuditStore } from '../adapters/dynamodb/audit-store';
import { DynamoDocumentStore, positionCursor } from '../adapters/dynamodb/documents-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { table } from './clients';
import { perContainer } from './container';
import { revocationDeps } from './revocation';
import { invitationConfig } from './settings';

export interface PortalAccessFunctionDeps {
  /** The HTTP side of portal access, with the invitation settings a link for staff needs. */
  access: ReinviteDeps;
  audit: AuditStore;
  idempotency: IdempotencyStore;
  /** Explain: the contact and the document, by the portal's rule. */
  report: AccessReportDeps;
}

export const portalAccessDeps = perContainer((): PortalAccessFunctionDeps => {
  const { db, name } = table();
  const revocation = revocationDeps();
  return {
    access: { ...revocation, config: { ...revocation.config, ...invitationConfig() } },
    audit: new DynamoAuditStore(db, name),
    idempotency: new DynamoIdempotencyStore(db, name),
    report: { contacts: revocation.contacts, documents: new DynamoDocumentStore(db, name), cursors: positionCursor, now: revocation.now },
  };
});
