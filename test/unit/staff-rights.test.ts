/**
 * Staff rights re-checked against the staff pool: how often the pool is asked, what each of its
 * answers means, and what happens when it does not answer. Also the Cognito adapter behind it.
 */
import { cognitoError, fakeCognito } from './cognito-fake';
import { CognitoStaffDirectory } from '../../lambdas/adapters/cognito/staff-directory';
import { Forbidden, Unauthenticated } from '../../lambdas/contract/errors';
import { staffRights, type StaffAccount } from '../../lambdas/domain/staff-rights';

const WINDOW = 30_000;
const GRACE = 60_000;

let clock: number;
let accounts: Map<string, StaffAccount>;
let lookups: string[];
let failing: boolean;
let check: (username: string, sub: string) => Promise<void>;

beforeEach(() => {
  clock = 1_000_000;
  accounts = new Map([['ann', { sub: 'sub-ann', enabled: true, groups: ['readers', 'portal-admins'] }]]);
  lookups = [];
  failing = false;
  check = staffRights({
    directory: {
      account: async (username) => {
        lookups.push(username);
        await Promise.resolve();
        if (failing) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
        return accounts.get(username);
      },
    },
    windowMs: WINDOW,
    graceMs: GRACE,
    now: () => clock,
  });
});

it('asks the pool once per user and window, however many requests come (concurrent ones share the look-up)', async () => {
  await Promise.all(Array.from({ length: 50 }, () => check('ann', 'sub-ann')));
  clock += WINDOW - 1;
  await check('ann', 'sub-ann');
  expect(lookups).toEqual(['ann']);
  clock += 1;
  await check('ann', 'sub-ann');
  expect(lookups).toEqual(['ann', 'ann']);
});

it.each([
  ['removed from portal-admins', (a: StaffAccount) => ({ ...a, groups: ['readers'] }), Forbidden],
  ['in a group whose name only contains it', (a: StaffAccount) => ({ ...a, groups: ['portal-admins,evil'] }), Forbidden],
  ['disabled', (a: StaffAccount) => ({ ...a, enabled: false }), Unauthenticated],
  ['deleted', () => undefined, Unauthenticated],
  ['deleted, and another user created under the name', (a: StaffAccount) => ({ ...a, sub: 'sub-someone-else' }), Unauthenticated],
])('a user %s is refused from the next window on', async (_label, change, error) => {
  await check('ann', 'sub-ann');
  const changed = change(accounts.get('ann')!);
  if (changed) accounts.set('ann', changed);
  else accounts.delete('ann');
  clock += WINDOW;
  await expect(check('ann', 'sub-ann')).rejects.toBeInstanceOf(error);
});

it('keeps users apart, and a refusal is asked again next window (a user put back in the group gets in)', async () => {
  accounts.set('bob', { sub: 'sub-bob', enabled: true, groups: [] });
  await expect(check('bob', 'sub-bob')).rejects.toBeInstanceOf(Forbidden);
  await check('ann', 'sub-ann');
  accounts.set('bob', { sub: 'sub-bob', enabled: true, groups: ['portal-admins'] });
  clock += WINDOW;
  await check('bob', 'sub-bob');
  expect(lookups).toEqual(['bob', 'ann', 'bob']);
});

it('when the pool does not answer, a "yes" younger than the grace period holds; an older one, or none, fails', async () => {
  await check('ann', 'sub-ann');
  failing = true;
  clock += WINDOW;
  await check('ann', 'sub-ann');
  // Asked again about a second later, not only after another window.
  clock += 1_000;
  await check('ann', 'sub-ann');
  expect(lookups.length).toBe(3);
  clock += GRACE;
  await expect(check('ann', 'sub-ann')).rejects.toMatchObject({ name: 'TooManyRequestsException' });
  await expect(check('bob', 'sub-bob')).rejects.toMatchObject({ name: 'TooManyRequestsException' });
  failing = false;
  await check('ann', 'sub-ann');
});

describe('the Cognito staff directory', () => {
  const cognito = fakeCognito();
  beforeEach(() => cognito.reset());

  it('reads the user (enabled, sub) and every page of its groups from the staff pool', async () => {
    cognito.on('AdminGetUser', { Username: 'ann', Enabled: false, UserAttributes: [{ Name: 'sub', Value: 'sub-ann' }] });
    cognito.once('AdminListGroupsForUser', { Groups: [{ GroupName: 'readers' }], NextToken: 'more' }).on('AdminListGroupsForUser', { Groups: [{ GroupName: 'portal-admins' }] });
    expect(await new CognitoStaffDirectory(cognito, 'staff-pool').account('ann')).toEqual({ sub: 'sub-ann', enabled: false, groups: ['readers', 'portal-admins'] });
    expect(cognito.calls('AdminGetUser')[0]).toEqual({ UserPoolId: 'staff-pool', Username: 'ann' });
    expect(cognito.calls('AdminListGroupsForUser').map((c) => c.NextToken)).toEqual([undefined, 'more']);
  });

  it('a user that does not exist is no account; any other failure is thrown', async () => {
    cognito.on('AdminGetUser', () => {
      throw cognitoError('UserNotFoundException', 'User does not exist.');
    });
    expect(await new CognitoStaffDirectory(cognito, 'staff-pool').account('gone')).toBeUndefined();
    cognito.on('AdminGetUser', () => {
      throw cognitoError('TooManyRequestsException', 'slow down', 429);
    });
    await expect(new CognitoStaffDirectory(cognito, 'staff-pool').account('ann')).rejects.toMatchObject({ name: 'TooManyRequestsException' });
  });
});
