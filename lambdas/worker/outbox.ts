/**
 * The outbox worker: the target of the table's stream (filtered to new outbox items,
 * `contract/outbox.ts`). Reports the outbox's lag (the age of the batch's oldest record) and answers
 * the records it could not finish (`ReportBatchItemFailures`).
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { METRIC } from '../contract/metrics';
import { withLogContext } from '../platform/log';
import { metrics } from '../wiring/metrics';
import { outboxDeps } from '../wiring/outbox';
import { oldestAgeSeconds, runStreamBatch } from './stream-batch';

// Every line of the invocation (and its lag) carries its request id, cold start and function.
export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  withLogContext({ requestId: context.awsRequestId, function: context.functionName }, () => {
    const lag = oldestAgeSeconds(event.Records, Date.now());
    if (lag !== undefined) metrics.value(METRIC.outboxLagSeconds, lag, 'Seconds');
    return runStreamBatch(outboxDeps(), event.Records, () => context.getRemainingTimeInMillis());
  });
