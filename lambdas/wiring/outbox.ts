/**
 * The outbox worker: the outbox items, and what each kind's handler needs — the access records,
 * the customer pool, SES paced by the table's token bucket, the staff pool (the inviter's name and
 * email), the bus. Env: TABLE_NAME, CUSTOMER_USER_POOL_ID, STAFF_USER_POOL_ID, EVENT_BUS_NAME,
 * MAIL_RATE_PER_SECOND (optional), those of mail.ts and settings.ts (`mailConfig`).
 */
import { env } from '../contract/env';
import type { OutboxDeps } from '../domain/outbox';
import { deliverInvitation } from '../domain/portal-access/delivery';
import { deliverReminder } from '../domain/portal-access/reminder';
import type { DeliveryDeps } from '../domain/portal-access/ports';
import { settleRevocation } from '../domain/portal-access/revoke';
import { log } from '../platform/log';
import { CognitoCustomerLogins } from '../adapters/cognito/customer-logins';
import { DynamoDeliveryStore } from '../adapters/dynamodb/delivery-store';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoMailPacer } from '../adapters/dynamodb/mail-pacer';
import { DynamoOutboxStore } from '../adapters/dynamodb/outbox-store';
import { EventBridgeAccessEvents } from '../adapters/eventbridge/access-events';
import { cognitoClient, table } from './clients';
import { perContainer } from './container';
import { invitationMailer, staffProfiles } from './mail';
import { countingEvents, countingMailer } from './metrics';
import { mailConfig, mailRatePerSecond } from './settings';
import { eventBridgeClient } from './worker-clients';
import { sleep } from '../platform/sleep';

export const outboxDeps = perContainer((): OutboxDeps => {
  const { db, name } = table();
  const outbox = new DynamoOutboxStore(db, name);
  const config = mailConfig();
  const delivery: DeliveryDeps = {
    contacts: new DynamoContactReader(db, name),
    store: new DynamoDeliveryStore(db, name),
    outbox,
    logins: new CognitoCustomerLogins(cognitoClient(), env('customerUserPoolId')),
    mailer: countingMailer(invitationMailer(config.businessName)),
    pacer: new DynamoMailPacer(db, name, mailRatePerSecond()),
    events: countingEvents(new EventBridgeAccessEvents(eventBridgeClient(), env('eventBusName'))),
    now: () => new Date(),
    staff: staffProfiles(),
    config,
    warn: log.warn,
    sleep,
  };
  return {
    outbox,
    now: () => new Date(),
    handlers: {
      invitation: (item, run) => deliverInvitation(delivery, item, run),
      revocation: (item, run) => settleRevocation(delivery, item, run),
      reminder: (item, run) => deliverReminder(delivery, item, run),
    },
  };
});

/** For the local stack and tests: replace the dependencies. */
export const useOutboxDeps = outboxDeps.use;
