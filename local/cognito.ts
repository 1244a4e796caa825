/**
 * The two user pools on cognito-local, shaped like the CDK stack's: the customer pool (sign-in by
 * email, strong password policy), the staff pool with its `portal-admins` group and a seeded admin.
 * Their ids live in `<data-dir>/state.json`, so a restart reuses them (and the users in them).
 */
import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  ListGroupsCommand,
  UsernameExistsException,
  type PasswordPolicyType,
} from '@aws-sdk/client-cognito-identity-provider';
import { STAFF_GROUP } from '../lambdas/contract/identity';
import { PASSWORD_POLICY, TEMPORARY_PASSWORD_DAYS } from '../lambdas/contract/password-policy';
import type { LocalState } from './state';

export const ADMIN_USERNAME = 'admin';
/** The seeded admin's email and name in the staff pool: invitations name it, and its reminder notices go to that address (the SES emulator). */
export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_NAME = 'Portal Admin';

// The CDK pools' policy (lambdas/contract/password-policy.ts): an invitation's password meets the same rule locally and in AWS.
const POOL_PASSWORD_POLICY: PasswordPolicyType = {
  MinimumLength: PASSWORD_POLICY.minLength,
  RequireUppercase: PASSWORD_POLICY.requireUppercase,
  RequireLowercase: PASSWORD_POLICY.requireLowercase,
  RequireNumbers: PASSWORD_POLICY.requireDigits,
  RequireSymbols: PASSWORD_POLICY.requireSymbols,
  TemporaryPasswordValidityDays: TEMPORARY_PASSWORD_DAYS,
};

export interface Pools {
  readonly staffUserPoolId: string;
  readonly staffClientId: string;
  readonly customerUserPoolId: string;
  readonly customerClientId: string;
  readonly admin: { readonly username: string; readonly password: string; readonly email: string };
}

/** A password that meets the policy: upper, lower, digit, symbol, well over 12 characters. */
export const generatePassword = (): string => `Pa${randomBytes(15).toString('base64url')}7!`;

async function poolExists(client: CognitoIdentityProviderClient, userPoolId: string | undefined, clientId: string | undefined): Promise<boolean> {
  if (!userPoolId || !clientId) return false;
  try {
    await client.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
    return true;
  } catch {
    return false;
  }
}

async function createPool(client: CognitoIdentityProviderClient, name: string, signInByEmail: boolean): Promise<{ userPoolId: string; clientId: string }> {
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: name,
      // As the CDK customer pool (keepOriginal): a changed email waits for its verification.
      ...(signInByEmail
        ? { UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'], UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] } }
        : {}),
      Policies: { PasswordPolicy: POOL_PASSWORD_POLICY },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new Error(`cognito-local created no pool ${name}`);
  const app = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: `${name}-client`,
      // Locally both pools allow USER_PASSWORD_AUTH (API.md), so clients and tests sign in with InitiateAuth.
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      // As the CDK customer client: users write no `email` (cognito-local does not enforce write attributes).
      ...(signInByEmail ? { WriteAttributes: ['locale', 'zoneinfo'] } : {}),
      AccessTokenValidity: 1,
      IdTokenValidity: 1,
      TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours' },
    }),
  );
  const clientId = app.UserPoolClient?.ClientId;
  if (!clientId) throw new Error(`cognito-local created no app client for ${name}`);
  return { userPoolId, clientId };
}

/**
 * Creates the user or leaves it; (re)sets its permanent password, attributes and group either way, so
 * state.json (and the constants above) stay the truth.
 */
export async function ensureStaffUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  password: string,
  admin: boolean,
  attributes: Record<string, string> = {},
): Promise<void> {
  try {
    await client.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  }
  const UserAttributes = Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
  if (UserAttributes.length > 0) await client.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: username, UserAttributes }));
  await client.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: true }));
  if (admin) await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: STAFF_GROUP }));
}

/** Whether the pool has the group: ListGroups, as cognito-local's GetGroup fails (500) in a pool that has no group yet. */
async function groupExists(client: CognitoIdentityProviderClient, UserPoolId: string, GroupName: string): Promise<boolean> {
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListGroupsCommand({ UserPoolId, ...(NextToken ? { NextToken } : {}) }));
    if (page.Groups?.some((group) => group.GroupName === GroupName)) return true;
    NextToken = page.NextToken;
  } while (NextToken);
  return false;
}

export async function ensurePools(client: CognitoIdentityProviderClient, state: LocalState): Promise<Pools> {
  let staff = { userPoolId: state.staffUserPoolId, clientId: state.staffClientId };
  if (!(await poolExists(client, staff.userPoolId, staff.clientId))) staff = await createPool(client, 'portal-staff', false);
  let customer = { userPoolId: state.customerUserPoolId, clientId: state.customerClientId };
  if (!(await poolExists(client, customer.userPoolId, customer.clientId))) customer = await createPool(client, 'portal-customers', true);

  const staffUserPoolId = staff.userPoolId as string;
  // Only a missing group is created: cognito-local answers a second CreateGroup by replacing the group,
  // its members too (AWS would say GroupExistsException), so a restart would drop every staff user
  // but the admin from portal-admins.
  if (!(await groupExists(client, staffUserPoolId, STAFF_GROUP)))
    await client.send(new CreateGroupCommand({ UserPoolId: staffUserPoolId, GroupName: STAFF_GROUP, Description: 'May use the staff API' })).catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'GroupExistsException') throw error;
    });
  const admin = { username: ADMIN_USERNAME, password: state.adminPassword ?? generatePassword(), email: ADMIN_EMAIL };
  await ensureStaffUser(client, staffUserPoolId, admin.username, admin.password, true, { email: ADMIN_EMAIL, email_verified: 'true', name: ADMIN_NAME });
  return {
    staffUserPoolId,
    staffClientId: staff.clientId as string,
    customerUserPoolId: customer.userPoolId as string,
    customerClientId: customer.clientId as string,
    admin,
  };
}
