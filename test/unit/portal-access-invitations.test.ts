/** Accepting invitations, and `Idempotency-Key`, over in-memory stores and a mocked Cognito. */
import { CognitoCustomerLogins } from '../../lambdas/adapters/cognito/customer-logins';
import { Conflict, Gone, Invalid, Unavailable } from '../../lambdas/contract/errors';
import { ABANDONED_AFTER_MS } from '../../lambdas/contract/runtime';
import { bodyHashOf, idempotencyKeyOf, idempotent } from '../../lambdas/domain/idempotency';
import { invitationMail } from '../../lambdas/domain/portal-access/invitation-mail';
import { acceptInvitation, GONE_DETAIL, hashToken, newToken } from '../../lambdas/domain/portal-access/invitations';
import type { AcceptDeps } from '../../lambdas/domain/portal-access/ports';
import { toProblem } from '../../lambdas/http-kit/problem';
import { cognitoError, fakeCognito } from './cognito-fake';
import { MemoryAccess, MemoryIdempotency } from './portal-access.fakes';

const cognito = fakeCognito();
const GOOD = 'Correct-Horse-7-battery';

let access: MemoryAccess;
let clock: Date;
let deps: AcceptDeps;

beforeAll(() => {
  process.env.CUSTOMER_USER_POOL_ID = 'pool-1';
});

beforeEach(() => {
  cognito.reset();
  access = new MemoryAccess();
  clock = new Date('2026-03-01T10:00:00.000Z');
  deps = { contacts: access.contactStore, store: access, logins: new CognitoCustomerLogins(cognito, 'pool-1'), now: () => clock, sleep: async (ms: number) => void (clock = new Date(clock.getTime() + ms)) };
});

