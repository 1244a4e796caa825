/**
 * `Idempotency-Key` at its edges (the main cases are in portal-access-invitations.test.ts): which
 * bodies count as the same request, whose keys answer whom, what a header may hold, how long a
 * record is kept, and which stored records are never replayed.
 */
import { createHash } from 'node:crypto';
import { IdempotencyConflict, Invalid } from '../../lambdas/contract/errors';
import { ABANDONED_AFTER_MS } from '../../lambdas/contract/runtime';
import { bodyHashOf, idempotencyKeyOf, idempotencyScope, idempotent, type IdempotencyRecord, type IdempotencyStore } from '../../lambdas/domain/idempotency';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryIdempotency } from './portal-access.fakes';

const NOW = new Date('2026-11-10T12:00:00.000Z');
let store: MemoryIdempotency;
let runs: number;
const run = async () => ({ status: 200, body: { run: ++runs } });
const deps = () => ({ idempotency: store, now: () => NOW });

beforeEach(() => {
  store = new MemoryIdempotency();
  runs = 0;
});

/** Whether a repeat with `second` under the same key is the same request (replayed) or another (409). */
async function sameRequest(first: unknown, second: unknown): Promise<boolean> {
  store = new MemoryIdempotency();
  await idempotent(deps(), { scope: 's', key: 'k', body: first }, run);
  return idempotent(deps(), { scope: 's', key: 'k', body: second }, run).then(
    () => true,
    (error: unknown) => {
      if (error instanceof IdempotencyConflict) return false;
      throw error;
    },
  );
}

