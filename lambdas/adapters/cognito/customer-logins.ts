/**
 * Portal logins in the customer user pool. The pool signs in by email: a user is created with its
 * email as `Username`, and Cognito answers the real user name (the `sub`), which is what we keep.
 */
import { EmailInUse, Invalid } from '../../contract/errors';
import { LoginGone, type CognitoLogin, type CustomerLogins } from '../../domain/portal-access/ports';
import { PASSWORD_REFUSED } from '../../contract/password-policy';
import type { CognitoApi } from './cognito-api';

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;

const isGone = (error: unknown) => nameOf(error) === 'UserNotFoundException';

/** The call, with the pool's "no such user" as `LoginGone`. */
async function onUser<T>(username: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw isGone(error) ? new LoginGone(username) : error;
  }
}

type Attribute = { Name?: string; Value?: string };

function loginOf(username: string | undefined, attributes: Attribute[] | undefined): CognitoLogin {
  const sub = attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!username || !sub) throw new Error('Cognito answered a user without a name or sub');
  return { username, sub };
}

/**
 * cognito-local has no AdminUserGlobalSignOut and answers it with a 500 `Unsupported` (the local
 * stack starts it with the call added, local/cognito-local.cjs; a plain cognito-local lacks it).
 * Exactly that gap is tolerated: the portal's access-record check is what refuses a revoked login's
 * tokens anyway. Any other failure is a failure.
 */
const isEmulatorGap = (error: unknown) =>
  nameOf(error) === 'Unsupported' && /AdminUserGlobalSignOut/.test((error as Error).message ?? '');

export class CognitoCustomerLogins implements CustomerLogins {
  readonly #cognito: CognitoApi;
  readonly #poolId: string;

  constructor(cognito: CognitoApi, poolId: string) {
    [this.#cognito, this.#poolId] = [cognito, poolId];
  }

  async create(email: string): Promise<CognitoLogin | 'exists'> {
    try {
      const out = await this.#cognito.call<{ User?: { Username?: string; Attributes?: Attribute[] } }>('AdminCreateUser', {
        UserPoolId: this.#poolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      });
      return loginOf(out.User?.Username, out.User?.Attributes);
    } catch (error) {
      if (nameOf(error) === 'UsernameExistsException') return 'exists';
      throw error;
    }
  }

  async find(email: string): Promise<CognitoLogin | undefined> {
    const user = await this.#user(email);
    return user ? loginOf(user.Username, user.UserAttributes) : undefined;
  }

  async enable(username: string): Promise<void> {
    await onUser(username, () => this.#cognito.call('AdminEnableUser', { UserPoolId: this.#poolId, Username: username }));
  }

  async isEnabled(username: string): Promise<boolean | undefined> {
    const user = await this.#user(username);
    return user ? user.Enabled !== false : undefined;
  }

  async disable(username: string): Promise<void> {
    try {
      await this.#cognito.call('AdminDisableUser', { UserPoolId: this.#poolId, Username: username });
    } catch (error) {
      // A user the pool no longer has signs nobody in: disabled, and signed out, already.
      if (isGone(error)) return;
      throw error;
    }
    await this.signOut(username);
  }

  async signOut(username: string): Promise<void> {
    try {
      await this.#cognito.call('AdminUserGlobalSignOut', { UserPoolId: this.#poolId, Username: username });
    } catch (error) {
      if (!isEmulatorGap(error) && !isGone(error)) throw error;
    }
  }

  async changeEmail(username: string, email: string): Promise<void> {
    try {
      await onUser(username, () => this.#cognito.call('AdminUpdateUserAttributes', {
        UserPoolId: this.#poolId,
        Username: username,
        // Verified in the same call: the pool keeps the original until a new email is verified, so this applies it at once and sends nothing.
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }));
    } catch (error) {
      if (nameOf(error) === 'AliasExistsException') throw new EmailInUse("The email is another user's portal login.");
      // cognito-local answers a user it does not have with NotAuthorizedException here (Cognito: UserNotFoundException).
      if (nameOf(error) === 'NotAuthorizedException' && (await this.#user(username)) === undefined) throw new LoginGone(username);
      throw error;
    }
  }

  async setPassword(username: string, password: string): Promise<void> {
    try {
      await onUser(username, () => this.#cognito.call('AdminSetUserPassword', { UserPoolId: this.#poolId, Username: username, Password: password, Permanent: true }));
    } catch (error) {
      if (nameOf(error) === 'InvalidPasswordException') throw new Invalid(PASSWORD_REFUSED, 'password');
      throw error;
    }
  }

  async #user(username: string): Promise<{ Username?: string; Enabled?: boolean; UserAttributes?: Attribute[] } | undefined> {
    try {
      return await this.#cognito.call('AdminGetUser', { UserPoolId: this.#poolId, Username: username });
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }
}
