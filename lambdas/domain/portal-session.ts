/**
 * The check in front of every portal request. A Cognito access token outlives a revocation and an
 * access's end, so the token alone proves nothing: the backend's own access record decides, read
 * strongly consistent on every request, against the request's clock — a revoked, archived,
 * not-yet-accepted or expired (`until` reached, job or no job) contact is refused at once.
 *
 * The check need not hold the request up: a request starts with what this container saw of the
 * same login last time (`guess`), so the reads it needs can start at the same moment as the check;
 * their results are used only once the check has passed, and only those the checked viewer needs
 * (early-reads.ts).
 */
import { accessActive } from './access-policy';
import type { ContactRecord } from './contact-record';
import { AccessEnded, Unauthenticated } from '../contract/errors';

export interface PortalSessionStore {
  /**
   * The contact whose portal login has this Cognito `sub`. The store may answer from a cache unless
   * `fresh`: the pointer is only rewritten when a login moves to another contact, which is rare.
   */
  contactIdOfSubject(sub: string, fresh?: boolean): Promise<string | undefined>;
  /** The contact, strongly consistent. */
  contact(id: string): Promise<ContactRecord | undefined>;
  /** What this container last let in under this subject: a guess to start reads with, never a decision. */
  recall(sub: string): ContactRecord | undefined;
  remember(sub: string, contact: ContactRecord): void;
}

/**
 * The first second (epoch seconds, as a token's `iat`) whose tokens outlive a login's move to a new
 * email at `movedAt`: `iat` counts whole seconds, so a token of the move's own second may predate it
 * and is refused too.
 */
export const firstSecondAfterMove = (movedAt: string): number => Math.floor(Date.parse(movedAt) / 1000) + 1;

/**
 * Waits until the whole second after `instant` has begun (at most a second) and answers that moment:
 * a token issued from then on (`iat`, whole seconds) is of a later second than `instant`'s. A timer may
 * end a little early: the answer is never before that second.
 */
export async function untilTheNextSecond(deps: { now: () => Date; sleep: (ms: number) => Promise<void> }, instant: string): Promise<string> {
  const nextSecond = firstSecondAfterMove(instant) * 1000;
  const wait = nextSecond - deps.now().getTime();
  if (wait > 0) await deps.sleep(wait);
  return new Date(Math.max(deps.now().getTime(), nextSecond)).toISOString();
}

/**
 * The portal user behind a token's subject, or `AccessEnded` (401) unless its access is active at
 * `now` (an access past its `until` has ended like a revoked one). A token of a session begun
 * (`sessionBegan`, epoch seconds: the token's `iat`, or its sign-in's `auth_time` when earlier —
 * http-kit/principal.ts `sessionBeganAt`) before the access became active is refused as well: it
 * predates a revocation that a re-grant has since lifted, or belongs to the archived contact whose
 * login a new contact took over: plain `Unauthenticated`, since signing in again may help.
 */
export async function portalUser(store: PortalSessionStore, sub: string, sessionBegan: number | undefined, now: Date): Promise<ContactRecord> {
  const attempt = async (fresh: boolean) => {
    const contactId = await store.contactIdOfSubject(sub, fresh);
    const contact = contactId === undefined ? undefined : await store.contact(contactId);
    return contact && contact.login?.sub === sub && accessActive(contact, now) ? contact : undefined;
  };
  // A refusal is confirmed against the pointer itself, in case a cached one is out of date.
  const contact = (await attempt(false)) ?? (await attempt(true));
  if (!contact) throw new AccessEnded('Portal access is not active for this login.');
  const activatedAt = contact.portal.activatedAt ? Math.floor(Date.parse(contact.portal.activatedAt) / 1000) : undefined;
  if (sessionBegan !== undefined && activatedAt !== undefined && sessionBegan < activatedAt)
    throw new Unauthenticated('This token was issued before the portal access was granted; sign in again.');
  // The login moved to a new email: sessions begun under the old one end (the access itself stays).
  const signedOutAt = contact.login?.signedOutAt ? firstSecondAfterMove(contact.login.signedOutAt) : undefined;
  if (sessionBegan !== undefined && signedOutAt !== undefined && sessionBegan < signedOutAt)
    throw new Unauthenticated("This token was issued before the login's email changed; sign in again.");
  store.remember(sub, contact);
  return contact;
}

/** A portal request under way: its clock, the guessed viewer, and the check that decides. */
export interface PortalCaller {
  readonly now: Date;
  /** What this container saw of the login last time; `undefined` on its first request here. */
  readonly guess: ContactRecord | undefined;
  /** The access check: the viewer, active at `now`, or `AccessEnded`/`Unauthenticated`. Await it before answering anything. */
  readonly viewer: Promise<ContactRecord>;
  /** The same check, for the HTTP kit: a refused access wins over a bad parameter. */
  readonly checked: Promise<unknown>;
}

/** Starts the access check of a request and answers at once, so the request's reads can start beside it. */
export function startPortalRequest(store: PortalSessionStore, sub: string, sessionBegan: number | undefined, now: Date): PortalCaller {
  const guess = store.recall(sub);
  const viewer = portalUser(store, sub, sessionBegan, now);
  // Whoever awaits it handles a refusal; until then it must not count as an unhandled rejection.
  viewer.catch(() => undefined);
  return { now, guess, viewer, checked: viewer };
}
