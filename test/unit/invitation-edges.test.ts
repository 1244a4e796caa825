/**
 * Edges of an invitation outside the mail: a token of the wrong shape refused before anything is
 * read, an archived contact's link dead, a re-invite refused for a contact that is not pending (or
 * archived, or changed meanwhile), and a contact's audit trail only for a contact that exists.
 */
import { Conflict, Gone, NotFound } from '../../lambdas/contract/errors';
import { listAudit } from '../../lambdas/domain/audit';
import { acceptInvitation, GONE_DETAIL, hashToken, newToken } from '../../lambdas/domain/portal-access/invitations';
import type { AcceptDeps, ReinviteDeps } from '../../lambdas/domain/portal-access/ports';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { MemoryPool } from './customer-pool.fakes';
import { MemoryAccess } from './portal-access.fakes';

const EXPIRES = '2026-03-08T10:00:00.000Z';
const GOOD = 'Abcdefgh1!xy';
let access: MemoryAccess;
let pool: MemoryPool;
let reads: number;
let deps: AcceptDeps;
let reinviteDeps: ReinviteDeps;

beforeEach(() => {
  access = new MemoryAccess();
  pool = new MemoryPool();
  reads = 0;
  const get = access.getInvitation.bind(access);
  access.getInvitation = async (hash) => {
    reads += 1;
    return get(hash);
  };
  const now = () => new Date('2026-03-01T10:00:00.000Z');
  deps = { contacts: access.contactStore, store: access, logins: pool, now };
  let ids = 0;
  reinviteDeps = {
    contacts: access.contactStore,
    store: access,
    now,
    config: { applyConcurrency: 4, portalUrl: 'https://portal.example', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400 },
    newId: () => `o-${++ids}`,
    warn: () => undefined,
  };
});

function invited(over: Parameters<MemoryAccess['add']>[0] = { id: 'p1' }): string {
  const token = newToken();
  const tokenHash = hashToken(token);
  access.add({
    email: 'p1@example.com',
    portal: { status: 'invited', invitedAt: '2026-03-01T09:00:00.000Z', delivery: 'sent' },
    login: { email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1' },
    invitation: { tokenHash, expiresAt: EXPIRES, issuedAt: '2026-03-01T09:00:00.000Z', sentAt: '2026-03-01T09:00:01.000Z' },
    ...over,
  });
  access.invitations.set(tokenHash, { contactId: over.id, expiresAt: EXPIRES });
  pool.seed('user-p1', 'p1@example.com', 'sub-p1');
  return token;
}

describe('accepting', () => {
  it('a token with anything before or after its 43 characters is gone before anything is read', async () => {
    const token = invited();
    for (const shaped of [`!${token}`, `${token}!`, `${token}\n`, token.slice(1)]) {
      await expect(acceptInvitation(deps, shaped, GOOD)).rejects.toEqual(new Gone(GONE_DETAIL));
    }
    expect(reads).toBe(0);
    expect(GONE_DETAIL).toBe('This invitation cannot be used any more. Ask for a new one.');
  });

  it("an archived contact's link is gone: no password set, the contact unchanged", async () => {
    const token = invited({ id: 'p1', archived: true });
    await expect(acceptInvitation(deps, token, GOOD)).rejects.toEqual(new Gone(GONE_DETAIL));
    expect(pool.calls).toEqual([]);
    expect(access.contact('p1').portal.status).toBe('invited');
  });
});

describe('re-inviting', () => {
  it.each<[string, Partial<Parameters<MemoryAccess['add']>[0]>]>([
    ['active', { portal: { status: 'active', activatedAt: '2026-03-01T09:30:00.000Z' } }],
    ['revoked', { portal: { status: 'revoked', revokedAt: '2026-03-01T09:30:00.000Z' } }],
    ['invited but archived', { archived: true }],
  ])('a contact %s: 409, nothing queued', async (_, over) => {
    invited({ id: 'p1', ...over });
    await expect(reinvite(reinviteDeps, 'p1', { contactId: 'p1' }, 'staff:ann')).rejects.toEqual(new Conflict('Only a contact whose invitation is pending can be re-invited.'));
    expect(access.pending).toEqual([]);
  });

  it('a contact changed between the read and the write: 409, to be repeated', async () => {
    invited();
    access.requeueInvitation = async () => false;
    await expect(reinvite(reinviteDeps, 'p1', { contactId: 'p1' }, 'staff:ann')).rejects.toEqual(new Conflict('The contact changed meanwhile; repeat the request.'));
  });

  it('is audited with the login email', async () => {
    invited();
    await reinvite(reinviteDeps, 'p1', { contactId: 'p1' }, 'staff:ann');
    expect(access.audit).toEqual([expect.objectContaining({ action: 'portal.reinvited', actor: 'staff:ann', details: { email: 'p1@example.com' } })]);
  });
});

describe("a contact's audit trail", () => {
  const page = { items: [], nextCursor: 'c2' };
  const store = (calls: unknown[][]) => ({ list: async (...args: unknown[]) => (calls.push(args), page) }) as never;

  it('is the store’s page for a contact that exists', async () => {
    const calls: unknown[][] = [];
    expect(await listAudit({ audit: store(calls), contactExists: async () => true }, 'p1', 'c1', 25)).toBe(page);
    expect(calls).toEqual([['p1', 'c1', 25]]);
  });

  it('is 404 "No such contact." for one that does not, without reading the trail', async () => {
    const calls: unknown[][] = [];
    await expect(listAudit({ audit: store(calls), contactExists: async () => false }, 'nope', undefined, 25)).rejects.toEqual(new NotFound('No such contact.'));
    expect(calls).toEqual([]);
  });
});
