/**
 * An in-memory customer user pool behind the `CustomerLogins` port: users enabled or not, their
 * passwords and sign-outs, so a test reads what the pool was left with. `during` runs a test's step
 * inside a call (what another request does while this one waits on Cognito).
 */
import { EmailInUse } from '../../lambdas/contract/errors';
import type { CognitoLogin, CustomerLogins } from '../../lambdas/domain/portal-access/ports';

interface PoolUser {
  email: string;
  sub: string;
  enabled: boolean;
  password?: string;
  signOuts: number;
}

type Operation = 'create' | 'enable' | 'disable' | 'signOut' | 'setPassword' | 'changeEmail';

export class MemoryPool implements CustomerLogins {
  readonly users = new Map<string, PoolUser>();
  readonly calls: [Operation, string][] = [];
  /** Runs inside the next call of that operation (once), before it takes effect. */
  readonly during = new Map<Operation, () => Promise<unknown>>();
  /** Usernames whose next `disable` fails (once each), as a throttled Cognito would. */
  readonly disableFailsOnce = new Set<string>();
  private count = 0;

  user(username: string): PoolUser {
    const found = this.users.get(username);
    if (!found) throw new Error(`no user ${username}`);
    return found;
  }

  /** A user the pool already has (a contact's login made earlier). */
  seed(username: string, email: string, sub: string, enabled = true): void {
    this.users.set(username, { email, sub, enabled, signOuts: 0 });
  }

  private async step(operation: Operation, subject: string): Promise<void> {
    this.calls.push([operation, subject]);
    const hook = this.during.get(operation);
    if (hook) {
      this.during.delete(operation);
      await hook();
    }
  }

  async create(email: string): Promise<CognitoLogin | 'exists'> {
    await this.step('create', email);
    if ([...this.users.values()].some((u) => u.email === email)) return 'exists';
    this.count += 1;
    const login = { username: `user-${this.count}`, sub: `sub-${this.count}` };
    this.users.set(login.username, { email, sub: login.sub, enabled: true, signOuts: 0 });
    return login;
  }

  async find(email: string): Promise<CognitoLogin | undefined> {
    const found = [...this.users.entries()].find(([, u]) => u.email === email);
    return found ? { username: found[0], sub: found[1].sub } : undefined;
  }

  async enable(username: string): Promise<void> {
    await this.step('enable', username);
    this.user(username).enabled = true;
  }

  async isEnabled(username: string): Promise<boolean | undefined> {
    return this.users.get(username)?.enabled;
  }

  async disable(username: string): Promise<void> {
    await this.step('disable', username);
    if (this.disableFailsOnce.delete(username)) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    const user = this.user(username);
    user.enabled = false;
    user.signOuts += 1;
  }

  async signOut(username: string): Promise<void> {
    await this.step('signOut', username);
    this.user(username).signOuts += 1;
  }

  async setPassword(username: string, password: string): Promise<void> {
    await this.step('setPassword', username);
    this.user(username).password = password;
  }

  async changeEmail(username: string, email: string): Promise<void> {
    await this.step('changeEmail', username);
    if ([...this.users.entries()].some(([name, u]) => name !== username && u.email === email)) throw new EmailInUse('Another user of the pool has this email.');
    this.user(username).email = email;
  }
}
