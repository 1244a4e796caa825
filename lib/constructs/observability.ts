import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_DIMENSION, METRICS_NAMESPACE, type MetricName } from '../../lambdas/contract/metrics';
import type { AlarmTopic } from './alarm-topic';
import { RUNBOOK } from './dead-letters';
import type { PortalFunction } from './portal-function';

export interface ObservabilityProps {
  readonly stage: string;
  readonly api: apigw.HttpApi;
  /** Every function of the stack, by a short name for the alarms and the dashboard. */
  readonly functions: Readonly<Record<string, PortalFunction>>;
  /** The dead-letter queues (their alarms are their owners'; the dashboard shows their depth). */
  readonly deadLetterQueues: readonly sqs.IQueue[];
  /** Alarms made elsewhere (the dead-letter queues'): they notify the same topic and show on the dashboard. */
  readonly otherAlarms: readonly cloudwatch.Alarm[];
  readonly topic: AlarmTopic;
}

/** When an alarm fires, and why those numbers. */
export const THRESHOLDS = {
  /** 5xx answers of the API in 5 minutes: a 503 now and then is a dependency's hiccup that the client retries; five is not. */
  api5xxPer5Minutes: 5,
  /** The oldest outbox item, in seconds, two 5-minute periods running: invitations are meant to leave within seconds. */
  outboxLagSeconds: 300,
  /** Invitation bounces per invitation sent, in percent, over 6 hours: SES reviews an account at 5 % (and pauses it at 10 %). */
  bounceRatePercent: 5,
  /** Below this many invitations sent in the 6 hours, a rate says nothing: no alarm. */
  bounceRateMinimumSent: 20,
  /**
   * Complaints ("this is spam") per invitation sent, in percent, over 6 hours: SES reviews an account
   * at 0.1 % (and may pause its sending at 0.5 %). Below a thousand sent, that is any one complaint.
   */
  complaintRatePercent: 0.1,
  /** As for bounces: below this many invitations sent in the 6 hours, no alarm. */
  complaintRateMinimumSent: 20,
  /**
   * 5-minute periods running in which items of the scheduled job failed: each run (every minute)
   * tries them again, so a blip (a throttled write) clears within a period, and an item failing run
   * after run — an expiry, reminder or invitation expiry that never happens — fires after 15 minutes.
   */
  scheduledItemsFailingPeriods: 3,
} as const;

/**
 * What the people who run the stack watch: an alarm for each function's errors and throttles, the
 * API's 5xx answers, the outbox's lag, the scheduled job's failing items and the invitations' bounce and complaint rates — each, and the dead-letter
 * alarms, notifying the stack's one alarm topic (`alarmEmail`) — and a dashboard of the API, the
 * functions, the business metrics (`lambdas/contract/metrics.ts`) and the dead-letter queues.
 */
