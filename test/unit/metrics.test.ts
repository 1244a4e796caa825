import { DETAIL_TYPES } from '../../lambdas/contract/events';
import { METRIC } from '../../lambdas/contract/metrics';
import { emfLine } from '../../lambdas/platform/metrics';
import { withLogContext } from '../../lambdas/platform/log';
import { countingEvents, countingMailer, metrics } from '../../lambdas/wiring/metrics';
import { captureLogs, type Captured } from './log-capture';

let logs: Captured;
beforeEach(() => {
  logs = captureLogs();
  process.env.PORTAL_STAGE = 'prod';
});
afterEach(() => {
  logs.restore();
  delete process.env.PORTAL_STAGE;
});

describe('metrics (CloudWatch Embedded Metric Format)', () => {
  test('one line per data point, in the namespace with the stage as its one dimension', () => {
    metrics.count(METRIC.grants);
    metrics.value(METRIC.outboxLagSeconds, 4.5, 'Seconds');
    const [grant, lag] = logs.lines;
    expect(grant).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'PortalAccess', Dimensions: [['Stage']], Metrics: [{ Name: 'Grants', Unit: 'Count' }] }] },
      Stage: 'prod',
      Grants: 1,
    });
    expect(typeof (grant?._aws as { Timestamp: unknown }).Timestamp).toBe('number');
    expect(lag).toMatchObject({ OutboxLagSeconds: 4.5, _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'OutboxLagSeconds', Unit: 'Seconds' }] }] } });
  });

  test('a data point carries the request and trace it came from', () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-65a1b2c3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      const line = withLogContext({ requestId: 'req-9' }, () => JSON.parse(emfLine('PortalAccess', { Stage: 'dev' }, METRIC.grants, 1, 'Count')) as Record<string, unknown>);
      expect(line).toMatchObject({ requestId: 'req-9', traceId: '1-65a1b2c3-0123456789abcdef01234567' });
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });

  test('a value that is not a number is not emitted', () => {
    metrics.value(METRIC.outboxLagSeconds, Number.NaN, 'Seconds');
    expect(logs.lines).toEqual([]);
  });

  test('the lifecycle events count grants, revocations and invitations sent, also when EventBridge is down', async () => {
    const events = countingEvents({ emit: async () => Promise.reject(new Error('EventBridge down')) });
    const detail = { contactId: 'c-1', email: 'a@example.com', at: '2026-01-01T00:00:00.000Z' };
    for (const type of [DETAIL_TYPES.accessGranted, DETAIL_TYPES.invitationSent, DETAIL_TYPES.accessRevoked]) await expect(events.emit(type, detail)).rejects.toThrow('down');
    expect([logs.metrics('Grants'), logs.metrics('InvitationsSent'), logs.metrics('Revocations')]).toEqual([[1], [1], [1]]);
  });

  test('a mail SES did not take counts as a failed invitation; a sent one does not', async () => {
    let fail = true;
    const mailer = countingMailer({ send: async () => (fail ? Promise.reject(new Error('throttled')) : undefined) });
    const mail = { to: 'a@example.com', subject: 's', text: 't', html: 'h' };
    const signal = new AbortController().signal;
    await expect(mailer.send(mail, signal)).rejects.toThrow('throttled');
    fail = false;
    await mailer.send(mail, signal);
    expect(logs.metrics('InvitationsFailed')).toEqual([1]);
  });
});
