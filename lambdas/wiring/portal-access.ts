/**
 * The portal-access function (the wizard, re-invitations, the audit trail): the access records on
 * the table — grants, re-invitations and revocations write their outbox items there, and the outbox
 * worker does the rest — and the audit and idempotency stores. Env: those of revocation.ts.
 */
import type { AuditStore } from '../domain/audit';
import type { IdempotencyStore } from '../domain/idempotency';
import type { PortalAccessDeps } from '../domain/portal-access/ports';
import { DynamoAuditStore } from '../adapters/dynamodb/audit-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { table } from './clients';
import { perContainer } from './container';
import { revocationDeps } from './revocation';

export interface PortalAccessFunctionDeps {
  access: PortalAccessDeps;
  audit: AuditStore;
  idempotency: IdempotencyStore;
}

export const portalAccessDeps = perContainer((): PortalAccessFunctionDeps => {
  const { db, name } = table();
  return { access: revocationDeps(), audit: new DynamoAuditStore(db, name), idempotency: new DynamoIdempotencyStore(db, name) };
});
