/**
 * What the HTTP side of portal access needs — the wizard, apply, re-invite, revoke — shared by the
 * Lambdas that revoke (contacts: archiving; events: revocation requests; portal-access: the wizard):
 * the table only. Cognito, SES and EventBridge follow from the outbox (wiring/outbox.ts, the worker).
 * Env: TABLE_NAME (APPLY_CONCURRENCY optional).
 */
import { randomUUID } from 'node:crypto';
import type { RevocationDeps } from '../domain/portal-access/ports';
import { log } from '../platform/log';
import { DynamoAccessStore } from '../adapters/dynamodb/access-store';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { table } from './clients';
import { applyConcurrency } from './settings';

export function revocationDeps(): RevocationDeps & { contacts: DynamoContactStore } {
  const { db, name } = table();
  return {
    contacts: new DynamoContactStore(db, name),
    store: new DynamoAccessStore(db, name),
    now: () => new Date(),
    config: { applyConcurrency: applyConcurrency() },
    newId: randomUUID,
    warn: log.warn,
  };
}
