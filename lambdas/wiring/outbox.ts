/**
 * The outbox worker: the outbox items, and what each kind's handler needs — the access records,
 * the customer pool, SES paced by the table's token bucket, the bus. Env: TABLE_NAME,
 * CUSTOMER_USER_POOL_ID, EVENT_BUS_NAME, PORTAL_URL, SENDER_EMAIL, REPLY_TO_EMAIL (optional),
 * SES_CONFIGURATION_SET (optional), INVITATION_TTL_DAYS (optional), MAIL_RATE_PER_SECOND (optional).
 */
import { env, envOr } from '../contract/env';
import type { OutboxDeps } from '../domain/outbox';
import { deliverInvitation } from '../domain/portal-access/delivery';
import type { DeliveryDeps } from '../domain/portal-access/ports';
import { settleRevocation } from '../domain/portal-access/revoke';
import { log } from '../platform/log';
import { CognitoCustomerLogins } from '../adapters/cognito/customer-logins';
import { DynamoDeliveryStore } from '../adapters/dynamodb/delivery-store';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoMailPacer } from '../adapters/dynamodb/mail-pacer';
import { DynamoOutboxStore } from '../adapters/dynamodb/outbox-store';
import { EventBridgeAccessEvents } from '../adapters/eventbridge/access-events';
import { SesInvitationMailer, type Sender } from '../adapters/ses/invitation-mailer';
import { cognitoClient, table } from './clients';
import { perContainer } from './container';
import { countingEvents, countingMailer } from './metrics';
import { invitationConfig, mailRatePerSecond } from './settings';
import { eventBridgeClient, sesClient } from './worker-clients';

function sender(): Sender {
  const from = env('senderEmail');
  return { from, replyTo: envOr('replyToEmail', from), configurationSet: envOr('sesConfigurationSet', '') };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export const outboxDeps = perContainer((): OutboxDeps => {
  const { db, name } = table();
  const outbox = new DynamoOutboxStore(db, name);
  const delivery: DeliveryDeps = {
    contacts: new DynamoContactReader(db, name),
    store: new DynamoDeliveryStore(db, name),
    outbox,
    logins: new CognitoCustomerLogins(cognitoClient(), env('customerUserPoolId')),
    mailer: countingMailer(new SesInvitationMailer(sesClient(), sender())),
    pacer: new DynamoMailPacer(db, name, mailRatePerSecond()),
    events: countingEvents(new EventBridgeAccessEvents(eventBridgeClient(), env('eventBusName'))),
    now: () => new Date(),
    config: invitationConfig(),
    warn: log.warn,
    sleep,
  };
  return {
    outbox,
    now: () => new Date(),
    handlers: {
      invitation: (item, run) => deliverInvitation(delivery, item, run),
      revocation: (item, run) => settleRevocation(delivery, item, run),
    },
  };
});

/** For the local stack and tests: replace the dependencies. */
export const useOutboxDeps = outboxDeps.use;
