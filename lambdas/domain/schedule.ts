/**
 * The scheduled job: named tasks, each finding what has come due with a Query of the `due` index
 * (one partition per task and hour, never a Scan) and handling each item idempotently. A task's
 * watermark is the first hour that may still hold due items: every run reads from it up to the
 * current hour, and moves it up to the first hour where an item failed (or the current hour).
 * Safe to run twice or concurrently (every handler is); what a run cannot finish before its
 * deadline, or fails on, the next run does. Never the source of truth for a refusal: the portal
 * refuses at `until` itself.
 */
import { mapBounded } from './portal-access/lines';

/** What `handle` answers for an item another run is handling right now: the next run looks again. */
export const PENDING = Symbol('pending');

/** One item a task found due: what it names, and when it came due (ISO). */
export interface DueItem<T> {
  ref: T;
  at: string;
}

export interface ScheduledTask<T = unknown> {
  /** The task's name: its due-index partition and its watermark (`access-expiry`, `grant-expiry`, …). */
  readonly name: string;
  /** The items of one hour bucket due at or before `now` (ISO). */
  due(hour: string, now: string): Promise<DueItem<T>[]>;
  /**
   * How long after its time an item comes due for this task (ms; default 0): the run reads the
   * hours and items due up to `now` minus this, as if it ran that much earlier.
   */
  readonly lagMs?: number;
  /**
   * Handles one item; throws when the next run must try it again. `PENDING`: not done, and no
   * failure either (another run is handling it): the next run looks at it again, without a warning.
   */
  handle(item: DueItem<T>): Promise<unknown>;
}

export interface WatermarkStore {
  watermark(task: string): Promise<string | undefined>;
  /** Moves the task's watermark up to `hour` (never down: concurrent runs may race). */
  advanceWatermark(task: string, hour: string): Promise<void>;
}

export interface ScheduleDeps {
  watermarks: WatermarkStore;
  now: () => Date;
  warn: (message: string, fields?: Record<string, unknown>) => void;
  /** Items handled at once per task. */
  concurrency?: number;
}

/** A task with no watermark yet looks back this far (its due items can only be younger than the feature). */
export const FIRST_LOOKBACK_HOURS = 48;
const HOUR_MS = 3_600_000;

export const hourOf = (at: Date): string => at.toISOString().slice(0, 13);
const nextHour = (hour: string): string => hourOf(new Date(Date.parse(`${hour}:00:00.000Z`) + HOUR_MS));

export interface TaskReport {
  task: string;
  handled: number;
  failed: number;
  /** Hours left for the next run because the deadline came first. */
  unfinished: boolean;
}

/** One run of every task, until `deadline` (epoch ms). */
export async function runSchedule(deps: ScheduleDeps, tasks: readonly ScheduledTask[], deadline: number): Promise<TaskReport[]> {
  const reports: TaskReport[] = [];
  for (const task of tasks) reports.push(await runTask(deps, task, deadline));
  return reports;
}

async function runTask<T>(deps: ScheduleDeps, task: ScheduledTask<T>, deadline: number): Promise<TaskReport> {
  const now = new Date(deps.now().getTime() - (task.lagMs ?? 0));
  const current = hourOf(now);
  const from = (await deps.watermarks.watermark(task.name)) ?? hourOf(new Date(now.getTime() - FIRST_LOOKBACK_HOURS * HOUR_MS));
  const report: TaskReport = { task: task.name, handled: 0, failed: 0, unfinished: false };
  let firstPending: string | undefined;
  for (let hour = from; hour <= current; hour = nextHour(hour)) {
    if (deps.now().getTime() > deadline) {
      report.unfinished = true;
      firstPending ??= hour;
      break;
    }
    const items = await task.due(hour, now.toISOString());
    const results = await mapBounded(items, deps.concurrency ?? 8, async (item): Promise<'done' | 'pending' | 'failed'> => {
      try {
        return (await task.handle(item)) === PENDING ? 'pending' : 'done';
      } catch (error) {
        deps.warn('scheduled item failed; the next run tries it again', { task: task.name, at: item.at, error });
        return 'failed';
      }
    });
    report.handled += results.filter((r) => r === 'done').length;
    const failed = results.filter((r) => r === 'failed').length;
    report.failed += failed;
    if (failed > 0 || results.includes('pending')) firstPending ??= hour;
  }
  const to = firstPending ?? current;
  if (to > from) await deps.watermarks.advanceWatermark(task.name, to);
  return report;
}
