import { EmailInUse } from '../../lambdas/contract/errors';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { LoginEmailMove } from '../../lambdas/domain/contacts';
import { moveLoginEmail, type LoginEmailDeps } from '../../lambdas/domain/portal-access/login-email';
import { firstSecondAfterMove } from '../../lambdas/domain/portal-session';
import { MemoryAccess } from './portal-access.fakes';

/** A user pool: username → email, and what was asked of it. */
function pool(users: Record<string, string>) {
  const emails = new Map(Object.entries(users));
  const calls: string[] = [];
  return {
    emails,
    calls,
    find: async (email: string) => {
      const username = [...emails].find(([, e]) => e === email)?.[0];
      return username ? { username, sub: `sub-${username}` } : undefined;
    },
    changeEmail: async (username: string, email: string) => {
      calls.push(`email ${username} ${email}`);
      const other = [...emails].find(([u, e]) => e === email && u !== username);
      if (other) throw new EmailInUse('alias exists');
      emails.set(username, email);
    },
    signOut: async (username: string) => void calls.push(`signOut ${username}`),
  };
}

function setup(users: Record<string, string> = { u1: 'ada@old.example' }, start = '2026-05-01T00:00:00.000Z') {
  const mem = new MemoryAccess();
  const logins = pool(users);
  const clock = { at: Date.parse(start), sleeps: [] as number[] };
  const sleep = async (ms: number) => {
    clock.sleeps.push(ms);
    clock.at += ms;
  };
  const deps: LoginEmailDeps = { contacts: mem.contactStore, store: mem, logins, now: () => new Date(clock.at), warn: () => undefined, sleep };
  const ada = mem.add({ id: 'ada', email: 'ada@old.example', portal: { status: 'active' }, login: { email: 'ada@old.example', username: 'u1', sub: 'sub-u1' } });
  mem.guards.set('ada@old.example', 'ada');
  const moves: LoginEmailMove[] = [];
  /** The contacts store's write: applies the move to the record, as the transaction would. */
  const write = async (move: LoginEmailMove) => {
    moves.push(move);
    const stored = mem.contact('ada');
    stored.email = move.to;
    stored.login = { ...stored.login!, email: move.to };
    mem.guards.delete(move.from);
    mem.guards.set(move.to, 'ada');
  };
  const next = (email: string): ContactRecord => ({ ...ada, email });
  return { mem, logins, deps, ada, moves, write, next, clock };
}

