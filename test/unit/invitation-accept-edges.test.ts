/**
 * Accepting an invitation at its edges, over the in-memory stores and pool: the token at its exact
 * expiry instant, the password policy at each of its boundaries (the local Cognito emulator does not
 * enforce it, so this check is the only one there), and an access revoked or re-invited while the
 * password was being set.
 */
import { Gone, Invalid, Unavailable } from '../../lambdas/contract/errors';
import { PASSWORD_REFUSED } from '../../lambdas/contract/password-policy';
import { ABANDONED_AFTER_MS } from '../../lambdas/contract/runtime';
import { acceptInvitation, GONE_DETAIL, hashToken, newToken } from '../../lambdas/domain/portal-access/invitations';
import { portalUser, type PortalSessionStore } from '../../lambdas/domain/portal-session';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { processOutboxItem, type OutboxDeps } from '../../lambdas/domain/outbox';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import type { AcceptDeps, DeliveryDeps, ReinviteDeps } from '../../lambdas/domain/portal-access/ports';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { revokeAccess, settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryPool } from './customer-pool.fakes';
import { MemoryAccess } from './portal-access.fakes';
import { deliverReminder } from '../../lambdas/domain/portal-access/reminder';

const EXPIRES = '2026-03-08T10:00:00.000Z';
const GOOD = 'Abcdefgh1!xy'; // 12 characters, one of each class

let access: MemoryAccess;
let pool: MemoryPool;
let clock: Date;
let deps: AcceptDeps;

beforeEach(() => {
  access = new MemoryAccess();
  pool = new MemoryPool();
  clock = new Date('2026-03-01T10:00:00.000Z');
  // The pause moves the test's clock, as time passes for a real one.
  deps = { contacts: access.contactStore, store: access, logins: pool, now: () => clock, sleep: async (ms) => void (clock = new Date(clock.getTime() + ms)) };
});

