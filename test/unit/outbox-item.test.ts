/**
 * One outbox item through `processOutboxItem`, with stand-in handlers over the in-memory store: an
 * item already finished (its record delivered again) or gone is not handed to its handler again; a
 * finished one records its handler's outcome; a step recorded by `once` runs once, in the same run
 * and in the next, and is told to the run's step hook.
 */
import { once, processOutboxItem, type OutboxDeps, type OutboxItem, type OutboxOutcome } from '../../lambdas/domain/outbox';
import { MemoryAccess } from './portal-access.fakes';

let access: MemoryAccess;
let handled: string[];
let outcome: OutboxOutcome;
let deps: OutboxDeps;
const signal = new AbortController().signal;

beforeEach(() => {
  access = new MemoryAccess();
  handled = [];
  outcome = 'done';
  const handler = async (item: OutboxItem) => {
    handled.push(item.id);
    return outcome;
  };
  deps = { outbox: access, now: () => new Date('2026-03-01T10:00:00.000Z'), handlers: { invitation: handler, revocation: handler, reminder: handler } };
  access.outboxItems.set('o1', { id: 'o1', kind: 'revocation', contactId: 'p1', actor: 'staff:a', at: '2026-03-01T09:00:00.000Z', steps: {} });
});

it("hands an item to its kind's handler and records the outcome it answers", async () => {
  outcome = 'superseded';
  expect(await processOutboxItem(deps, 'o1', signal)).toBe('superseded');
  expect(handled).toEqual(['o1']);
  expect(access.outboxItems.get('o1')).toMatchObject({ outcome: 'superseded', doneAt: '2026-03-01T10:00:00.000Z' });
});

it('an item finished already (its record delivered again) is not handled again: already-done', async () => {
  await processOutboxItem(deps, 'o1', signal);
  outcome = 'failed';
  expect(await processOutboxItem(deps, 'o1', signal)).toBe('already-done');
  expect(handled).toEqual(['o1']);
  expect(access.outboxItems.get('o1')?.outcome).toBe('done');
});

it('an item the table no longer has: missing, no handler', async () => {
  expect(await processOutboxItem(deps, 'gone', signal)).toBe('missing');
  expect(handled).toEqual([]);
});

it('a step runs once: recorded on the item, skipped in the same run and in a later one, told to the step hook when done', async () => {
  // As a worker does: the item taken under this run's lease, which every step's marker renews.
  const lease = { holder: 'worker-a', untilMs: Date.parse('2026-03-01T10:00:30.000Z') };
  const item = (await access.claim('o1', lease, Date.parse('2026-03-01T10:00:00.000Z')))!;
  const told: string[] = [];
  const run = {
    signal,
    holder: lease.holder,
    renewal: () => lease,
    afterStep: async (step: string, at: OutboxItem) => void told.push(`${step}:${Object.keys(at.steps ?? {}).join(',')}`),
  };
  let runs = 0;
  const work = async () => void (runs += 1);
  await once(deps, item, 'login', work, run);
  await once(deps, item, 'login', work, run);
  await once(deps, item, 'events', work, run);
  expect(runs).toBe(2);
  expect(told).toEqual(['login:login', 'events:login,events']);
  expect(Object.keys(access.outboxItems.get('o1')?.steps ?? {})).toEqual(['login', 'events']);
  await once(deps, (await access.get('o1'))!, 'login', work, run);
  expect(runs).toBe(2);
});