export class Observability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const business = (name: MetricName, statistic: string = cloudwatch.Stats.SUM, period = Duration.minutes(5)) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { [METRICS_DIMENSION]: props.stage }, statistic, period });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, `the ${name} function failed (an error or a timeout)`, fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), 0);
      this.alarm(`${name}Throttles`, `the ${name} function was throttled (its concurrency is used up)`, fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), 0);
    }
    this.alarm('Api5xx', `the API answered 5xx more than ${THRESHOLDS.api5xxPer5Minutes - 1} times in 5 minutes`, props.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), THRESHOLDS.api5xxPer5Minutes - 1);
    this.alarm(
      'ScheduledItemsFailing',
      `items of the scheduled job (expiries, reminders) failed in every 5 minutes for ${THRESHOLDS.scheduledItemsFailingPeriods * 5} minutes`,
      business(METRIC.scheduledItemsFailed),
      0,
      THRESHOLDS.scheduledItemsFailingPeriods,
    );
    this.alarm('OutboxLag', `the oldest outbox item waited more than ${THRESHOLDS.outboxLagSeconds} s`, business(METRIC.outboxLagSeconds, cloudwatch.Stats.MAXIMUM), THRESHOLDS.outboxLagSeconds, 2);
    const sixHours = Duration.hours(6);
    /** Invitations that came back as `what` per invitation sent, in percent over 6 hours; 0 below `minimumSent`. */
    const perSent = (id: 'bounced' | 'complained', metric: MetricName, minimumSent: number, label: string) =>
      new cloudwatch.MathExpression({
        expression: `IF(sent >= ${minimumSent}, 100 * ${id} / sent, 0)`,
        usingMetrics: { sent: business(METRIC.invitationsSent, cloudwatch.Stats.SUM, sixHours), [id]: business(metric, cloudwatch.Stats.SUM, sixHours) },
        period: sixHours,
        label,
      });
    const bounceRate = perSent('bounced', METRIC.invitationsBounced, THRESHOLDS.bounceRateMinimumSent, 'Invitation bounce rate (%)');
    this.alarm('BounceRate', `more than ${THRESHOLDS.bounceRatePercent} % of the invitations sent in 6 hours bounced`, bounceRate, THRESHOLDS.bounceRatePercent);
    const complaintRate = perSent('complained', METRIC.invitationsComplained, THRESHOLDS.complaintRateMinimumSent, 'Invitation complaint rate (%)');
    this.alarm('ComplaintRate', `more than ${THRESHOLDS.complaintRatePercent} % of the invitations sent in 6 hours were reported as spam`, complaintRate, THRESHOLDS.complaintRatePercent);
    props.topic.notify([...this.alarms, ...props.otherAlarms]);

    const fns = Object.entries(props.functions);
    const perFunction = (label: string, metric: (fn: PortalFunction) => cloudwatch.Metric) =>
      new cloudwatch.GraphWidget({ title: label, width: 8, left: fns.map(([name, fn]) => metric(fn).with({ label: name })) });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `PortalAccess-${props.stage}`,
      defaultInterval: Duration.hours(24),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'API requests', width: 8, left: [props.api.metricCount({ label: 'requests' })], right: [props.api.metricClientError({ label: '4xx' }), props.api.metricServerError({ label: '5xx' })] }),
          new cloudwatch.GraphWidget({ title: 'API latency (ms)', width: 8, left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(99)].map((statistic) => props.api.metricLatency({ statistic, label: statistic })) }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 8, height: 6, alarms: [...this.alarms, ...props.otherAlarms] }),
        ],
        [
          perFunction('Function errors', (fn) => fn.metricErrors({ statistic: cloudwatch.Stats.SUM })),
          perFunction('Function throttles', (fn) => fn.metricThrottles({ statistic: cloudwatch.Stats.SUM })),
          perFunction('Function duration p99 (ms)', (fn) => fn.metricDuration({ statistic: cloudwatch.Stats.p(99) })),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Portal access',
            width: 8,
            left: [METRIC.grants, METRIC.revocations, METRIC.invitationsAccepted].map((name) => business(name).with({ label: name })),
          }),
          new cloudwatch.GraphWidget({
            title: 'Invitation emails',
            width: 8,
            left: [METRIC.invitationsSent, METRIC.invitationsFailed, METRIC.invitationsBounced, METRIC.invitationsComplained].map((name) => business(name).with({ label: name })),
            right: [bounceRate, complaintRate],
          }),
          new cloudwatch.GraphWidget({
            title: 'Share links, outbox and scheduled job',
            width: 8,
            left: [METRIC.shareLinkViews, METRIC.scheduledItemsFailed].map((name) => business(name).with({ label: name })),
            right: [business(METRIC.outboxLagSeconds, cloudwatch.Stats.MAXIMUM).with({ label: 'outbox lag (s, max)' })],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Dead letters waiting',
            width: 24,
            left: props.deadLetterQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM })),
          }),
        ],
      ],
    });
  }

  /** An alarm when `metric` exceeds `threshold`; no data (nothing happened) is fine. */
  private alarm(id: string, what: string, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods = 1): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, {
      alarmDescription: `Portal access: ${what}. ${RUNBOOK}`,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(alarm);
    return alarm;
  }
}