describe('moving a live login to a new email', () => {
  test('the pool user gets the new email, the record is written with the move, the sessions end', async () => {
    const { deps, ada, next, write, moves, logins } = setup();
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write);
    expect(moves).toEqual([
      expect.objectContaining({ from: 'ada@old.example', to: 'ada@new.example', at: '2026-05-01T00:00:00.000Z', audit: expect.objectContaining({ action: 'portal.login-email-changed', actor: 'staff:admin', details: { from: 'ada@old.example', to: 'ada@new.example', previousVersion: 1 } }) }),
    ]);
    expect(logins.emails.get('u1')).toBe('ada@new.example');
    expect(logins.calls.at(-1)).toBe('signOut u1');
    // The old address is no user's any more: it cannot sign in.
    expect(await logins.find('ada@old.example')).toBeUndefined();
  });

  test("the answer waits out the move's second: a token issued right after it is not one the portal refuses as older than the move", async () => {
    const { deps, ada, next, write, moves, clock } = setup(undefined, '2026-05-01T00:00:07.400Z');
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write);
    expect(moves[0]?.at).toBe('2026-05-01T00:00:07.400Z');
    expect(clock.sleeps).toEqual([600]);
    // A sign-in once the PATCH has answered: its `iat`, whole seconds, is the portal's first accepted one.
    const iat = Math.floor(clock.at / 1000);
    expect(iat).toBeGreaterThanOrEqual(firstSecondAfterMove(moves[0]!.at));
  });

  test('a move whose write answer was lost but landed waits out its second as well', async () => {
    const { deps, ada, next, moves, clock, write } = setup(undefined, '2026-05-01T00:00:07.950Z');
    const lost = async (move: LoginEmailMove) => {
      await write(move);
      throw new Error('socket hang up');
    };
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', lost);
    expect(clock.sleeps).toEqual([50]);
    expect(Math.floor(clock.at / 1000)).toBeGreaterThanOrEqual(firstSecondAfterMove(moves[0]!.at));
  });

  test("a move refused (another contact's login) answers at once: nothing to wait for", async () => {
    const { deps, ada, next, write, clock, mem } = setup({ u1: 'ada@old.example', u2: 'bob@example.com' }, '2026-05-01T00:00:07.400Z');
    mem.add({ id: 'bob', portal: { status: 'active' }, login: { email: 'bob@example.com', username: 'u2', sub: 'sub-u2' } });
    mem.guards.set('bob@example.com', 'bob');
    await expect(moveLoginEmail(deps, ada, next('bob@example.com'), 'staff:admin', write)).rejects.toBeInstanceOf(EmailInUse);
    expect(clock.sleeps).toEqual([]);
  });

  test("another contact's login (its guard) under the new email: EmailInUse before anything changes", async () => {
    const { deps, ada, next, write, moves, logins, mem } = setup({ u1: 'ada@old.example', u2: 'bob@example.com' });
    mem.add({ id: 'bob', portal: { status: 'active' }, login: { email: 'bob@example.com', username: 'u2', sub: 'sub-u2' } });
    mem.guards.set('bob@example.com', 'bob');
    await expect(moveLoginEmail(deps, ada, next('bob@example.com'), 'staff:admin', write)).rejects.toBeInstanceOf(EmailInUse);
    expect(moves).toEqual([]);
    expect(logins.calls).toEqual([]);
    expect(logins.emails.get('u2')).toBe('bob@example.com');
  });

  test('a user of the pool under the new email that no contact links (an orphan) is not shared either', async () => {
    const { deps, ada, next, write, moves, logins } = setup({ u1: 'ada@old.example', orphan: 'free@example.com' });
    await expect(moveLoginEmail(deps, ada, next('free@example.com'), 'staff:admin', write)).rejects.toBeInstanceOf(EmailInUse);
    expect(moves).toEqual([]);
    expect(logins.calls).toEqual([]);
  });

  test('a stale guard (its holder archived) is taken over', async () => {
    const { deps, ada, next, write, moves, mem } = setup();
    mem.add({ id: 'gone', archived: true, login: { email: 'ada@new.example' } });
    mem.guards.set('ada@new.example', 'gone');
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write);
    expect(moves[0]?.takeOverFrom).toBe('gone');
  });

  test('a refused write sets the pool user back to what the record says (the login follows the record), and fails', async () => {
    const { deps, ada, next, logins } = setup();
    const refused = async () => Promise.reject(new EmailInUse('taken meanwhile'));
    await expect(moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', refused)).rejects.toBeInstanceOf(EmailInUse);
    expect(logins.emails.get('u1')).toBe('ada@old.example');
    // The sessions were signed out before the write: a refused move ends them all the same (they sign in again).
    expect(logins.calls).toEqual(['email u1 ada@new.example', 'signOut u1', 'email u1 ada@old.example']);
  });

  test('a write whose answer was lost but that landed counts as done', async () => {
    const { deps, ada, next, write, logins } = setup();
    const lost = async (move: LoginEmailMove) => {
      await write(move);
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', lost);
    expect(logins.emails.get('u1')).toBe('ada@new.example');
    expect(logins.calls.at(-1)).toBe('signOut u1');
  });

  test('two changes at once end with the pool user on the email the record kept', async () => {
    const { deps, ada, next, write, logins, mem } = setup();
    // The first change wins the record; the second one's Cognito call lands after it, then its write is refused.
    let secondWrite: Promise<void> | undefined;
    const racing = async (move: LoginEmailMove) => {
      secondWrite = moveLoginEmail(deps, ada, next('ada@third.example'), 'staff:bob', async () => Promise.reject(new Error('version changed')));
      await write(move);
    };
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', racing);
    await expect(secondWrite).rejects.toThrow('version changed');
    expect(mem.contact('ada').login?.email).toBe('ada@new.example');
    expect(logins.emails.get('u1')).toBe('ada@new.example');
  });

  test('an invited contact whose login is not created yet moves its record only', async () => {
    const { deps, mem, moves, logins } = setup();
    const pending = mem.add({ id: 'pat', email: 'pat@old.example', portal: { status: 'invited' }, login: { email: 'pat@old.example' } });
    await moveLoginEmail(deps, pending, { ...pending, email: 'pat@new.example' }, 'staff:admin', async (move) => void moves.push(move));
    expect(moves.map((m) => [m.from, m.to])).toEqual([['pat@old.example', 'pat@new.example']]);
    expect(logins.calls).toEqual([]);
  });
});

