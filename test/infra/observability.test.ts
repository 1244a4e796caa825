import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { METRIC, METRICS_DIMENSION, METRICS_NAMESPACE } from '../../lambdas/contract/metrics';
import { FUNCTIONS } from '../../lambdas/contract/routes';
import { THRESHOLDS } from '../../lib/constructs/observability';
import { PortalStack } from '../../lib/stack';
import { synthTemplate, TEST_CONFIG } from './portal-stack';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

let stack: PortalStack;
let template: Template;
beforeAll(() => {
  ({ stack, template } = synthTemplate());
});

const resources = (type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId((construct.node.defaultChild ?? construct) as never);
const alarms = () => resources('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
const topicRef = () => ({ Ref: resources('AWS::SNS::Topic')[0]![0] });

describe('logs', () => {
  /** The product's functions: the route table's, the events one and the scheduled job (not CDK's deploy-time BucketDeployment handler). */
  const ours = (t: Template, s: PortalStack) => {
    const ids = [...Object.values(s.functions), s.eventsFunction, s.scheduleFunction].map((f) => s.getLogicalId(f.node.defaultChild as never));
    return Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) => ids.includes(id)) as [string, Resource][];
  };

  it("every function logs in Lambda's JSON format, at the stage's level, with its system lines", () => {
    const functions = ours(template, stack);
    expect(functions).toHaveLength(FUNCTIONS.length + 2);
    for (const [, fn] of functions) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO' });
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.PORTAL_STAGE).toBe(TEST_CONFIG.stage);
    }
  });

  it('the context key logLevel sets the application level', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const debug = new PortalStack(app, 'PortalAccess-debug', { config: { ...TEST_CONFIG, logLevel: 'DEBUG' }, env: { account: '123456789012', region: TEST_CONFIG.region } });
    const functions = ours(Template.fromStack(debug), debug);
    expect(functions).toHaveLength(FUNCTIONS.length + 2);
    for (const [, fn] of functions) expect(fn.Properties.LoggingConfig.ApplicationLogLevel).toBe('DEBUG');
  });

  it('at logLevel WARN or ERROR the business metrics still reach CloudWatch: Lambda filters at INFO, the code at the level', () => {
    // An EMF line has no `level`; Lambda counts such a line as INFO and would drop it under a WARN
    // filter — and with it every business metric, and the alarms on them (outbox lag, bounce rate).
    for (const logLevel of ['WARN', 'ERROR'] as const) {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const quiet = new PortalStack(app, `PortalAccess-${logLevel.toLowerCase()}`, { config: { ...TEST_CONFIG, logLevel }, env: { account: '123456789012', region: TEST_CONFIG.region } });
      const t = Template.fromStack(quiet);
      const functions = ours(t, quiet);
      functions.push([quiet.getLogicalId(quiet.outboxWorker.node.defaultChild as never), t.toJSON().Resources[quiet.getLogicalId(quiet.outboxWorker.node.defaultChild as never)]]);
      expect(functions).toHaveLength(FUNCTIONS.length + 3);
      for (const [, fn] of functions) {
        expect(fn.Properties.LoggingConfig.ApplicationLogLevel).toBe('INFO');
        expect(fn.Properties.Environment.Variables.LOG_LEVEL).toBe(logLevel);
      }
    }
  });

  it("the API's access log names the function's request id (the answers' x-request-id)", () => {
    const [, stage] = resources('AWS::ApiGatewayV2::Stage')[0]!;
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId', functionRequestId: '$context.awsEndpointRequestId' });
  });
});

