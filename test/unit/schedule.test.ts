/** The scheduled job's runner: hour buckets from the watermark, failures kept for the next run, the deadline. */
import { FIRST_LOOKBACK_HOURS, runSchedule, type DueItem, type ScheduledTask, type WatermarkStore } from '../../lambdas/domain/schedule';

const NOW = new Date('2026-11-10T12:34:56.000Z');

function watermarks(initial?: string): WatermarkStore & { value?: string; moves: string[] } {
  const store = {
    value: initial,
    moves: [] as string[],
    watermark: async () => store.value,
    advanceWatermark: async (_task: string, hour: string) => {
      store.moves.push(hour);
      if (store.value === undefined || store.value < hour) store.value = hour;
    },
  };
  return store;
}

/** A task whose due items are given per hour; `fail` names refs whose handling throws. */
function task(items: Record<string, string[]>, fail: string[] = []) {
  const asked: string[] = [];
  const handled: string[] = [];
  const t: ScheduledTask<string> = {
    name: 'test-task',
    async due(hour, now) {
      asked.push(hour);
      expect(now).toBe(NOW.toISOString());
      return (items[hour] ?? []).map((ref): DueItem<string> => ({ ref, at: `${hour}:00:00.000Z` }));
    },
    async handle(item) {
      if (fail.includes(item.ref)) throw new Error(`cannot ${item.ref}`);
      handled.push(item.ref);
    },
  };
  return { t, asked, handled };
}

const deps = (store: WatermarkStore, now = () => NOW) => ({ watermarks: store, now, warn: () => undefined });

test('a first run looks back FIRST_LOOKBACK_HOURS, hour by hour, to the current hour, then moves the watermark to it', async () => {
  const store = watermarks();
  const { t, asked, handled } = task({ '2026-11-10T11': ['a', 'b'], '2026-11-10T12': ['c'] });
  const [report] = await runSchedule(deps(store), [t as ScheduledTask], Number.MAX_SAFE_INTEGER);
  expect(asked).toHaveLength(FIRST_LOOKBACK_HOURS + 1);
  expect(asked[0]).toBe('2026-11-08T12');
  expect(asked.at(-1)).toBe('2026-11-10T12');
  expect(handled.sort()).toEqual(['a', 'b', 'c']);
  expect(report).toEqual({ task: 'test-task', handled: 3, failed: 0, unfinished: false });
  expect(store.value).toBe('2026-11-10T12');
});

test('later runs start at the watermark: one Query per hour since', async () => {
  const store = watermarks('2026-11-10T10');
  const { t, asked } = task({});
  await runSchedule(deps(store), [t as ScheduledTask], Number.MAX_SAFE_INTEGER);
  expect(asked).toEqual(['2026-11-10T10', '2026-11-10T11', '2026-11-10T12']);
});

test('an item that fails keeps the watermark at its hour: the next run tries it again', async () => {
  const store = watermarks('2026-11-10T09');
  const { t, handled } = task({ '2026-11-10T10': ['ok-1', 'broken'], '2026-11-10T11': ['ok-2'] }, ['broken']);
  const [report] = await runSchedule(deps(store), [t as ScheduledTask], Number.MAX_SAFE_INTEGER);
  expect(report).toMatchObject({ handled: 2, failed: 1 });
  expect(handled.sort()).toEqual(['ok-1', 'ok-2']);
  expect(store.value).toBe('2026-11-10T10');
});

test('the deadline stops a run between hours; the watermark stays at the first hour not read', async () => {
  const store = watermarks('2026-11-10T09');
  let ticks = 0;
  const clock = () => new Date(NOW.getTime() + (ticks++ >= 3 ? 60_000 : 0));
  const { t, asked } = task({});
  const [report] = await runSchedule(deps(store, clock), [t as ScheduledTask], NOW.getTime() + 1000);
  expect(report!.unfinished).toBe(true);
  expect(asked).toEqual(['2026-11-10T09', '2026-11-10T10']);
  expect(store.value).toBe('2026-11-10T11');
});

test('every task runs, each with its own watermark', async () => {
  const store = watermarks('2026-11-10T12');
  const one = task({ '2026-11-10T12': ['x'] });
  const two = task({ '2026-11-10T12': ['y'] });
  const reports = await runSchedule(deps(store), [one.t, { ...two.t, name: 'other-task' }] as ScheduledTask[], Number.MAX_SAFE_INTEGER);
  expect(reports.map((r) => [r.task, r.handled])).toEqual([
    ['test-task', 1],
    ['other-task', 1],
  ]);
});

test("a task's lag: it reads the hours and items due up to now minus the lag, and its watermark stays behind by as much", async () => {
  const store = watermarks('2026-11-10T09');
  const asked: [string, string][] = [];
  const lagged: ScheduledTask<string> = {
    name: 'lagged',
    lagMs: 2 * 3_600_000 + 30 * 60_000,
    async due(hour, now) {
      asked.push([hour, now]);
      return [];
    },
    handle: async () => undefined,
  };
  await runSchedule(deps(store), [lagged as ScheduledTask], Number.MAX_SAFE_INTEGER);
  // 12:34:56 less 2 h 30 min is 10:04:56: hours 09 and 10, each asked for items due by then.
  expect(asked).toEqual([
    ['2026-11-10T09', '2026-11-10T10:04:56.000Z'],
    ['2026-11-10T10', '2026-11-10T10:04:56.000Z'],
  ]);
  expect(store.value).toBe('2026-11-10T10');
});
