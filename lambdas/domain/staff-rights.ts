/**
 * Staff rights, re-checked against the staff pool. A staff access token says its user was in
 * `portal-admins` when it was issued; it outlives the user's removal from the group, its disabling
 * and its deletion. So each container asks the pool again about a user at least every `windowMs`
 * (API.md: within 60 s), and in between answers from what it learnt: a back-office integration
 * publishing at a high rate costs one look-up per user and window, not one per request.
 */
import { Forbidden, Unauthenticated } from '../contract/errors';
import { STAFF_GROUP } from '../contract/identity';

/** What the staff pool says about a user now; `undefined` when there is no such user. */
export interface StaffAccount {
  sub: string;
  enabled: boolean;
  groups: readonly string[];
}

export interface StaffDirectory {
  account(username: string): Promise<StaffAccount | undefined>;
}

export interface StaffRightsOptions {
  directory: StaffDirectory;
  /** How long an answer of the pool is used; at most 60 s by the contract. */
  windowMs: number;
  /** When the pool cannot be asked, an earlier "yes" may still be used this long after it was given (≤ 60 s). */
  graceMs: number;
  now?: () => number;
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

type Verdict = 'admin' | 'not-admin' | 'no-account';

interface Entry {
  at: number;
  verdict: Promise<Verdict>;
  /** When the pool last said "admin" for this user (for the grace period). */
  confirmedAt?: number;
}

/** Enough for every staff user of a company; beyond it the cache starts over. */
const MAX_CACHED_USERS = 1_000;

function verdictOf(account: StaffAccount | undefined, sub: string): Verdict {
  // Another sub: the user was deleted and someone else now has that name.
  if (!account || !account.enabled || account.sub !== sub) return 'no-account';
  return account.groups.includes(STAFF_GROUP) ? 'admin' : 'not-admin';
}

/**
 * A check of one staff principal (its username and `sub`): resolves when the pool (asked at most
 * every window) says the user exists, is enabled and is in `portal-admins`; else `Forbidden` (not in
 * the group) or `Unauthenticated` (disabled, deleted). Concurrent requests share one look-up.
 */
export function staffRights(options: StaffRightsOptions): (username: string, sub: string) => Promise<void> {
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();

  const lookUp = (username: string, sub: string, previous: Entry | undefined): Entry => {
    const at = now();
    // Stryker disable next-line StringLiteral: a placeholder, replaced by the look-up's promise on the next line before anyone reads it.
    const entry: Entry = { at, verdict: Promise.resolve('no-account'), ...(previous?.confirmedAt === undefined ? {} : { confirmedAt: previous.confirmedAt }) };
    entry.verdict = options.directory.account(username).then(
      (account) => {
        const verdict = verdictOf(account, sub);
        if (verdict === 'admin') entry.confirmedAt = at;
        else delete entry.confirmedAt;
        return verdict;
      },
      (error: unknown) => {
        // The pool did not answer: a recent enough "yes" still holds; otherwise the request fails (503), and the next one asks again.
        if (entry.confirmedAt !== undefined && at - entry.confirmedAt <= options.graceMs) {
          options.warn?.('staff pool unavailable; an earlier confirmation is used', { username, error });
          entry.at = Math.min(entry.at, at - options.windowMs + 1_000);
          // Stryker disable next-line StringLiteral: any verdict other than the two refusals lets the request through; 'admin' names it.
          return 'admin';
        }
        cache.delete(`${username}\n${sub}`);
        throw error;
      },
    );
    return entry;
  };

  return async (username, sub) => {
    const key = `${username}\n${sub}`;
    let entry = cache.get(key);
    if (!entry || now() - entry.at >= options.windowMs) {
      if (!entry && cache.size >= MAX_CACHED_USERS) cache.clear();
      entry = lookUp(username, sub, entry);
      cache.set(key, entry);
    }
    const verdict = await entry.verdict;
    if (verdict === 'no-account') throw new Unauthenticated('This staff user is disabled or no longer exists.');
    if (verdict === 'not-admin') throw new Forbidden(`Staff must be in the ${STAFF_GROUP} group.`);
  };
}
