/**
 * Whether a repeated wizard apply (same `Idempotency-Key`, same body) is answered from the first
 * answer or run again: a line refused (a 4xx) is refused again, so the answer is replayed; a line
 * that failed otherwise (a 503, a dependency's error) is completed by running the repeat.
 */
import { ChangedMeanwhile, Conflict, Invalid, Unavailable } from '../../lambdas/contract/errors';
import { idempotent } from '../../lambdas/domain/idempotency';
import { mapBounded, replayable, type LineResult } from '../../lambdas/domain/portal-access/lines';
import { MemoryIdempotency } from './portal-access.fakes';

const granted: LineResult = { contactId: 'p1', outcome: 'granted', status: 'invited' };
const failed = (error: unknown): LineResult => ({ contactId: 'p2', outcome: 'failed', status: 'none', error });

async function runsOfTwoApplies(lines: LineResult[]): Promise<number> {
  const store = new MemoryIdempotency();
  let runs = 0;
  const apply = () =>
    idempotent({ idempotency: store, now: () => new Date('2026-11-10T12:00:00.000Z') }, { scope: 'staff:ann#apply#E', key: 'k', body: { lines: [] } }, async () => {
      runs++;
      return lines;
    }, replayable);
  await apply();
  await apply();
  return runs;
}

it.each([
  ['every line succeeded', [granted], 1],
  ['a line refused (400)', [granted, failed(new Invalid('no email', 'lines.1.contactId'))], 1],
  ['a line refused (409)', [failed(new Conflict('changed'))], 1],
  ['a line whose record kept changing under it (409, "repeat the request")', [granted, failed(new ChangedMeanwhile())], 2],
  ['a line unavailable (503)', [granted, failed(new Unavailable('out of time'))], 2],
  ['a line whose dependency failed', [granted, failed(new Error('pool down'))], 2],
  ['a refused line and a failed one', [failed(new Invalid('x', 'lines.0')), failed(new Error('pool down'))], 2],
] as [string, LineResult[], number][])('%s: the repeat runs %i time(s) in all', async (_, lines, runs) => {
  expect(await runsOfTwoApplies(lines)).toBe(runs);
});

it('lines run at most `limit` at once, their results in the lines’ order', async () => {
  let running = 0;
  let most = 0;
  const results = await mapBounded([30, 10, 20, 0], 2, async (ms, index) => {
    most = Math.max(most, ++running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running--;
    return `${index}:${ms}`;
  });
  expect(results).toEqual(['0:30', '1:10', '2:20', '3:0']);
  expect(most).toBe(2);
  await expect(mapBounded([], 4, async () => 'never')).resolves.toEqual([]);
});
