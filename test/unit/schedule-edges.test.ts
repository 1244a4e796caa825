/**
 * The scheduled job's runner at the edges the main suite (schedule.test.ts) leaves open: the
 * deadline's exact instant, what a failed item logs, and a watermark that is not moved when it would
 * not move forward.
 */
import { runSchedule, type ScheduledTask, type WatermarkStore } from '../../lambdas/domain/schedule';

const NOW = new Date('2026-11-10T12:34:56.000Z');

function run(options: { watermark?: string; deadline?: number; fail?: boolean } = {}) {
  const moves: string[] = [];
  const asked: string[] = [];
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const store: WatermarkStore = { watermark: async () => options.watermark, advanceWatermark: async (_task, hour) => void moves.push(hour) };
  const broken = new Error('cannot');
  const task: ScheduledTask<string> = {
    name: 'test-task',
    due: async (hour) => {
      asked.push(hour);
      return hour === '2026-11-10T12' ? [{ ref: 'x', at: '2026-11-10T12:00:00.000Z' }] : [];
    },
    handle: async () => {
      if (options.fail) throw broken;
    },
  };
  const done = runSchedule({ watermarks: store, now: () => NOW, warn: (m, f) => void warnings.push([m, f]) }, [task as ScheduledTask], options.deadline ?? Number.MAX_SAFE_INTEGER);
  return { done, moves, asked, warnings, broken };
}

it('a run at its deadline exactly still reads; a millisecond past it, it stops', async () => {
  const atDeadline = run({ watermark: '2026-11-10T12', deadline: NOW.getTime() });
  await expect(atDeadline.done).resolves.toEqual([{ task: 'test-task', handled: 1, failed: 0, unfinished: false }]);
  const past = run({ watermark: '2026-11-10T12', deadline: NOW.getTime() - 1 });
  await expect(past.done).resolves.toEqual([{ task: 'test-task', handled: 0, failed: 0, unfinished: true }]);
  expect(past.asked).toEqual([]);
});

it('a failed item is logged with its task, its instant and the error', async () => {
  const r = run({ watermark: '2026-11-10T12', fail: true });
  await expect(r.done).resolves.toEqual([{ task: 'test-task', handled: 0, failed: 1, unfinished: false }]);
  expect(r.warnings).toEqual([['scheduled item failed; the next run tries it again', { task: 'test-task', at: '2026-11-10T12:00:00.000Z', error: r.broken }]]);
});

it('a watermark already at the current hour is not written again', async () => {
  const r = run({ watermark: '2026-11-10T12' });
  await r.done;
  expect(r.moves).toEqual([]);
});
