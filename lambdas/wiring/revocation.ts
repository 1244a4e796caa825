/**
 * What revoking portal access needs, shared by the Lambdas that revoke (contacts: archiving; events:
 * revocation requests; portal-access: the wizard): the table, the customer pool's logins and the
 * bus. Env: TABLE_NAME, CUSTOMER_USER_POOL_ID, EVENT_BUS_NAME (APPLY_CONCURRENCY optional) — no
 * mail and no invitation settings.
 */
import { env } from '../contract/env';
import type { RevocationDeps } from '../domain/portal-access/ports';
import { log } from '../platform/log';
import { CognitoCustomerLogins } from '../adapters/cognito/customer-logins';
import { DynamoAccessStore } from '../adapters/dynamodb/access-store';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { EventBridgeAccessEvents } from '../adapters/eventbridge/access-events';
import { cognitoClient, eventBridgeClient, table } from './clients';
import { countingEvents } from './metrics';
import { applyConcurrency } from './settings';

export const customerLogins = (): CognitoCustomerLogins => new CognitoCustomerLogins(cognitoClient(), env('customerUserPoolId'));

export function revocationDeps(): RevocationDeps & { contacts: DynamoContactStore; logins: CognitoCustomerLogins } {
  const { db, name } = table();
  return {
    contacts: new DynamoContactStore(db, name),
    store: new DynamoAccessStore(db, name),
    logins: customerLogins(),
    events: countingEvents(new EventBridgeAccessEvents(eventBridgeClient(), env('eventBusName'))),
    now: () => new Date(),
    config: { applyConcurrency: applyConcurrency() },
    warn: log.warn,
  };
}