/** An invited contact whose invitation email went out (its access ending at `until`, if given); answers its token. */
function invited(id = 'p1', until?: string): string {
  const token = newToken();
  const tokenHash = hashToken(token);
  access.add({
    id,
    email: `${id}@example.com`,
    portal: { status: 'invited', invitedAt: '2026-03-01T09:00:00.000Z', delivery: 'sent', ...(until === undefined ? {} : { until }) },
    login: { email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` },
    invitation: { tokenHash, expiresAt: EXPIRES, issuedAt: '2026-03-01T09:00:00.000Z', sentAt: '2026-03-01T09:00:01.000Z' },
  });
  access.guards.set(`${id}@example.com`, id);
  access.subjects.set(`sub-${id}`, id);
  access.invitations.set(tokenHash, { contactId: id, expiresAt: EXPIRES });
  pool.seed(`user-${id}`, `${id}@example.com`, `sub-${id}`);
  return token;
}

const outcomeOf = (promise: Promise<void>) => promise.then(() => 'accepted' as const, (error: unknown) => error);
/** What an unknown token answers: every unusable token must answer exactly this. */
const goneProblem = async () => toProblem(await outcomeOf(acceptInvitation(deps, newToken(), GOOD)));

/** A weak password and a good one both answer the one 410 of an unknown token; nothing is touched. */
async function expectGoneWhateverThePassword(token: string): Promise<void> {
  const weak = await outcomeOf(acceptInvitation(deps, token, 'weak'));
  const good = await outcomeOf(acceptInvitation(deps, token, GOOD));

  expect(weak).toBeInstanceOf(Gone);
  expect(good).toBeInstanceOf(Gone);
  expect(toProblem(weak)).toEqual(await goneProblem());
  expect(pool.calls).toEqual([]);
  expect(access.contact('p1').portal.status).toBe('invited');
}

describe('the token at its exact expiry instant', () => {
  it('is gone, whatever the password: a weak one answers the same 410 as an unknown token, not a 400', async () => {
    const token = invited();
    clock = new Date(EXPIRES);
    await expectGoneWhateverThePassword(token);
  });

  it('a millisecond before it, the password is checked (400) and a good one is accepted', async () => {
    const token = invited();
    clock = new Date(Date.parse(EXPIRES) - 1);

    const weak = await outcomeOf(acceptInvitation(deps, token, 'weak'));
    expect(weak).toEqual(new Invalid(PASSWORD_REFUSED, 'password'));
    expect(toProblem(weak).status).toBe(400);

    await acceptInvitation(deps, token, GOOD);
    expect(access.contact('p1').portal).toMatchObject({ status: 'active', activatedAt: clock.toISOString() });
    expect(pool.user('user-p1').password).toBe(GOOD);
  });
});

describe('an invitation whose access ended (`until`) before the scheduled job dropped it', () => {
  it('is gone, whatever the password: a weak one answers the same 410 as an unknown token, not a 400', async () => {
    await expectGoneWhateverThePassword(invited('p1', clock.toISOString()));
  });

  it('a millisecond before its end, the password is checked (400)', async () => {
    const token = invited('p1', new Date(clock.getTime() + 1).toISOString());
    const weak = await outcomeOf(acceptInvitation(deps, token, 'weak'));
    expect(weak).toEqual(new Invalid(PASSWORD_REFUSED, 'password'));
  });
});

describe('the password policy: at least 12 characters, a lower-case and an upper-case letter, a digit and a symbol', () => {
  const refused = {
    '11 characters': 'Abcdefg1!xy',
    'no lower-case letter': 'ABCDEFGH1!XY',
    'no upper-case letter': 'abcdefgh1!xy',
    'no digit': 'Abcdefghi!xy',
    'no symbol': 'Abcdefgh12xy',
    // Cognito's own rules, which the local emulator does not apply: its symbols are a set, and no white space at either end.
    'no symbol of Cognito\'s set (é, ü, € are none)': 'Abcdefgh12éü€',
    'a leading space': ' Abcdefgh1!xy',
    'a trailing space': 'Abcdefgh1!xy ',
    'a trailing tab': 'Abcdefgh1!xy\t',
    'a line break inside': 'Abcdefgh1!\nxy',
    // Java's `.` (Cognito's pattern) stops at these line terminators too.
    'a next-line character inside': 'Abcdefgh1! \u0085 xy',
    'a line separator inside': 'Abcdefgh1! \u2028 xy',
    'a paragraph separator inside': 'Abcdefgh1!\u2029xy',
    // No UTF-8: the invitee could never type it again (the hosted UI's form would send U+FFFD), yet the link would be used up.
    'half a surrogate pair': 'Abcdefgh1!xy\ud800',
    'half a surrogate pair, the low one': 'Abcdefgh1!\udc00xy',
  };

  it.each(Object.entries(refused))('%s: 400 on password, nothing set, and the same link then works with a good one', async (_, password) => {
    const token = invited();

    const error = await outcomeOf(acceptInvitation(deps, token, password));

    expect(error).toEqual(new Invalid(PASSWORD_REFUSED, 'password'));
    expect(toProblem(error)).toMatchObject({ status: 400, problem: { errors: [{ path: 'password', message: PASSWORD_REFUSED }] } });
    expect(pool.calls).toEqual([]);
    expect(access.contact('p1').portal.status).toBe('invited');
    await acceptInvitation(deps, token, GOOD);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it.each([
    ['exactly 12 characters', GOOD],
    ['a long passphrase', 'correct Horse battery staple 7'],
    ['any symbol, a space included', 'Abcdefgh1 xy'],
    ['each of Cognito\'s symbols', 'Abcdefgh1^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-'],
    ['letters beyond ASCII beside a symbol', 'Zoë-Ñúñez-2026'],
  ])('%s: accepted', async (_, password) => {
    const token = invited();
    await acceptInvitation(deps, token, password);
    expect(pool.user('user-p1').password).toBe(password);
    expect(access.contact('p1').portal.status).toBe('active');
  });
});

describe('the access changed while the password was being set', () => {
  const requestDeps = (): ReinviteDeps => ({
    contacts: access.contactStore,
    store: access,
    now: () => clock,
    config: { applyConcurrency: 2, portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400 },
    newId: () => `o-${access.outboxItems.size + 1}`,
    warn: () => undefined,
  });
  let mailed: string[];
  /** The outbox worker over the same stores and pool, run on what the requests queued (as the stream would). */
  async function drain() {
    mailed = [];
    const delivery: DeliveryDeps = {
      contacts: access.contactStore,
      store: access,
      outbox: access,
      logins: pool,
      mailer: { send: async (mail) => void mailed.push(mail.text) },
      pacer: { acquire: async () => ({ usable: () => true }) },
      events: { emit: async () => undefined },
      now: () => clock,
      config: { portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400, businessName: 'Example Business' },
    staff: { profile: async () => undefined },
      warn: () => undefined,
      sleep: async () => undefined,
    };
    const worker: OutboxDeps = {
      outbox: access,
      now: () => clock,
      handlers: { invitation: (item, run) => deliverInvitation(delivery, item, run), revocation: (item, run) => settleRevocation(delivery, item, run), reminder: (item, run) => deliverReminder(delivery, item, run) },
    };
    while (access.pending.length > 0) {
      await processOutboxItem(worker, access.pending[0]!, new AbortController().signal);
      access.pending.shift();
    }
  }

  it('revoked meanwhile: 410, the access stays revoked and its login disabled, the link is dead', async () => {
    const token = invited();
    pool.during.set('setPassword', () => revokeAccess(requestDeps(), 'p1', 'staff:alice'));

    const outcome = await outcomeOf(acceptInvitation(deps, token, GOOD));
    await drain();

    expect(outcome).toBeInstanceOf(Gone);
    expect(toProblem(outcome)).toEqual(await goneProblem());
    expect(access.contact('p1').portal.status).toBe('revoked');
    expect(pool.user('user-p1').enabled).toBe(false);
    expect(access.audit.map((a) => a.action)).toEqual(['portal.revoked']);
    expect(await outcomeOf(acceptInvitation(deps, token, GOOD))).toBeInstanceOf(Gone);
  });

  it('re-invited meanwhile (the new link sent, the old one replaced): 410 for the old link, the contact still invited, and the new link works', async () => {
    const token = invited();
    pool.during.set('setPassword', async () => {
      await reinvite(requestDeps(), 'p1', {}, 'staff:alice');
      await drain();
    });

    expect(await outcomeOf(acceptInvitation(deps, token, GOOD))).toBeInstanceOf(Gone);
    expect(access.contact('p1').portal.status).toBe('invited');
    expect(mailed).toHaveLength(1);
    const fresh = /token=([A-Za-z0-9_-]{43})/.exec(mailed[0] ?? '')?.[1] ?? '';
    await acceptInvitation(deps, fresh, GOOD);
    expect(access.contact('p1').portal.status).toBe('active');
  });
});

describe('a link that cannot be used, and one used again after a failure', () => {
  it('a malformed token is gone at once: nothing is read', async () => {
    invited();
    const reads: string[] = [];
    const store = { ...deps.store, getInvitation: async (hash: string) => (reads.push(hash), access.getInvitation(hash)) };
    for (const token of ['', 'short', `${'a'.repeat(42)}!`, 'a'.repeat(44)])
      expect(await outcomeOf(acceptInvitation({ ...deps, store }, token, GOOD))).toEqual(new Gone(GONE_DETAIL));
    expect(reads).toEqual([]);
  });

  it.each([
    ['its contact archived', (id: string) => void (access.contact(id).archived = true)],
    ['its contact already active', (id: string) => void (access.contact(id).portal.status = 'active')],
    ['another invitation on the contact', (id: string) => void (access.contact(id).invitation!.tokenHash = 'another')],
    ["its contact's login not created yet", (id: string) => void delete access.contact(id).login],
  ])('%s: gone (410), no password set, and the claim released', async (_, change) => {
    const token = invited();
    change('p1');
    const outcome = await outcomeOf(acceptInvitation(deps, token, GOOD));
    expect(outcome).toEqual(new Gone(GONE_DETAIL));
    expect(toProblem(outcome).status).toBe(410);
    expect(pool.calls).toEqual([]);
    expect(access.invitations.get(hashToken(token))?.claimedAt).toBeUndefined();
  });

  it('a password the pool refuses (or a pool that fails) leaves the link usable at once; a good one then signs out earlier sessions', async () => {
    const token = invited();
    pool.during.set('setPassword', async () => {
      throw new Invalid(PASSWORD_REFUSED, 'password');
    });
    expect(await outcomeOf(acceptInvitation(deps, token, GOOD))).toEqual(new Invalid(PASSWORD_REFUSED, 'password'));
    expect(access.contact('p1').portal.status).toBe('invited');

    await acceptInvitation(deps, token, GOOD);
    expect(access.contact('p1').portal).toMatchObject({ status: 'active', activatedAt: clock.toISOString() });
    expect(pool.calls).toEqual([
      ['setPassword', 'user-p1'],
      ['setPassword', 'user-p1'],
      ['signOut', 'user-p1'],
    ]);
    expect(access.audit).toEqual([{ at: clock.toISOString(), actor: 'invitee', action: 'invitation.accepted', contactId: 'p1', details: {} }]);
  });

  it('an accept that failed holding the claim (its release failed too): the link is not dead — 503 after a short wait, and usable once the claim is abandoned', async () => {
    const token = invited();
    const hash = hashToken(token);
    access.invitations.get(hash)!.claimedAt = clock.toISOString();
    const started = clock.getTime();
    const outcome = await outcomeOf(acceptInvitation(deps, token, GOOD));
    expect(outcome).toBeInstanceOf(Unavailable);
    expect(toProblem(outcome)).toMatchObject({ status: 503, headers: { 'retry-after': expect.stringMatching(/^\d+$/) } });
    // It waited a few seconds for the claim to end, not until the claim is abandoned.
    expect(clock.getTime() - started).toBeGreaterThanOrEqual(3_000);
    expect(clock.getTime() - started).toBeLessThanOrEqual(10_000);
    expect(pool.calls).toEqual([]);
    clock = new Date(started + ABANDONED_AFTER_MS - 1);
    // Still live just before then (a wait that moves no clock): try again, still not gone.
    expect(await outcomeOf(acceptInvitation({ ...deps, sleep: async () => undefined }, token, GOOD))).toBeInstanceOf(Unavailable);
    clock = new Date(started + ABANDONED_AFTER_MS + 1);
    await acceptInvitation(deps, token, GOOD);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('another attempt holding the claim while this one waits: its link used meanwhile is gone (410); released meanwhile, this one accepts', async () => {
    const used = invited('p1');
    access.invitations.get(hashToken(used))!.claimedAt = clock.toISOString();
    // The other attempt finishes during the wait: its transaction deleted the link.
    const outcome = await outcomeOf(acceptInvitation({ ...deps, sleep: async () => void access.invitations.delete(hashToken(used)) }, used, GOOD));
    expect(outcome).toEqual(new Gone(GONE_DETAIL));

    const released = invited('p2');
    access.invitations.get(hashToken(released))!.claimedAt = clock.toISOString();
    // The other attempt's password was refused: it released the claim during the (first) wait.
    let waits = 0;
    const releasing = async (ms: number) => {
      if (waits++ === 0) delete access.invitations.get(hashToken(released))!.claimedAt;
      await deps.sleep(ms);
    };
    await acceptInvitation({ ...deps, sleep: releasing }, released, GOOD);
    expect(access.contact('p2').portal.status).toBe('active');
  });
});

describe("a token of the login's former password, issued while the invitee accepts", () => {
  // Token times (`iat`) are whole seconds, and the portal lets in a token of the access's own second.
  const sessionOf = (record: ContactRecord): PortalSessionStore => ({
    contactIdOfSubject: async () => record.id,
    contact: async () => record,
    recall: () => undefined,
    remember: () => undefined,
  });
  const seconds = (at: Date | string) => Math.floor(new Date(at).getTime() / 1000);

  it('is refused: the access begins in a later second than the password was replaced in, and the answer waits for it', async () => {
    // An adopted login's earlier user signs in with the password it knows until the pool replaces it, 550 ms into a second.
    const token = invited();
    clock = new Date('2026-03-01T10:00:00.400Z');
    let replacedAt: Date | undefined;
    pool.during.set('setPassword', async () => {
      clock = new Date(clock.getTime() + 150);
      replacedAt = clock;
    });

    await acceptInvitation(deps, token, GOOD);

    const record = access.contact('p1');
    expect(record.portal).toMatchObject({ status: 'active', activatedAt: '2026-03-01T10:00:01.000Z' });
    // The invitee's 204 comes once that second has begun: its own sign-in, after it, is let in.
    expect(clock.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-01T10:00:01.000Z'));
    const lastFormerToken = seconds(new Date(replacedAt!.getTime() - 1));
    await expect(portalUser(sessionOf(record), 'sub-p1', lastFormerToken, clock)).rejects.toThrow(/before the portal access was granted/);
    await expect(portalUser(sessionOf(record), 'sub-p1', seconds(clock), clock)).resolves.toMatchObject({ id: 'p1' });
  });

  it('is refused even when the pause ends early (a timer is not a clock): the access still begins in the next second', async () => {
    const token = invited();
    clock = new Date('2026-03-01T10:00:00.999Z');
    await acceptInvitation({ ...deps, sleep: async () => undefined }, token, GOOD);
    expect(access.contact('p1').portal.activatedAt).toBe('2026-03-01T10:00:01.000Z');
    expect(access.audit.at(-1)?.at).toBe('2026-03-01T10:00:01.000Z');
  });

  it('costs no pause when the password was replaced in an earlier second than the activation is written in', async () => {
    const token = invited();
    clock = new Date('2026-03-01T10:00:00.900Z');
    let paused = 0;
    pool.during.set('signOut', async () => void (clock = new Date('2026-03-01T10:00:01.200Z')));
    await acceptInvitation({ ...deps, sleep: async (ms) => void (paused += ms) }, token, GOOD);
    expect(paused).toBe(0);
    expect(access.contact('p1').portal.activatedAt).toBe('2026-03-01T10:00:01.200Z');
  });
});
