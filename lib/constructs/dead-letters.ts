import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Every alarm's description ends with where the on-call finds what it means and what to do. */
export const RUNBOOK = 'What to do: docs/operations.md.';

/**
 * A dead-letter queue (encrypted, TLS only, kept 14 days) and its alarm, which fires on the first
 * message: for rule targets and Lambda on-failure destinations alike (events, the scheduled job).
 */
export function deadLetterQueue(scope: Construct, id: string, what: string): { queue: sqs.Queue; alarm: cloudwatch.Alarm } {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const alarm = new cloudwatch.Alarm(scope, `${id}Alarm`, {
    alarmDescription: `Portal access: ${what} are waiting in ${id}. ${RUNBOOK}`,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { queue, alarm };
}
