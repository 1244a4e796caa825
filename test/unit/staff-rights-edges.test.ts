/**
 * Staff rights at the edges the main suite (staff-rights.test.ts) leaves open: what a refused staff
 * user is told, the grace period at its exact end and only after a "yes", how soon the pool is asked
 * again after a grace answer, and the cache starting over when it is full.
 */
import { Forbidden, Unauthenticated } from '../../lambdas/contract/errors';
import { staffRights, type StaffAccount } from '../../lambdas/domain/staff-rights';
import { toProblem } from '../../lambdas/http-kit/problem';

const WINDOW = 30_000;
const GRACE = 60_000;
const down = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });

let clock: number;
let accounts: Map<string, StaffAccount>;
let lookups: string[];
let failing: boolean;
let warnings: [string, Record<string, unknown> | undefined][];
let check: (username: string, sub: string) => Promise<void>;

const admin = (username: string): StaffAccount => ({ sub: `sub-${username}`, enabled: true, groups: ['portal-admins'] });

beforeEach(() => {
  clock = 1_000_000;
  accounts = new Map([['ann', admin('ann')]]);
  lookups = [];
  failing = false;
  warnings = [];
  check = staffRights({
    directory: {
      account: async (username) => {
        lookups.push(username);
        if (failing) throw down;
        return accounts.get(username);
      },
    },
    windowMs: WINDOW,
    graceMs: GRACE,
    now: () => clock,
    warn: (message, fields) => void warnings.push([message, fields]),
  });
});

const outcome = (promise: Promise<void>) => promise.then(() => 'allowed', (error: unknown) => error);

it('a refused staff user is told why: 401 when disabled or gone, 403 when not in portal-admins', async () => {
  accounts.set('bob', { sub: 'sub-bob', enabled: true, groups: ['readers'] });
  const gone = await outcome(check('zed', 'sub-zed'));
  expect(gone).toEqual(new Unauthenticated('This staff user is disabled or no longer exists.'));
  expect(toProblem(gone).status).toBe(401);
  const notAdmin = await outcome(check('bob', 'sub-bob'));
  expect(notAdmin).toEqual(new Forbidden('Staff must be in the portal-admins group.'));
  expect(toProblem(notAdmin).status).toBe(403);
});

describe('the pool not answering', () => {
  it('an earlier "yes" holds up to the grace period exactly, logged; a millisecond later the request fails', async () => {
    await check('ann', 'sub-ann');
    failing = true;
    clock += GRACE;
    expect(await outcome(check('ann', 'sub-ann'))).toBe('allowed');
    expect(warnings).toEqual([['staff pool unavailable; an earlier confirmation is used', { username: 'ann', error: down }]]);

    const late = staffRightsAfter(GRACE + 1);
    expect(await late).toBe(down);
  });

  it('an earlier "no" is never turned into a "yes"', async () => {
    accounts.set('bob', { sub: 'sub-bob', enabled: true, groups: ['readers'] });
    await expect(check('bob', 'sub-bob')).rejects.toBeInstanceOf(Forbidden);
    failing = true;
    clock += WINDOW;
    expect(await outcome(check('bob', 'sub-bob'))).toBe(down);
  });

  it('after a grace answer the pool is asked again a second later, not a whole window later', async () => {
    await check('ann', 'sub-ann');
    failing = true;
    clock += WINDOW;
    await check('ann', 'sub-ann');
    expect(lookups).toHaveLength(2);
    clock += 999;
    await check('ann', 'sub-ann');
    expect(lookups).toHaveLength(2);
    clock += 1;
    failing = false;
    await check('ann', 'sub-ann');
    expect(lookups).toHaveLength(3);
  });
});

/** A fresh check that learnt "yes" at the start and is asked again `ms` later with the pool down. */
async function staffRightsAfter(ms: number): Promise<unknown> {
  let t = 0;
  let fail = false;
  const fresh = staffRights({
    directory: {
      account: async () => {
        if (fail) throw down;
        return admin('ann');
      },
    },
    windowMs: WINDOW,
    graceMs: GRACE,
    now: () => t,
  });
  await fresh('ann', 'sub-ann');
  fail = true;
  t = ms;
  return outcome(fresh('ann', 'sub-ann'));
}

describe('the cache', () => {
  it('keeps every user of a company (up to 1000) within the window', async () => {
    for (let i = 0; i < 1000; i++) accounts.set(`u${i}`, admin(`u${i}`));
    for (let i = 0; i < 1000; i++) await check(`u${i}`, `sub-u${i}`);
    lookups.length = 0;
    for (let i = 0; i < 1000; i++) await check(`u${i}`, `sub-u${i}`);
    expect(lookups).toEqual([]);
  });

  it('starts over when a new user comes to a full cache, and only then', async () => {
    for (let i = 0; i < 1001; i++) accounts.set(`u${i}`, admin(`u${i}`));
    await check('u0', 'sub-u0');
    clock += WINDOW / 2;
    for (let i = 1; i < 1000; i++) await check(`u${i}`, `sub-u${i}`);
    // Full: u0's entry is stale and asked again, which does not empty the cache.
    clock += WINDOW / 2;
    await check('u0', 'sub-u0');
    lookups.length = 0;
    await check('u1', 'sub-u1');
    expect(lookups).toEqual([]);
    // A new user: the cache starts over, and u1 is asked again.
    await check('u1000', 'sub-u1000');
    await check('u1', 'sub-u1');
    expect(lookups).toEqual(['u1000', 'u1']);
  });
});