/** An invited contact with a live invitation; answers its token. */
function invited(id = 'p1', expiresAt = '2026-03-08T10:00:00.000Z'): string {
  const token = newToken();
  const tokenHash = hashToken(token);
  access.add({
    id,
    email: `${id}@example.com`,
    portal: { status: 'invited', invitedAt: '2026-03-01T09:00:00.000Z' },
    login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` },
    invitation: { tokenHash, expiresAt, sentAt: '2026-03-01T09:00:01.000Z' },
  });
  access.invitations.set(tokenHash, { contactId: id, expiresAt });
  return token;
}

describe('accept', () => {
  it('sets a permanent password, activates, deletes the invitation and audits; the token is then dead', async () => {
    const token = invited();
    await acceptInvitation(deps, token, GOOD);

    expect(cognito.calls('AdminSetUserPassword')[0]).toEqual({
      UserPoolId: 'pool-1',
      Username: 'user-p1',
      Password: GOOD,
      Permanent: true,
    });
    // Whatever sessions the login had before (an adopted login's earlier user) end with the acceptance.
    expect(cognito.calls('AdminUserGlobalSignOut')).toEqual([{ UserPoolId: 'pool-1', Username: 'user-p1' }]);
    const contact = access.contact('p1');
    // The access begins in the second after the password was replaced (10:00:00.000): a token its former password gave is of that second at the latest.
    expect(contact.portal).toMatchObject({ status: 'active', activatedAt: '2026-03-01T10:00:01.000Z' });
    // The invitation stays on record, accepted (the wizard line shows it); its link item is gone.
    expect(contact.invitation?.acceptedAt).toBe('2026-03-01T10:00:01.000Z');
    expect(access.invitations.size).toBe(0);
    expect(access.audit).toEqual([expect.objectContaining({ action: 'invitation.accepted', actor: 'invitee', contactId: 'p1' })]);

    await expect(acceptInvitation(deps, token, GOOD)).rejects.toEqual(new Gone(GONE_DETAIL));
  });

  it('answers one identical Gone for unknown, malformed, expired and superseded tokens', async () => {
    const expired = invited('p1', '2026-03-01T09:59:59.999Z');
    const superseded = invited('p2');
    access.contact('p2').invitation = { tokenHash: 'another', expiresAt: '2026-03-08T10:00:00.000Z' };
    const problems = [];
    for (const token of [newToken(), 'short', expired, superseded]) {
      const error = await acceptInvitation(deps, token, GOOD).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Gone);
      problems.push(toProblem(error));
    }
    expect(new Set(problems.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(problems[0]?.status).toBe(410);
    expect(cognito.calls('AdminSetUserPassword')).toHaveLength(0);
  });

  it('two concurrent accepts of one token: exactly one succeeds', async () => {
    const token = invited();
    const outcomes = await Promise.allSettled([acceptInvitation(deps, token, GOOD), acceptInvitation(deps, token, GOOD)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: expect.any(Gone) });
    expect(cognito.calls('AdminSetUserPassword')).toHaveLength(1);
  });

  it("a password below the policy is 400 on `password`, and the token still works afterwards", async () => {
    const token = invited();
    await expect(acceptInvitation(deps, token, 'weak')).rejects.toMatchObject({ path: 'password' });
    expect(cognito.calls('AdminSetUserPassword')).toHaveLength(0);

    cognito.once('AdminSetUserPassword', () => {
      throw cognitoError('InvalidPasswordException', 'Password does not conform to policy');
    });
    const refused = await acceptInvitation(deps, token, GOOD).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Invalid);
    expect(toProblem(refused).problem).toMatchObject({ status: 400, errors: [{ path: 'password' }] });
    expect(JSON.stringify(toProblem(refused).problem)).not.toContain('conform');

    await acceptInvitation(deps, token, GOOD);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('a dependency failing after the password was set releases the claim: the retry works at once', async () => {
    const token = invited();
    const activate = access.activate.bind(access);
    access.activate = () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(acceptInvitation(deps, token, GOOD)).rejects.toThrow('throttled');
    access.activate = activate;
    await acceptInvitation(deps, token, GOOD);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('a claim left by a dead accept is taken over once abandoned', async () => {
    const token = invited();
    const hash = hashToken(token);
    const found = access.invitations.get(hash);
    if (found) found.claimedAt = '2026-03-01T09:59:30.000Z';
    // Still live: try again (503), the link is not dead.
    await expect(acceptInvitation(deps, token, GOOD)).rejects.toBeInstanceOf(Unavailable);
    clock = new Date(Date.parse('2026-03-01T09:59:30.000Z') + ABANDONED_AFTER_MS + 1000);
    await acceptInvitation(deps, token, GOOD);
    expect(access.contact('p1').portal.status).toBe('active');
  });
});

describe('invitation mail', () => {
  it('escapes the name and message in HTML only, normalises line breaks, links to the portal', () => {
    const mail = invitationMail({ to: 'a@example.com', name: 'A & B', business: 'Shop', inviter: 'Mia', link: 'https://p.example/invitation?token=abc', expiresAt: '2026-03-08T10:00:00.000Z', message: 'Hi "you"\r\n<i>' });
    expect(mail.html).toContain('Hi &quot;you&quot;<br>&lt;i&gt;');
    expect(mail.html).toContain('A &amp; B');
    expect(mail.text).toContain('Hi "you"\n<i>');
    expect(mail.text).toContain('https://p.example/invitation?token=abc');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});

describe('Idempotency-Key', () => {
  const idem = () => ({ idempotency: store, now: () => clock });
  let store: MemoryIdempotency;
  let runs: number;
  const run = async () => {
    runs += 1;
    return { status: 200, body: { run: runs } };
  };
  beforeEach(() => {
    store = new MemoryIdempotency();
    runs = 0;
  });

  it('replays the first answer for the same key and body, whatever the key order', async () => {
    const first = await idempotent(idem(), { scope: 's', key: 'k1', body: { a: 1, b: [1, 2] } }, run);
    const second = await idempotent(idem(), { scope: 's', key: 'k1', body: { b: [1, 2], a: 1 } }, run);
    expect(second).toEqual(first);
    expect(runs).toBe(1);
    expect(bodyHashOf({ a: 1, b: 2 })).toBe(bodyHashOf({ b: 2, a: 1 }));
  });

  it('refuses the same key with another body, and a key still in progress, with 409', async () => {
    await idempotent(idem(), { scope: 's', key: 'k1', body: { a: 1 } }, run);
    await expect(idempotent(idem(), { scope: 's', key: 'k1', body: { a: 2 } }, run)).rejects.toBeInstanceOf(Conflict);

    let release: () => void = () => undefined;
    const slow = idempotent(idem(), { scope: 's', key: 'k2', body: {} }, () => new Promise((resolve) => (release = () => resolve({ status: 202 }))));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(idempotent(idem(), { scope: 's', key: 'k2', body: {} }, run)).rejects.toThrow(/in progress/);
    release();
    await expect(slow).resolves.toEqual({ status: 202 });
  });

  it('keys are per scope; an answer that is not replayable, or a throw, lets the repeat run again', async () => {
    await idempotent(idem(), { scope: 'a', key: 'k', body: {} }, run);
    await idempotent(idem(), { scope: 'b', key: 'k', body: {} }, run);
    expect(runs).toBe(2);
    await idempotent(idem(), { scope: 'c', key: 'k', body: {} }, run, () => false);
    await idempotent(idem(), { scope: 'c', key: 'k', body: {} }, run);
    expect(runs).toBe(4);
    await expect(idempotent(idem(), { scope: 'd', key: 'k', body: {} }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await idempotent(idem(), { scope: 'd', key: 'k', body: {} }, run);
    expect(runs).toBe(5);
  });

  it('takes over an in-progress record abandoned by a dead request', async () => {
    store.records.set('s#k', { bodyHash: bodyHashOf({}), state: 'in-progress', startedAt: new Date(clock.getTime() - ABANDONED_AFTER_MS - 1).toISOString() });
    await expect(idempotent(idem(), { scope: 's', key: 'k', body: {} }, run)).resolves.toEqual({ status: 200, body: { run: 1 } });
  });

  it('checks the header: at most 128 printable characters', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf('a'.repeat(128))).toBe('a'.repeat(128));
    expect(() => idempotencyKeyOf('a'.repeat(129))).toThrow(Invalid);
    expect(() => idempotencyKeyOf('')).toThrow(Invalid);
    expect(() => idempotencyKeyOf('a\u0001')).toThrow(Invalid);
  });
});
