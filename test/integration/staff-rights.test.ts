/**
 * Staff rights are re-checked against the staff pool (API.md: within 60 s): a staff user removed
 * from portal-admins, disabled or deleted is refused with its still-valid token on every staff
 * function (contacts, portal access, documents). The test stack re-checks every STAFF_RECHECK_SECONDS
 * (2 s; the default is 30), so the refusal comes within seconds; against a stack with the default,
 * within the contract's 60 s.
 */
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminRemoveUserFromGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createContact } from './support/principals';
import { api, cognito, createStaffUser, eventually, signIn, stack, uniq } from './support/stack';

jest.setTimeout(120_000);

const PASSWORD = 'Staff-Rights-Pw-1!';
/** The contract's bound, plus a little for the request itself. */
const WITHIN = { timeoutMs: 65_000, intervalMs: 250 };

let companyId: string;

beforeAll(async () => {
  companyId = (await createContact({ kind: 'company', name: uniq('Staff rights Co') })).id;
});

/** A staff user in portal-admins with a fresh access token that works on each staff function. */
async function staffUser(): Promise<{ username: string; token: string }> {
  const username = uniq('staff');
  await createStaffUser(username, PASSWORD, { admin: true });
  const { accessToken: token } = await signIn('staff', username, PASSWORD);
  for (const path of staffPaths()) expect({ path, status: (await api(path, { token })).status }).toEqual({ path, status: 200 });
  return { username, token };
}

/** One route of each staff function. */
const staffPaths = () => [`/contacts/${companyId}`, `/contacts/${companyId}/portal-access`, `/documents?customerId=${companyId}`];

async function refusedEverywhere(token: string, status: number): Promise<void> {
  await eventually(async () => {
    for (const path of staffPaths()) expect({ path, status: (await api(path, { token })).status }).toEqual({ path, status });
  }, WITHIN);
  // Refused before the input is read: a bad parameter changes nothing.
  const bad = await api('/contacts/not%20an%20id', { token });
  expect(bad.status).toBe(status);
  expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
}

const UserPoolId = () => stack().staffUserPoolId;

it('a staff user removed from portal-admins is 403 with the token it still holds', async () => {
  const { username, token } = await staffUser();
  await cognito().send(new AdminRemoveUserFromGroupCommand({ UserPoolId: UserPoolId(), Username: username, GroupName: 'portal-admins' }));
  await refusedEverywhere(token, 403);
});

it('a disabled staff user is 401', async () => {
  const { username, token } = await staffUser();
  await cognito().send(new AdminDisableUserCommand({ UserPoolId: UserPoolId(), Username: username }));
  await refusedEverywhere(token, 401);
});

it('a deleted staff user is 401, also when another user is created under its name', async () => {
  const { username, token } = await staffUser();
  await cognito().send(new AdminDeleteUserCommand({ UserPoolId: UserPoolId(), Username: username }));
  await refusedEverywhere(token, 401);
  await createStaffUser(username, PASSWORD, { admin: true });
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  for (const path of staffPaths()) expect({ path, status: (await api(path, { token })).status }).toEqual({ path, status: 401 });
  const fresh = await signIn('staff', username, PASSWORD);
  expect((await api(staffPaths()[0]!, { token: fresh.accessToken })).status).toBe(200);
});

it('the seeded admin, still in the group, goes on working', async () => {
  const { accessToken } = await signIn('staff', stack().admin.username, stack().admin.password);
  for (const path of staffPaths()) expect((await api(path, { token: accessToken })).status).toBe(200);
});
