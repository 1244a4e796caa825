/**
 * `npm start` on a data directory it used before (no `--fresh`) finds its pools again and makes sure
 * of the staff group and the admin (local/cognito.ts, `ensurePools`): run here against the running
 * stack's Cognito emulator, exactly as a restart runs it. The staff it had keep their rights.
 */
import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ensurePools } from '../../local/cognito';
import { api, cognito, createStaffUser, signIn, stack, uniq } from './support/stack';

jest.setTimeout(60_000);

const groupsOf = async (username: string) =>
  ((await cognito().send(new AdminListGroupsForUserCommand({ UserPoolId: stack().staffUserPoolId, Username: username }))).Groups ?? []).map((g) => g.GroupName);

test('a restart keeps every staff user in portal-admins, not only the seeded admin', async () => {
  const username = uniq('colleague');
  const password = 'Colleague-Pass-123!';
  await createStaffUser(username, password, { admin: true });
  expect(await groupsOf(username)).toEqual(['portal-admins']);

  const { staffUserPoolId, staffClientId, customerUserPoolId, customerClientId, admin } = stack();
  const pools = await ensurePools(cognito(), { staffUserPoolId, staffClientId, customerUserPoolId, customerClientId, adminPassword: admin.password });
  expect(pools).toMatchObject({ staffUserPoolId, staffClientId, customerUserPoolId, customerClientId });

  // What the staff-rights check asks the pool (at least every 60 s): the colleague is still an admin, and so is the seeded one.
  expect(await groupsOf(username)).toEqual(['portal-admins']);
  expect(await groupsOf(admin.username)).toEqual(['portal-admins']);
  const { accessToken } = await signIn('staff', username, password);
  expect((await api('/contacts?limit=1', { token: accessToken })).status).toBe(200);
});
