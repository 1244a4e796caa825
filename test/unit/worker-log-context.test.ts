/**
 * The outbox worker's and the scheduled job's log lines (and metric lines) carry their invocation's
 * request id, cold start and function, as the HTTP and events functions' do (README, "Operations"):
 * an operator who finds a failed item or a REPORT line finds the rest of that invocation by its id.
 */
import type { Context, DynamoDBRecord } from 'aws-lambda';
import type { OutboxDeps } from '../../lambdas/domain/outbox';
import { handler as outboxHandler } from '../../lambdas/worker/outbox';
import { handler as scheduleHandler } from '../../lambdas/schedule/handler';
import { useOutboxDeps } from '../../lambdas/wiring/outbox';
import { useScheduleDeps } from '../../lambdas/wiring/schedule';
import { captureLogs, type Captured } from './log-capture';

const context = (awsRequestId: string, functionName: string): Context =>
  ({ awsRequestId, functionName, getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

let logs: Captured;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  useOutboxDeps(undefined);
  useScheduleDeps(undefined);
});

test("the outbox worker's lines and its lag metric name the invocation", async () => {
  // A record that is no new outbox item: the worker logs that it skips it, and touches no dependency.
  useOutboxDeps({} as OutboxDeps);
  const skipped: DynamoDBRecord = { eventName: 'MODIFY', dynamodb: { SequenceNumber: '42', ApproximateCreationDateTime: Date.now() / 1000 - 3 } };
  await outboxHandler({ Records: [skipped] }, context('worker-req-1', 'PortalAccess-prod-OutboxWorker'));
  const warning = logs.level('WARN').find((l) => String(l.message).includes('no new outbox item'));
  expect(warning).toMatchObject({ requestId: 'worker-req-1', function: 'PortalAccess-prod-OutboxWorker', coldStart: expect.any(Boolean) });
  const lag = logs.lines.find((l) => '_aws' in l && 'OutboxLagSeconds' in l);
  expect(lag).toMatchObject({ requestId: 'worker-req-1' });
});

test("the scheduled job's lines name the invocation", async () => {
  const now = new Date('2026-12-03T10:00:00.000Z');
  useScheduleDeps({
    schedule: { watermarks: { watermark: async () => undefined, advanceWatermark: async () => undefined }, now: () => now, warn: () => undefined },
    tasks: [{ name: 'test-task', due: async () => [{ ref: 'x', at: '2026-12-03T09:00:00.000Z' }], handle: async () => undefined }],
  });
  await scheduleHandler({}, context('schedule-req-1', 'PortalAccess-prod-Schedule'));
  const run = logs.level('INFO').find((l) => l.message === 'scheduled run');
  expect(run).toMatchObject({ requestId: 'schedule-req-1', function: 'PortalAccess-prod-Schedule', coldStart: expect.any(Boolean) });
});

test("the scheduled job counts the items that failed in its run (ScheduledItemsFailed, the alarm's metric), and nothing when none did", async () => {
  const now = new Date('2026-12-03T10:00:00.000Z');
  const refused = Object.assign(new Error('refused'), { name: 'ValidationException' });
  const items = [
    { ref: 'a', at: '2026-12-03T09:00:00.000Z' },
    { ref: 'b', at: '2026-12-03T09:10:00.000Z' },
    { ref: 'c', at: '2026-12-03T09:20:00.000Z' },
  ];
  const failing = new Set(['a', 'c']);
  useScheduleDeps({
    schedule: { watermarks: { watermark: async () => undefined, advanceWatermark: async () => undefined }, now: () => now, warn: () => undefined },
    // The items are due in their hour (each run looks back over the hours since its watermark).
    tasks: [{ name: 'test-task', due: async (hour) => (hour === '2026-12-03T09' ? items : []), handle: async (item) => (failing.has(String(item.ref)) ? Promise.reject(refused) : undefined) }],
  });
  await scheduleHandler({}, context('schedule-req-2', 'PortalAccess-prod-Schedule'));
  expect(logs.metrics('ScheduledItemsFailed')).toEqual([2]);
  expect(logs.lines.find((l) => '_aws' in l && 'ScheduledItemsFailed' in l)).toMatchObject({ requestId: 'schedule-req-2' });

  failing.clear();
  await scheduleHandler({}, context('schedule-req-3', 'PortalAccess-prod-Schedule'));
  expect(logs.metrics('ScheduledItemsFailed')).toEqual([2]);
});

test('an outbox item left to the stream names its contact, so the on-call knows whose grant or revocation waits', async () => {
  const refused = Object.assign(new Error('refused'), { name: 'ValidationException' });
  useOutboxDeps({ outbox: { claim: async () => Promise.reject(refused) }, now: () => new Date(), handlers: {} } as unknown as OutboxDeps);
  const record: DynamoDBRecord = {
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: '7', NewImage: { entity: { S: 'outbox' }, id: { S: 'o-1' }, contactId: { S: 'c-1' } } },
  };
  const answer = await outboxHandler({ Records: [record] }, context('worker-req-2', 'PortalAccess-prod-OutboxWorker'));
  expect(answer.batchItemFailures).toEqual([{ itemIdentifier: '7' }]);
  expect(logs.level('ERROR')).toEqual([expect.objectContaining({ message: 'outbox item failed, left to the stream', outboxId: 'o-1', contactId: 'c-1', requestId: 'worker-req-2' })]);
});
