/**
 * The outbox worker: the target of the table's stream (filtered to new outbox items,
 * `contract/outbox.ts`). Answers the records it could not finish (`ReportBatchItemFailures`).
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxDeps } from '../wiring/outbox';
import { runStreamBatch } from './stream-batch';

export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  runStreamBatch(outboxDeps(), event.Records, () => context.getRemainingTimeInMillis());
