/**
 * Edges of an invitation outside the mail: a token of the wrong shape refused before anything is
 * read, an archived contact's link dead, a re-invite refused for a contact that is not pending (or
 * archived, or changed meanwhile; a link asked for before the login exists), whether a link is still
 * open, how the mails name the inviter, an archive that loses a race, and a contact's audit trail
 * only for a contact that exists.
 */
import { Conflict, Gone, NotFound } from '../../lambdas/contract/errors';
import { listAudit } from '../../lambdas/domain/audit';
import { archiveContact, type ContactStore } from '../../lambdas/domain/contacts';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { acceptInvitation, GONE_DETAIL, hashToken, inviterName, isOpen, newToken } from '../../lambdas/domain/portal-access/invitations';
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
  deps = { contacts: access.contactStore, store: access, logins: pool, now, sleep: async () => undefined };
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

describe('a link handed to staff', () => {
  it('is refused while the login is still being made, and when the contact changed meanwhile', async () => {
    invited({ id: 'p1', login: { email: 'p1@example.com' } });
    await expect(reinvite(reinviteDeps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:ann')).rejects.toEqual(
      new Conflict('The invitation is still being prepared (its portal login comes from the outbox within seconds); try again in a moment.'),
    );
    access.contacts.get('p1')!.login = { email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1' };
    access.shareInvitation = async () => false;
    await expect(reinvite(reinviteDeps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:ann')).rejects.toEqual(new Conflict('The contact changed meanwhile; repeat the request.'));
  });
});

describe('whether a link is still open', () => {
  const now = new Date('2026-03-01T10:00:00.000Z');
  const base = { tokenHash: 'h', expiresAt: '2026-03-01T10:00:00.001Z', issuedAt: '2026-03-01T09:00:00.000Z' };
  it('until its expiresAt, unless accepted or recorded expired', () => {
    expect(isOpen(base, now)).toBe(true);
    expect(isOpen(undefined, now)).toBe(false);
    expect(isOpen({ ...base, acceptedAt: '2026-03-01T09:30:00.000Z' }, now)).toBe(false);
    expect(isOpen({ ...base, expiredAt: '2026-03-01T09:30:00.000Z' }, now)).toBe(false);
    expect(isOpen({ ...base, expiresAt: now.toISOString() }, now)).toBe(false);
  });
});

describe('the inviter as the mails name it', () => {
  const warnings: unknown[][] = [];
  const deps = (profile: (u: string) => Promise<{ name?: string } | undefined>) => ({
    staff: { profile },
    config: { businessName: 'Azure Interior' },
    warn: (...args: unknown[]) => void warnings.push(args),
  }) as never;

  it("the staff pool's name (trimmed), else the username; the business for an actor that is not staff", async () => {
    expect(await inviterName(deps(async () => ({ name: '  Mia Staff ' })), 'staff:mia')).toBe('Mia Staff');
    expect(await inviterName(deps(async () => ({ name: '   ' })), 'staff:mia')).toBe('mia');
    expect(await inviterName(deps(async () => undefined), 'staff:mia')).toBe('mia');
    const asked: string[] = [];
    expect(await inviterName(deps(async (u) => (asked.push(u), { name: 'X' })), 'event:crm')).toBe('Azure Interior');
    expect(asked).toEqual([]);
  });

  it('a staff pool that cannot be read: the username, and a warning', async () => {
    warnings.length = 0;
    expect(await inviterName(deps(async () => Promise.reject(new Error('pool down'))), 'staff:mia')).toBe('mia');
    expect(warnings).toEqual([[expect.stringContaining('staff profile not read'), { error: expect.objectContaining({ message: 'pool down' }) }]]);
  });
});

describe('archiving a contact', () => {
  const contact = { id: 'p1', kind: 'person', name: 'P', archived: false, portal: { status: 'none' }, version: 1, createdAt: EXPIRES, updatedAt: EXPIRES } as ContactRecord;
  const world = (failures: unknown[]) => {
    let archives = 0;
    const revoked: string[] = [];
    const store = {
      get: async () => contact,
      archive: async () => {
        archives += 1;
        const failure = failures.shift();
        if (failure) throw failure;
      },
    } as unknown as ContactStore;
    return { deps: { store, revoker: { revokeForArchive: async (id: string) => void revoked.push(id) } }, archives: () => archives, revoked };
  };

  it('that loses a race (the contact changed meanwhile) is tried again, up to five times, then revokes', async () => {
    const w = world([new Conflict('changed'), new Conflict('changed'), new Conflict('changed'), new Conflict('changed')]);
    await archiveContact(w.deps, 'p1', 'staff:ann');
    expect(w.archives()).toBe(5);
    // Before the archive, and after it.
    expect(w.revoked).toEqual(['p1', 'p1']);
  });

  it('losing it a fifth time, or failing otherwise, answers that failure; only the revocation before it was done', async () => {
    const five = world(Array.from({ length: 5 }, () => new Conflict('changed')));
    await expect(archiveContact(five.deps, 'p1', 'staff:ann')).rejects.toEqual(new Conflict('changed'));
    expect(five.archives()).toBe(5);
    const down = world([new Error('table unavailable')]);
    await expect(archiveContact(down.deps, 'p1', 'staff:ann')).rejects.toThrow('table unavailable');
    expect(down.archives()).toBe(1);
    expect([...five.revoked, ...down.revoked]).toEqual(['p1', 'p1']);
  });
});
