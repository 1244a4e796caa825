/**
 * The portal-access function (the wizard, re-invitations, the audit trail): the access records on
 * the table — grants, re-invitations and revocations write their outbox items there, and the outbox
 * worker does the rest — and the audit and idempotency stores. Env: those of revocation.ts.
 */
import type { AccessReportDeps } from '../domain/access-report';
import type { AuditStore } from '../domain/audit';
import type { IdempotencyStore } from '../domain/idempotency';
import type { PortalAccessDeps } from '../domain/portal-access/ports';
import { DynamoAuditStore } from '../adapters/dynamodb/audit-store';
import { DynamoDocumentStore, positionCursor } from '../adapters/dynamodb/documents-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { table } from './clients';
import { perContainer } from './container';
import { revocationDeps } from './revocation';

export interface PortalAccessFunctionDeps {
  access: PortalAccessDeps;
  audit: AuditStore;
  idempotency: IdempotencyStore;
  /** Explain: the contact and the document, by the portal's rule. */
  report: AccessReportDeps;
}

export const portalAccessDeps = perContainer((): PortalAccessFunctionDeps => {
  const { db, name } = table();
  const revocation = revocationDeps();
  return {
    access: revocation,
    audit: new DynamoAuditStore(db, name),
    idempotency: new DynamoIdempotencyStore(db, name),
    report: { contacts: revocation.contacts, documents: new DynamoDocumentStore(db, name), cursors: positionCursor, now: revocation.now },
  };
});