describe('moving a login: the guard and the pool at their edges', () => {
  test("an invited contact's address (its login not created yet, so the pool has no user under it) is refused too", async () => {
    const { deps, ada, next, write, moves, logins, mem } = setup();
    mem.add({ id: 'bob', email: 'bob@example.com', portal: { status: 'invited' }, login: { email: 'bob@example.com' } });
    mem.guards.set('bob@example.com', 'bob');
    await expect(moveLoginEmail(deps, ada, next('bob@example.com'), 'staff:admin', write)).rejects.toEqual(new EmailInUse("The email is another contact's portal login."));
    expect(moves).toEqual([]);
    expect(logins.calls).toEqual([]);
  });

  test('a guard whose holder has moved on to another address is taken over', async () => {
    const { deps, ada, next, write, moves, mem } = setup();
    mem.add({ id: 'bob', email: 'bob@now.example', portal: { status: 'active' }, login: { email: 'bob@now.example', username: 'u2', sub: 'sub-u2' } });
    mem.guards.set('ada@new.example', 'bob');
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write);
    expect(moves).toEqual([expect.objectContaining({ to: 'ada@new.example', takeOverFrom: 'bob' })]);
  });

  test('a guard of the new address that is already ours is no take-over', async () => {
    const { deps, ada, next, write, moves, mem } = setup();
    mem.guards.set('ada@new.example', 'ada');
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write);
    expect(moves).toHaveLength(1);
    expect(moves[0]?.takeOverFrom).toBeUndefined();
  });

  test('the pool user already under the new address (an earlier attempt that died after the pool) is ours: the move goes on', async () => {
    const { deps, ada, next, write, moves, logins } = setup({ u1: 'ada@new.example' });
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write);
    expect(moves.map((m) => m.to)).toEqual(['ada@new.example']);
    expect(logins.emails.get('u1')).toBe('ada@new.example');
    expect(logins.calls.at(-1)).toBe('signOut u1');
  });

  test("a sign-out that fails before the write fails the move: nothing is written, the pool user gets its old email back — the old address's sessions would outlive the move", async () => {
    const { deps, ada, next, write, logins, mem, moves } = setup();
    const down = new Error('Cognito unavailable');
    logins.signOut = async () => Promise.reject(down);
    await expect(moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write)).rejects.toBe(down);
    expect(moves).toEqual([]);
    expect(mem.contact('ada').login?.email).toBe('ada@old.example');
    expect(logins.emails.get('u1')).toBe('ada@old.example');
  });

  test('a sign-out after the write that fails is logged, and the move stands: the sessions from before it were ended before it', async () => {
    const { deps, ada, next, write, logins, mem } = setup();
    const warnings: unknown[][] = [];
    deps.warn = (...args: unknown[]) => void warnings.push(args);
    let signOuts = 0;
    logins.signOut = async () => (++signOuts === 1 ? undefined : Promise.reject(new Error('Cognito unavailable')));
    await moveLoginEmail(deps, ada, next('ada@new.example'), 'staff:admin', write);
    expect(signOuts).toBe(2);
    expect(mem.contact('ada').login?.email).toBe('ada@new.example');
    expect(logins.emails.get('u1')).toBe('ada@new.example');
    expect(warnings).toEqual([[expect.stringContaining('not signed out'), { error: expect.objectContaining({ message: 'Cognito unavailable' }) }]]);
  });
});
