import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letters';
import type { EventPattern, EventRule } from '../../lambdas/contract/event-rules';

export interface EventRoutingProps {
  readonly busName: string;
}

/**
 * The stack's event bus, and the rules of `lambdas/contract/event-rules.ts` that feed the events function. An
 * event that cannot be delivered lands in its rule's dead-letter queue; one the function keeps
 * failing on lands in the function's failure queue. Any message in either raises an alarm.
 */
export class EventRouting extends Construct {
  readonly bus: events.EventBus;
  readonly deadLetterQueues: sqs.Queue[] = [];
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: EventRoutingProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName,
      description: 'Portal access events: revocation requests in, PortalAccess* events out',
    });
  }

  /** Wires every rule (`eventRules` of the stack's configuration set) to the consumer; call once. */
  deliverTo(consumer: IFunction, rules: readonly EventRule[]): void {
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    for (const rule of rules) {
      const deadLetters = this.deadLetterQueue(`${rule.id}DeadLetters`, `${rule.id} events EventBridge could not deliver`);
      new events.Rule(this, rule.id, {
        eventBus: rule.bus === 'portal' ? this.bus : defaultBus,
        description: rule.description,
        eventPattern: cdkPattern(rule.pattern),
        targets: [new targets.LambdaFunction(consumer, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue: deadLetters })],
      });
    }
    const failures = this.deadLetterQueue('ConsumerFailures', 'events the events function failed on after its retries');
    consumer.configureAsyncInvoke({ onFailure: new SqsDestination(failures), retryAttempts: 2, maxEventAge: Duration.hours(6) });
  }

  private deadLetterQueue(id: string, what: string): sqs.Queue {
    const { queue, alarm } = deadLetterQueue(this, id, what);
    this.deadLetterQueues.push(queue);
    this.alarms.push(alarm);
    return queue;
  }
}

/**
 * `lambdas/contract/event-rules.ts` writes patterns as EventBridge does (`detail-type`); CDK wants `detailType`.
 * Content filters (`{ "anything-but": ... }`) pass through CDK verbatim although its types only
 * name strings, hence the cast.
 */
function cdkPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { detailType }) } as events.EventPattern;
}