describe('alarms, all to the one topic', () => {
  it('each function: errors and throttles', () => {
    for (const fn of [...Object.values(stack.functions), stack.eventsFunction, stack.scheduleFunction]) {
      const id = logicalId(fn);
      for (const metricName of ['Errors', 'Throttles']) {
        expect(alarms()).toContainEqual(
          expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }], Threshold: 0, AlarmActions: [topicRef()] }),
        );
      }
    }
  });

  it("the API's 5xx answers", () => {
    const apiId = resources('AWS::ApiGatewayV2::Api')[0]![0];
    expect(alarms()).toContainEqual(
      expect.objectContaining({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }], Statistic: 'Sum', Threshold: THRESHOLDS.api5xxPer5Minutes - 1, AlarmActions: [topicRef()] }),
    );
  });

  it("the outbox's lag, from the business metric of this stage", () => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC.outboxLagSeconds,
        Dimensions: [{ Name: METRICS_DIMENSION, Value: TEST_CONFIG.stage }],
        Statistic: 'Maximum',
        Threshold: THRESHOLDS.outboxLagSeconds,
        EvaluationPeriods: 2,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef()],
      }),
    );
  });

  it("the scheduled job's items failing run after run, from the business metric of this stage", () => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC.scheduledItemsFailed,
        Dimensions: [{ Name: METRICS_DIMENSION, Value: TEST_CONFIG.stage }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: THRESHOLDS.scheduledItemsFailingPeriods,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef()],
      }),
    );
    // More than one period: a blip that the next run's retry clears does not page anyone.
    expect(THRESHOLDS.scheduledItemsFailingPeriods).toBeGreaterThan(1);
  });

  it('the bounce rate: bounced per sent invitations, with a minimum volume', () => {
    const rate = alarms().find((a) => a.Metrics?.some((m: { Expression?: string }) => m.Expression?.includes('bounced')));
    expect(rate).toMatchObject({ Threshold: THRESHOLDS.bounceRatePercent, AlarmActions: [topicRef()] });
    const expression = rate!.Metrics.find((m: { Expression?: string }) => m.Expression).Expression as string;
    expect(expression).toBe(`IF(sent >= ${THRESHOLDS.bounceRateMinimumSent}, 100 * bounced / sent, 0)`);
    const names = rate!.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map((m: { Id: string; MetricStat: { Metric: { MetricName: string; Namespace: string } } }) => [m.Id, m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName]);
    expect(names.sort()).toEqual([
      ['bounced', METRICS_NAMESPACE, METRIC.invitationsBounced],
      ['sent', METRICS_NAMESPACE, METRIC.invitationsSent],
    ]);
  });

  it('the complaint rate: complaints per sent invitations, with a minimum volume (SES reviews an account at 0.1 %)', () => {
    const rate = alarms().find((a) => a.Metrics?.some((m: { Expression?: string }) => m.Expression?.includes('complained')));
    expect(rate).toMatchObject({ Threshold: THRESHOLDS.complaintRatePercent, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', AlarmActions: [topicRef()] });
    expect(THRESHOLDS.complaintRatePercent).toBeLessThanOrEqual(0.1);
    const expression = rate!.Metrics.find((m: { Expression?: string }) => m.Expression).Expression as string;
    expect(expression).toBe(`IF(sent >= ${THRESHOLDS.complaintRateMinimumSent}, 100 * complained / sent, 0)`);
    const stats = rate!.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map(
      (m: { Id: string; MetricStat: { Metric: { MetricName: string; Namespace: string; Dimensions: unknown }; Period: number; Stat: string } }) => [m.Id, m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions, m.MetricStat.Period, m.MetricStat.Stat],
    );
    const dimensions = [{ Name: METRICS_DIMENSION, Value: TEST_CONFIG.stage }];
    expect(stats.sort()).toEqual([
      ['complained', METRICS_NAMESPACE, METRIC.invitationsComplained, dimensions, 6 * 60 * 60, 'Sum'],
      ['sent', METRICS_NAMESPACE, METRIC.invitationsSent, dimensions, 6 * 60 * 60, 'Sum'],
    ]);
  });

  it('the dead-letter queues, and nothing that notifies no one', () => {
    expect(alarms().filter((a) => a.Namespace === 'AWS/SQS').length).toBeGreaterThan(0);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([topicRef()]);
  });
});

describe('the runbook', () => {
  it('docs/operations.md explains every alarm of the template, and no alarm that is not there', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
    // The alarms table: its first column names each alarm (`<function>Errors` stands for one per function it lists).
    const firstCells = doc
      .slice(doc.indexOf('## The alarms'))
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => [...line.split(' | ')[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    const functions = firstCells.find((cell) => cell[0]!.startsWith('<function>') && cell.length > 1)!.slice(1);
    const names = firstCells.flatMap((cell) =>
      cell[0]!.startsWith('<function>') ? functions.map((fn) => `${fn.replace(/-/g, '')}${cell[0]!.slice('<function>'.length)}`) : cell.filter((name) => !functions.includes(name)),
    );
    // CDK's logical id: the construct's path (Observability/, Events/, Schedule/, Outbox…), the alarm's id, a hash.
    const ids = resources('AWS::CloudWatch::Alarm').map(([id]) => id);
    const explained = (id: string) => names.some((name) => new RegExp(`^(Observability|Events|Schedule)?${name}Alarm[0-9A-F]{8}$`).test(id));
    expect(ids.filter((id) => !explained(id))).toEqual([]);
    expect(names.filter((name) => !ids.some((id) => new RegExp(`^(Observability|Events|Schedule)?${name}Alarm[0-9A-F]{8}$`).test(id)))).toEqual([]);
    expect(ids).toHaveLength(names.length);
  });

  it("every alarm's notification says where the runbook is", () => {
    for (const alarm of alarms()) expect(alarm.AlarmDescription).toMatch(/^Portal access: .+\. What to do: docs\/operations\.md\.$/);
  });
});

describe('dashboard', () => {
  it("one, named after the stage, with the API, the functions, every business metric and the dead letters", () => {
    const [, dashboard] = resources('AWS::CloudWatch::Dashboard')[0]!;
    expect(dashboard.Properties.DashboardName).toBe(`PortalAccess-${TEST_CONFIG.stage}`);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of Object.values(METRIC)) expect(body).toContain(`\\"${name}\\"`);
    for (const needle of ['AWS/ApiGateway', '5xx', 'AWS/Lambda', 'Throttles', 'ApproximateNumberOfMessagesVisible', 'alarm']) expect(body).toContain(needle);
  });
});
