/**
 * The scheduled job: invoked by an EventBridge rate rule in AWS (once a minute) and by the local
 * stack's schedule runner (every few seconds), with a scheduled event it does not need to read. One
 * run of every task (lambdas/domain/schedule.ts); an item that fails stays due for the next run
 * (counted: `ScheduledItemsFailed`, whose alarm fires when items fail run after run), and only a failure of the run itself (the table unreachable) fails the invocation, which
 * EventBridge retries and finally dead-letters (with an alarm).
 */
import { SCHEDULE_RUN_BUDGET_MS } from '../contract/schedule';
import { runSchedule } from '../domain/schedule';
import { METRIC } from '../contract/metrics';
import { log, withLogContext } from '../platform/log';
import { metrics } from '../wiring/metrics';
import { scheduleDeps } from '../wiring/schedule';

/** What the run must leave of the invocation's time, to write its last changes and answer. */
const MARGIN_MS = 5_000;

export interface ScheduleContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

// Every line of the run carries its invocation's request id, cold start and function.
export function handler(_event: unknown, context?: ScheduleContext) {
  return withLogContext({ requestId: context?.awsRequestId || 'schedule', ...(context?.functionName ? { function: context.functionName } : {}) }, () => run(context));
}

async function run(context?: ScheduleContext) {
  const { schedule, tasks } = scheduleDeps();
  const started = schedule.now().getTime();
  const remaining = context?.getRemainingTimeInMillis?.() ?? SCHEDULE_RUN_BUDGET_MS + MARGIN_MS;
  const reports = await runSchedule(schedule, tasks, started + Math.min(SCHEDULE_RUN_BUDGET_MS, remaining - MARGIN_MS));
  if (reports.some((r) => r.handled > 0 || r.failed > 0 || r.unfinished)) log.info('scheduled run', { reports });
  const failed = reports.reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0) metrics.count(METRIC.scheduledItemsFailed, failed);
  return { reports };
}
