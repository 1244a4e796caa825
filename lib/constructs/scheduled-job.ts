import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letters';

export interface ScheduledJobProps {
  /** The job's function (lambdas/schedule/handler.ts): idempotent, safe to run twice or concurrently. */
  readonly job: IFunction;
  readonly rateMinutes: number;
}

/**
 * The scheduled job: an EventBridge rate rule (default bus) invokes the job's function. A run that
 * EventBridge cannot deliver lands in the rule's dead-letter queue, one the function keeps failing on
 * (the table unreachable: single items that fail wait for the next run instead) in its on-failure
 * queue; either raises an alarm. Retries are few and short-lived: the next run comes a minute later.
 */
export class ScheduledJob extends Construct {
  readonly deadLetterQueues: sqs.Queue[] = [];
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const undelivered = deadLetterQueue(this, 'RunDeadLetters', 'scheduled runs EventBridge could not deliver');
    new events.Rule(this, 'Rate', {
      description: 'Runs the portal-access scheduled job (expiries of accesses and grants, invitation reminders and expiries)',
      schedule: events.Schedule.rate(Duration.minutes(props.rateMinutes)),
      targets: [new targets.LambdaFunction(props.job, { retryAttempts: 2, maxEventAge: Duration.minutes(10), deadLetterQueue: undelivered.queue })],
    });
    const failures = deadLetterQueue(this, 'RunFailures', 'scheduled runs that failed after their retries');
    props.job.configureAsyncInvoke({ onFailure: new SqsDestination(failures.queue), retryAttempts: 2, maxEventAge: Duration.minutes(10) });
    for (const { queue, alarm } of [undelivered, failures]) {
      this.deadLetterQueues.push(queue);
      this.alarms.push(alarm);
    }
  }
}
