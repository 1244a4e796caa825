/**
 * The outbox: follow-up work (the Cognito login, the invitation email, the events) written as an
 * item in the same transaction as the change it follows, then done by the outbox worker, which the
 * table's stream feeds. The CDK event-source mapping and the local stream poller read the same
 * filter and batch settings from here, so the two cannot disagree. No CDK imports.
 */
import { ENTITY } from './keys';

/**
 * What an outbox item asks for. A new kind (a reminder, a notice to the inviter) is a new name here,
 * its item shape in `domain/outbox.ts` and one handler registered with the worker.
 */
export const OUTBOX_KINDS = ['invitation', 'revocation'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * The stream filter of the worker's event source (Lambda filter-criteria syntax, the same as an
 * EventBridge pattern): new outbox items only. The worker's own writes to an item (its step
 * markers) are MODIFY events and never feed it again; every other item of the table is ignored.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: [ENTITY.outbox] } } },
} as const;

/**
 * How the stream feeds the worker (CDK's DynamoEventSource and the local poller alike):
 * - `batchSize` records an invocation, one batch at a time per shard (`parallelizationFactor` in AWS);
 * - a failed record is reported (`ReportBatchItemFailures`) and retried from there; a batch whose
 *   invocation failed is split in two (`bisectBatchOnError`) before its retries;
 * - at most `retryAttempts` retries and `maxRecordAgeSeconds` of age, then the record goes to the
 *   on-failure destination (an SQS queue with an alarm in AWS, the local DLQ locally).
 * The worker paces mail and retries throttles itself, within `workerTimeoutSeconds`; a record it
 * could not finish in time is reported failed and comes back (its done steps are not done again).
 */
export const OUTBOX_STREAM = {
  batchSize: 10,
  parallelizationFactor: 2,
  bisectBatchOnError: true,
  retryAttempts: 50,
  /** Six hours: a backlog paced at 10 mails a second is 216,000 mails deep before a record expires. */
  maxRecordAgeSeconds: 6 * 60 * 60,
  workerTimeoutSeconds: 120,
} as const;

/**
 * An outbox item still unfinished after this long can no longer be in anyone's hands (every record
 * has expired to the on-failure destination by then): a repeated grant may queue it again.
 */
export const OUTBOX_ABANDONED_AFTER_MS = (OUTBOX_STREAM.maxRecordAgeSeconds + OUTBOX_STREAM.workerTimeoutSeconds) * 1000;

/** The default of `MAIL_RATE_PER_SECOND` (context key `mailRatePerSecond`): SES's usual production rate is 14/s. */
export const DEFAULT_MAIL_RATE_PER_SECOND = 10;
