/**
 * The check in front of every portal request, at the edges the main suite (portal-visibility.test.ts)
 * leaves open: what a refused login is told, a pointer to a contact without a login, and a token's
 * issue time against the access's activation when either is unknown or in the same second.
 */
import { AccessEnded, Unauthenticated } from '../../lambdas/contract/errors';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { portalUser, type PortalSessionStore } from '../../lambdas/domain/portal-session';
import { toProblem } from '../../lambdas/http-kit/problem';

const NOW = new Date('2026-11-10T12:00:00.000Z');
const ACTIVATED = '2026-11-10T11:00:00.500Z';
const activatedSecond = Math.floor(Date.parse(ACTIVATED) / 1000);

function store(contact: ContactRecord | undefined): PortalSessionStore {
  return {
    contactIdOfSubject: async (sub) => (sub === 'sub-1' ? 'p1' : undefined),
    contact: async (id) => (id === contact?.id ? structuredClone(contact) : undefined),
    recall: () => undefined,
    remember: () => undefined,
  };
}

const active = (portal: Partial<ContactRecord['portal']> = {}, over: Partial<ContactRecord> = {}): ContactRecord => ({
  id: 'p1',
  kind: 'person',
  name: 'P',
  archived: false,
  portal: { status: 'active', activatedAt: ACTIVATED, ...portal },
  login: { email: 'p1@example.com', username: 'user-1', sub: 'sub-1' },
  version: 1,
  createdAt: ACTIVATED,
  updatedAt: ACTIVATED,
  ...over,
});

const outcome = (promise: Promise<unknown>) => promise.then(() => 'let in', (error: unknown) => error);

it('a login whose access is not active is told so (401)', async () => {
  const refused = await outcome(portalUser(store(active({ status: 'revoked' })), 'sub-1', undefined, NOW));
  expect(refused).toEqual(new AccessEnded('Portal access is not active for this login.'));
  expect(toProblem(refused).status).toBe(401);
});

it('a pointer to a contact that has no login (any more) lets nobody in', async () => {
  const { login: _login, ...withoutLogin } = active();
  expect(await outcome(portalUser(store(withoutLogin), 'sub-1', activatedSecond, NOW))).toEqual(new AccessEnded('Portal access is not active for this login.'));
});

describe("a token's issue time against the access's activation", () => {
  it('before it: 401, sign in again', async () => {
    const refused = await outcome(portalUser(store(active()), 'sub-1', activatedSecond - 1, NOW));
    expect(refused).toEqual(new Unauthenticated('This token was issued before the portal access was granted; sign in again.'));
    expect(toProblem(refused).status).toBe(401);
  });

  it('in the same second, or later: let in', async () => {
    expect(await outcome(portalUser(store(active()), 'sub-1', activatedSecond, NOW))).toBe('let in');
    expect(await outcome(portalUser(store(active()), 'sub-1', activatedSecond + 60, NOW))).toBe('let in');
  });

  it('either unknown (a token without iat, an access activated before the time was recorded): let in', async () => {
    expect(await outcome(portalUser(store(active()), 'sub-1', undefined, NOW))).toBe('let in');
    expect(await outcome(portalUser(store(active({ activatedAt: undefined })), 'sub-1', 0, NOW))).toBe('let in');
  });
});