describe('the same body', () => {
  it('is the same request whatever its key order, at any depth, and with absent fields left out', async () => {
    expect(await sameRequest({ a: 1, b: { c: [{ x: 1, y: 2 }], d: 'e' } }, { b: { d: 'e', c: [{ y: 2, x: 1 }] }, a: 1 })).toBe(true);
    expect(await sameRequest({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(await sameRequest({ lines: [null] }, { lines: [undefined] })).toBe(true); // JSON has no undefined in a list
    expect(await sameRequest(null, undefined)).toBe(true);
  });

  it('but not a list in another order, a list read as an object, a string read as a list, or values run together', async () => {
    expect(await sameRequest({ ids: [1, 2] }, { ids: [2, 1] })).toBe(false);
    expect(await sameRequest({ ids: [1, 2] }, { ids: { 0: 1, 1: 2 } })).toBe(false);
    expect(await sameRequest({ ids: 'ab' }, { ids: { 0: 'a', 1: 'b' } })).toBe(false);
    expect(await sameRequest({ ids: [1, 23] }, { ids: [12, 3] })).toBe(false);
    expect(await sameRequest({ ids: [[1], [2]] }, { ids: [[2], [1]] })).toBe(false);
    expect(await sameRequest({ a: 1, b: 2 }, { a: 2, b: 1 })).toBe(false);
    expect(await sameRequest({ a: null }, { a: {} })).toBe(false);
  });

  it('hashes as its canonical JSON (keys sorted): records stored before a deploy still match after it', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(bodyHashOf({ z: [3, { b: 'x', a: null }], a: 1, m: undefined })).toBe(sha('{"a":1,"z":[3,{"a":null,"b":"x"}]}'));
    expect(bodyHashOf({ c: 1, b: 2, a: 3, d: 4 })).toBe(sha('{"a":3,"b":2,"c":1,"d":4}'));
    expect(bodyHashOf(undefined)).toBe(sha('null'));
  });
});

describe('whose key answers whom', () => {
  it("one staff member's key never answers another's request, another operation, or another contact", async () => {
    const scopes = [
      idempotencyScope('staff:alice', 'apply', 'p1'),
      idempotencyScope('staff:bob', 'apply', 'p1'),
      idempotencyScope('staff:alice', 'revoke', 'p1'),
      idempotencyScope('staff:alice', 'apply', 'p2'),
    ];
    const answers = [];
    for (const scope of scopes) answers.push(await idempotent(deps(), { scope, key: 'same-key', body: { lines: [] } }, run));
    expect(answers.map((a) => a.body.run)).toEqual([1, 2, 3, 4]);
    expect(new Set(scopes).size).toBe(4);
  });

  it('without a key every request runs, and nothing is stored', async () => {
    await idempotent(deps(), { scope: 's', key: undefined, body: {} }, run);
    await idempotent(deps(), { scope: 's', key: undefined, body: {} }, run);
    expect(runs).toBe(2);
    expect(store.records.size).toBe(0);
  });
});

describe('the header', () => {
  it('is refused (400 on Idempotency-Key, saying what is allowed) unless 1–128 printable ASCII characters', () => {
    for (const bad of ['', 'é-key', 'key-é', 'tab\tkey', 'a'.repeat(129)]) {
      const error = (() => {
        try {
          idempotencyKeyOf(bad);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(Invalid);
      expect(toProblem(error)).toMatchObject({
        status: 400,
        problem: { errors: [{ path: 'Idempotency-Key', message: 'Idempotency-Key must be 1–128 printable ASCII characters.' }] },
      });
    }
    expect(idempotencyKeyOf(' ~ any printable: key/1 ')).toBe(' ~ any printable: key/1 ');
  });
});

describe('a request whose attempt died (or lost its answer) after its work', () => {
  const abandoned = new Date(NOW.getTime() - ABANDONED_AFTER_MS - 1).toISOString();

  it('runs again, once abandoned, under the run id of its first attempt: what that one wrote can be recognised', async () => {
    const seen: (string | undefined)[] = [];
    const first = idempotent(deps(), { scope: 's', key: 'k', body: { a: 1 } }, async (runId) => {
      seen.push(runId);
      throw Object.assign(new Error('the Lambda died'), { name: 'Died' });
    });
    await expect(first).rejects.toThrow('the Lambda died');
    // A dead Lambda releases nothing: its record stays in progress until abandoned.
    store.records.set('s#k', { ...store.records.get('s#k'), bodyHash: bodyHashOf({ a: 1 }), state: 'in-progress', startedAt: abandoned, runId: 'run-of-the-first-attempt' });
    await idempotent(deps(), { scope: 's', key: 'k', body: { a: 1 } }, async (runId) => {
      seen.push(runId);
      return { status: 202 };
    });
    expect(seen[1]).toBe('run-of-the-first-attempt');
    expect(seen[0]).toEqual(expect.any(String));
  });

  it('is not taken over by another body: 409, as for any reuse of a key with another body', async () => {
    store.records.set('s#k', { bodyHash: bodyHashOf({ a: 1 }), state: 'in-progress', startedAt: abandoned, runId: 'r' });
    await expect(idempotent(deps(), { scope: 's', key: 'k', body: { a: 2 } }, run)).rejects.toThrow('This Idempotency-Key was used with a different body.');
    expect(runs).toBe(0);
  });
});

describe('the record', () => {
  it('is kept 24 hours (its TTL), and a changed body is named in the 409', async () => {
    const expiries: Date[] = [];
    const spy: IdempotencyStore = {
      begin: async (id, record, abandonedBefore, expiresAt) => {
        expiries.push(expiresAt);
        return store.begin(id, record, abandonedBefore);
      },
      complete: (...args) => store.complete(...args),
      release: (...args) => store.release(...args),
    };
    await idempotent({ idempotency: spy, now: () => NOW }, { scope: 's', key: 'k', body: { a: 1 } }, run);
    expect(expiries).toEqual([new Date('2026-11-11T12:00:00.000Z')]);
    await expect(idempotent(deps(), { scope: 's', key: 'k', body: { a: 2 } }, run)).rejects.toThrow('This Idempotency-Key was used with a different body.');
  });

  it('is never replayed while in progress, nor when done without an answer: 409 "in progress"', async () => {
    const stored = (record: Omit<IdempotencyRecord, 'bodyHash' | 'startedAt'>): IdempotencyStore => ({
      begin: async () => ({ bodyHash: bodyHashOf({}), startedAt: NOW.toISOString(), ...record }),
      complete: async () => undefined,
      release: async () => undefined,
    });
    for (const record of [{ state: 'in-progress' as const, response: { status: 200 } }, { state: 'done' as const }]) {
      await expect(idempotent({ idempotency: stored(record), now: () => NOW }, { scope: 's', key: 'k', body: {} }, run)).rejects.toThrow(
        /still in progress/,
      );
    }
    expect(runs).toBe(0);
  });
});
