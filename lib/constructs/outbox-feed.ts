import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_STREAM, OUTBOX_STREAM_FILTER } from '../../lambdas/contract/outbox';
import { RUNBOOK } from './dead-letters';
import type { PortalFunction } from './portal-function';

/**
 * What feeds the outbox worker: the table's stream, filtered to new outbox items (the filter and
 * the batch settings are `lambdas/contract/outbox.ts`'s, which the local poller reads too), with
 * partial batch responses, bisect on error, bounded retries and record age, and an on-failure
 * queue (it receives where the records were, not the records) whose first message raises an alarm.
 */
export class OutboxFeed extends Construct {
  readonly failures: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;
  readonly worker: PortalFunction;

  constructor(scope: Construct, id: string, props: { table: ITable; worker: PortalFunction }) {
    super(scope, id);
    this.worker = props.worker;
    this.failures = new sqs.Queue(this, 'Failures', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.alarm = new cloudwatch.Alarm(this, 'FailuresAlarm', {
      alarmDescription: `Portal access: outbox records the worker could not finish (logins, invitation emails, revocations) are waiting in the outbox failure queue. ${RUNBOOK}`,
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    props.worker.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: OUTBOX_STREAM.batchSize,
        parallelizationFactor: OUTBOX_STREAM.parallelizationFactor,
        bisectBatchOnError: OUTBOX_STREAM.bisectBatchOnError,
        retryAttempts: OUTBOX_STREAM.retryAttempts,
        maxRecordAge: Duration.seconds(OUTBOX_STREAM.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER as unknown as Record<string, unknown>)],
        onFailure: new SqsDlq(this.failures),
      }),
    );
  }
}
