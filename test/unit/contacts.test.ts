import {
  archiveContact,
  CompanyUnavailable,
  createContact,
  getContact,
  listContacts,
  restoreContact,
  updateContact,
  type ContactQuery,
  type ContactStore,
  type ContactsDeps,
  type LoginEmailMove,
} from '../../lambdas/domain/contacts';
import type { AuditEntry } from '../../lambdas/domain/audit';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { emailPrefixOf } from '../../lambdas/contract/email';
import { Conflict, EmailInUse, Invalid, NotFound, StaleVersion } from '../../lambdas/contract/errors';

/** An in-memory store that keeps the port's conditions (version, archived, company, live login email). */
class MemoryStore implements ContactStore {
  readonly items = new Map<string, ContactRecord>();
  readonly calls: string[] = [];
  /** Runs once before the next write: a concurrent writer. */
  beforeNextWrite?: () => void;

  private race() {
    const hook = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    hook?.();
  }

  private companyOk(id: string) {
    const company = this.items.get(id);
    return company?.kind === 'company' && !company.archived;
  }

  async get(id: string) {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }

  async create(record: ContactRecord) {
    this.calls.push('create');
    this.race();
    if (record.companyId !== undefined && !this.companyOk(record.companyId)) throw new CompanyUnavailable('gone');
    if (this.items.has(record.id)) throw new Conflict('exists');
    this.items.set(record.id, structuredClone(record));
  }

  /** The login email guards: email → contact id. */
  readonly guards = new Map<string, string>();
  readonly audits: AuditEntry[] = [];

  async update(before: ContactRecord, after: ContactRecord, move?: LoginEmailMove) {
    this.calls.push(move ? `update moving ${move.from} → ${move.to}` : 'update');
    this.race();
    const stored = this.items.get(before.id);
    if (!stored) throw new NotFound('none');
    if (stored.version !== before.version || stored.archived) throw new Conflict('changed');
    const live = ['invited', 'active'].includes(stored.portal.status);
    if (move) {
      if (stored.login?.email !== move.from) throw new Conflict('login changed');
      const holder = this.guards.get(move.to);
      if (holder !== undefined && holder !== before.id && holder !== move.takeOverFrom) throw new EmailInUse('in use');
    } else if (before.email !== after.email && live && stored.login?.email !== after.email) throw new Conflict('login');
    if (after.companyId !== undefined && after.companyId !== before.companyId && !this.companyOk(after.companyId))
      throw new CompanyUnavailable('gone');
    const next = { ...stored, ...pick(after) };
    if (move && next.login) {
      next.login = { ...next.login, email: move.to };
      delete next.invitation;
      this.guards.delete(move.from);
      this.guards.set(move.to, before.id);
      this.audits.push(move.audit);
    }
    this.items.set(before.id, next);
  }

  async archive(before: ContactRecord, at: string, audit: AuditEntry) {
    this.calls.push('archive');
    this.race();
    const stored = this.items.get(before.id);
    if (!stored) throw new NotFound('none');
    if (stored.archived || stored.version !== before.version) throw new Conflict('changed');
    this.items.set(before.id, { ...stored, archived: true, version: stored.version + 1, updatedAt: at });
    this.audits.push(audit);
  }

  async restore(before: ContactRecord, after: ContactRecord, audit: AuditEntry) {
    this.calls.push('restore');
    this.race();
    const stored = this.items.get(before.id);
    if (!stored) throw new NotFound('none');
    if (!stored.archived || stored.version !== before.version || ['invited', 'active'].includes(stored.portal.status)) throw new Conflict('changed');
    this.items.set(before.id, structuredClone(after));
    this.audits.push(audit);
  }

  async list(query: ContactQuery) {
    this.calls.push(`list ${JSON.stringify(query)}`);
    // By the stored status, as the status index finds it.
    const found = [...this.items.values()].filter((c) => !c.archived && (query.portalStatus === undefined || c.portal.status === query.portalStatus));
    return { items: found.slice(0, query.limit) };
  }

  listCompanyPersons(companyId: string, cursor?: string, limit = 100) {
    return this.list({ companyId, limit, ...(cursor === undefined ? {} : { cursor }) });
  }
}

/** The contact-owned fields of a record (optional ones absent when cleared). */
function pick(r: ContactRecord) {
  return { name: r.name, email: r.email, phone: r.phone, companyId: r.companyId, lang: r.lang, version: r.version, updatedAt: r.updatedAt };
}

const ACTOR = 'staff:admin';

function setup() {
  const store = new MemoryStore();
  const revoked: string[] = [];
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  let n = 0;
  const deps: ContactsDeps = {
    store,
    revoker: {
      revokeForArchive: async (id, actor) => {
        store.calls.push('revoke');
        revoked.push(`${id} by ${actor}`);
      },
    },
    now: () => new Date((clock += 1000)),
    newId: () => `id-${++n}`,
  };
  return { store, deps, revoked };
}

describe('createContact', () => {
  test('creates a person at version 1, not archived, without portal access', async () => {
    const { deps, store } = setup();
    const contact = await createContact(deps, { kind: 'person', name: 'Ada', email: 'ada@example.com', phone: '+1 555' });
    expect(contact).toEqual({
      id: 'id-1',
      kind: 'person',
      name: 'Ada',
      email: 'ada@example.com',
      phone: '+1 555',
      archived: false,
      portal: { status: 'none' },
      version: 1,
      createdAt: '2026-01-01T00:00:01.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(store.items.get('id-1')).toEqual(contact);
  });

  test('puts a person into a non-archived company', async () => {
    const { deps } = setup();
    const company = await createContact(deps, { kind: 'company', name: 'Acme' });
    const person = await createContact(deps, { kind: 'person', name: 'Ada', companyId: company.id });
    expect(person.companyId).toBe(company.id);
  });

  test('refuses a company inside a company, with the path companyId', async () => {
    const { deps, store } = setup();
    const company = await createContact(deps, { kind: 'company', name: 'Acme' });
    const error = await createContact(deps, { kind: 'company', name: 'Sub', companyId: company.id }).catch((e) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect(error.path).toBe('companyId');
    expect(store.items.size).toBe(1);
  });

  test.each([
    ['an unknown id', async () => 'nope'],
    ['a person', async (deps: ContactsDeps) => (await createContact(deps, { kind: 'person', name: 'P' })).id],
    [
      'an archived company',
      async (deps: ContactsDeps) => {
        const c = await createContact(deps, { kind: 'company', name: 'Old' });
        await archiveContact(deps, c.id, 'staff:x');
        return c.id;
      },
    ],
  ])('refuses a companyId naming %s with Invalid(companyId)', async (_name, companyOf) => {
    const { deps } = setup();
    const companyId = await companyOf(deps);
    const error = await createContact(deps, { kind: 'person', name: 'Ada', companyId }).catch((e) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect(error.path).toBe('companyId');
  });

  test('a company archived between the check and the write is refused too (the store checks it in the write)', async () => {
    const { deps, store } = setup();
    const company = await createContact(deps, { kind: 'company', name: 'Acme' });
    store.beforeNextWrite = () => store.items.set(company.id, { ...store.items.get(company.id)!, archived: true });
    const error = await createContact(deps, { kind: 'person', name: 'Ada', companyId: company.id }).catch((e) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect(error.path).toBe('companyId');
  });
});

describe('getContact', () => {
  test('answers the public view, without the login or the invitation', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    store.items.set(id, {
      ...store.items.get(id)!,
      portal: { status: 'invited' },
      login: { email: 'a@b.co', username: 'u', sub: 's' },
      invitation: { tokenHash: 'h', expiresAt: 'x' },
    });
    const contact = await getContact(deps, id);
    expect(contact).not.toHaveProperty('login');
    expect(contact).not.toHaveProperty('invitation');
    expect(contact.portal.status).toBe('invited');
  });

  test('an unknown id is NotFound', async () => {
    const { deps } = setup();
    await expect(getContact(deps, 'nope')).rejects.toBeInstanceOf(NotFound);
  });
});

describe('updateContact', () => {
  test('changes the given fields, clears those set to null, bumps the version and updatedAt', async () => {
    const { deps } = setup();
    const created = await createContact(deps, { kind: 'person', name: 'Ada', email: 'a@b.co', phone: '1' });
    const updated = await updateContact(deps, created.id, { name: 'Ada L', email: null, phone: undefined }, undefined, ACTOR);
    expect(updated).toMatchObject({ name: 'Ada L', phone: '1', version: 2 });
    expect(updated).not.toHaveProperty('email');
    expect(updated.updatedAt > created.updatedAt).toBe(true);
    expect(updated.createdAt).toBe(created.createdAt);
  });

  test('a patch that changes nothing writes nothing and keeps the version', async () => {
    const { deps, store } = setup();
    const created = await createContact(deps, { kind: 'person', name: 'Ada' });
    const same = await updateContact(deps, created.id, { name: 'Ada', email: null }, 1, ACTOR);
    expect(same.version).toBe(1);
    expect(store.calls).not.toContain('update');
  });

  test('If-Match: the current version passes, a stale one is a Conflict and writes nothing', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    expect((await updateContact(deps, id, { name: 'B' }, 1, ACTOR)).version).toBe(2);
    await expect(updateContact(deps, id, { name: 'C' }, 1, ACTOR)).rejects.toThrow(StaleVersion);
    expect(store.items.get(id)?.name).toBe('B');
  });

  test('without If-Match, a lost version race is retried on the fresh contact: both changes survive', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    store.beforeNextWrite = () => store.items.set(id, { ...store.items.get(id)!, phone: '42', version: 2 });
    const updated = await updateContact(deps, id, { name: 'Grace' }, undefined, ACTOR);
    expect(updated).toMatchObject({ name: 'Grace', phone: '42', version: 3 });
    expect(store.calls.filter((c) => c === 'update')).toHaveLength(2);
  });

  test('with If-Match, a lost version race is a Conflict', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    store.beforeNextWrite = () => store.items.set(id, { ...store.items.get(id)!, version: 2 });
    await expect(updateContact(deps, id, { name: 'Grace' }, 1, ACTOR)).rejects.toThrow(Conflict);
    expect(store.items.get(id)?.name).toBe('Ada');
  });

  test('an archived contact cannot be changed; an unknown one is NotFound', async () => {
    const { deps } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    await archiveContact(deps, id, 'staff:x');
    await expect(updateContact(deps, id, { name: 'B' }, undefined, ACTOR)).rejects.toThrow(/archived/);
    await expect(updateContact(deps, 'nope', { name: 'B' }, undefined, ACTOR)).rejects.toBeInstanceOf(NotFound);
  });

  describe('the email of a contact with a portal login', () => {
    async function withLogin(status: 'invited' | 'active' | 'revoked' | 'expired') {
      const s = setup();
      const { id } = await createContact(s.deps, { kind: 'person', name: 'Ada', email: 'ada@a.co' });
      s.store.items.set(id, { ...s.store.items.get(id)!, portal: { status }, login: { email: 'ada@a.co', username: 'u', sub: 's' } });
      return { ...s, id };
    }

    test.each(['invited', 'active'] as const)('cannot change while %s (409, says to revoke first)', async (status) => {
      const { deps, id, store } = await withLogin(status);
      await expect(updateContact(deps, id, { email: 'other@a.co' }, undefined, ACTOR)).rejects.toThrow(/revoke/);
      await expect(updateContact(deps, id, { email: null }, undefined, ACTOR)).rejects.toBeInstanceOf(Conflict);
      expect(store.items.get(id)?.email).toBe('ada@a.co');
    });

    test('may change once revoked, and other fields may change while active', async () => {
      const revoked = await withLogin('revoked');
      expect((await updateContact(revoked.deps, revoked.id, { email: 'new@a.co' }, undefined, ACTOR)).email).toBe('new@a.co');
      const active = await withLogin('active');
      expect((await updateContact(active.deps, active.id, { name: 'Ada L', email: 'ada@a.co' }, undefined, ACTOR)).name).toBe('Ada L');
    });

    describe('with the login mover (the contacts function)', () => {
      function mover(store: MemoryStore, seen: string[]) {
        return {
          moveLoginEmail: async (current: ContactRecord, next: ContactRecord, actor: string, write: (move: LoginEmailMove) => Promise<void>) => {
            seen.push(`${current.login?.email} → ${next.email} by ${actor}`);
            const holder = store.guards.get(next.email as string);
            if (holder !== undefined && holder !== current.id) throw new EmailInUse("another contact's login");
            await write({ from: current.login!.email, to: next.email as string, at: 'now', audit: { at: 'now', actor, action: 'portal.login-email-changed', contactId: current.id, details: {} } });
          },
        };
      }

      test.each(['invited', 'active'] as const)('while %s, the email and the login move together, in one write, and the access stays', async (status) => {
        const s = await withLogin(status);
        s.store.guards.set('ada@a.co', s.id);
        s.store.items.set(s.id, { ...s.store.items.get(s.id)!, invitation: { tokenHash: 'h', expiresAt: 'later' } });
        const seen: string[] = [];
        const updated = await updateContact({ ...s.deps, loginEmails: mover(s.store, seen) }, s.id, { email: 'new@a.co' }, undefined, ACTOR);
        expect(updated).toMatchObject({ email: 'new@a.co', portal: { status }, version: 2 });
        expect(seen).toEqual(['ada@a.co → new@a.co by staff:admin']);
        expect(s.store.calls).toContain('update moving ada@a.co → new@a.co');
        const stored = s.store.items.get(s.id)!;
        expect(stored.login).toEqual({ email: 'new@a.co', username: 'u', sub: 's' });
        expect(stored.invitation).toBeUndefined();
        expect([...s.store.guards]).toEqual([['new@a.co', s.id]]);
        expect(s.store.audits.map((a) => a.action)).toEqual(['portal.login-email-changed']);
      });

      test.each(['revoked', 'expired'] as const)('while %s, the login kept for a re-grant moves with the email (the old address is freed); removing the email leaves it', async (status) => {
        const s = await withLogin(status);
        s.store.guards.set('ada@a.co', s.id);
        const seen: string[] = [];
        const updated = await updateContact({ ...s.deps, loginEmails: mover(s.store, seen) }, s.id, { email: 'new@a.co' }, undefined, ACTOR);
        expect(updated).toMatchObject({ email: 'new@a.co', portal: { status } });
        expect(seen).toEqual(['ada@a.co → new@a.co by staff:admin']);
        expect(s.store.items.get(s.id)!.login).toEqual({ email: 'new@a.co', username: 'u', sub: 's' });
        expect([...s.store.guards]).toEqual([['new@a.co', s.id]]);
        const removed = await withLogin(status);
        expect((await updateContact({ ...removed.deps, loginEmails: mover(removed.store, []) }, removed.id, { email: null }, undefined, ACTOR)).email).toBeUndefined();
        expect(removed.store.calls.filter((c) => c.startsWith('update moving'))).toEqual([]);
      });

      test("another contact's login under the new email is 409 email-in-use, at once, and nothing changes", async () => {
        const s = await withLogin('active');
        s.store.guards.set('taken@a.co', 'someone-else');
        const error = await updateContact({ ...s.deps, loginEmails: mover(s.store, []) }, s.id, { email: 'taken@a.co' }, undefined, ACTOR).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EmailInUse);
        expect(s.store.items.get(s.id)?.email).toBe('ada@a.co');
        expect(s.store.calls.filter((c) => c.startsWith('update'))).toEqual([]);
      });

      test('the email of a live login is never removed, mover or not', async () => {
        const s = await withLogin('active');
        await expect(updateContact({ ...s.deps, loginEmails: mover(s.store, []) }, s.id, { email: null }, undefined, ACTOR)).rejects.toThrow(/cannot be removed|not removed/);
      });
    });

    test('a login that appears between the read and the write still refuses the change', async () => {
      const { deps, store } = setup();
      const { id } = await createContact(deps, { kind: 'person', name: 'Ada', email: 'ada@a.co' });
      store.beforeNextWrite = () =>
        store.items.set(id, { ...store.items.get(id)!, portal: { status: 'invited' }, login: { email: 'ada@a.co' } });
      await expect(updateContact(deps, id, { email: 'x@a.co' }, undefined, ACTOR)).rejects.toThrow(/revoke/);
    });
  });

  describe('companyId', () => {
    test('moves a person into a company, out of it (null), and refuses an archived or unknown company', async () => {
      const { deps } = setup();
      const acme = await createContact(deps, { kind: 'company', name: 'Acme' });
      const old = await createContact(deps, { kind: 'company', name: 'Old' });
      await archiveContact(deps, old.id, 'staff:x');
      const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
      expect((await updateContact(deps, id, { companyId: acme.id }, undefined, ACTOR)).companyId).toBe(acme.id);
      for (const companyId of [old.id, 'nope', id]) {
        const error = await updateContact(deps, id, { companyId }, undefined, ACTOR).catch((e) => e);
        expect(error).toBeInstanceOf(Invalid);
        expect(error.path).toBe('companyId');
      }
      expect(await updateContact(deps, id, { companyId: null }, undefined, ACTOR)).not.toHaveProperty('companyId');
    });

    test('a person of a company archived later keeps its companyId and can still be renamed', async () => {
      const { deps } = setup();
      const acme = await createContact(deps, { kind: 'company', name: 'Acme' });
      const { id } = await createContact(deps, { kind: 'person', name: 'Ada', companyId: acme.id });
      await archiveContact(deps, acme.id, 'staff:x');
      const renamed = await updateContact(deps, id, { name: 'Ada L', companyId: acme.id }, undefined, ACTOR);
      expect(renamed).toMatchObject({ name: 'Ada L', companyId: acme.id });
    });

    test('a company cannot be given a companyId', async () => {
      const { deps } = setup();
      const acme = await createContact(deps, { kind: 'company', name: 'Acme' });
      const other = await createContact(deps, { kind: 'company', name: 'Other' });
      const error = await updateContact(deps, acme.id, { companyId: other.id }, undefined, ACTOR).catch((e) => e);
      expect(error).toBeInstanceOf(Invalid);
      expect(error.path).toBe('companyId');
    });
  });
});

describe('archiveContact', () => {
  test('revokes portal access, archives, then revokes again (whoever got access meanwhile), with the actor', async () => {
    const { deps, store, revoked } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    await archiveContact(deps, id, 'staff:admin');
    expect(store.items.get(id)).toMatchObject({ archived: true, version: 2 });
    expect(revoked).toEqual([`${id} by staff:admin`, `${id} by staff:admin`]);
    expect(store.calls.slice(-3)).toEqual(['revoke', 'archive', 'revoke']);
  });

  test('is idempotent: an archived contact is not written again, but the revocation is repeated (it may have failed)', async () => {
    const { deps, store, revoked } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    await archiveContact(deps, id, 'staff:a');
    await archiveContact(deps, id, 'staff:a');
    expect(store.calls.filter((c) => c === 'archive')).toHaveLength(1);
    expect(store.items.get(id)?.version).toBe(2);
    expect(store.calls.slice(-1)).toEqual(['revoke']);
    expect(revoked).toHaveLength(3);
  });

  test('an unknown contact is NotFound and revokes nothing', async () => {
    const { deps, revoked } = setup();
    await expect(archiveContact(deps, 'nope', 'staff:a')).rejects.toBeInstanceOf(NotFound);
    expect(revoked).toEqual([]);
  });

  test('a revocation that fails fails the call before the archive is written: the contact is not archived (still offered for archiving), and a repeat completes it', async () => {
    const { deps, store, revoked } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    const failing = { ...deps, revoker: { revokeForArchive: async () => Promise.reject(new Error('table down')) } };
    await expect(archiveContact(failing, id, 'staff:a')).rejects.toThrow('table down');
    expect(store.items.get(id)?.archived).toBe(false);
    expect(store.calls).not.toContain('archive');
    await archiveContact(deps, id, 'staff:a');
    expect(store.items.get(id)?.archived).toBe(true);
    expect(revoked).toHaveLength(2);
  });
});

describe('restoreContact', () => {
  test('an archived contact comes back at a new version, its access still revoked and its former login forgotten, audited', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada', email: 'ada@a.co' });
    await archiveContact(deps, id, ACTOR);
    store.items.set(id, { ...store.items.get(id)!, portal: { status: 'revoked', revokedAt: 't' }, login: { email: 'ada@a.co', username: 'u', sub: 's', disabledAt: 't' } });
    const restored = await restoreContact(deps, id, ACTOR);
    expect(restored).toMatchObject({ id, archived: false, email: 'ada@a.co', portal: { status: 'revoked' }, version: 3 });
    expect(store.items.get(id)?.login).toBeUndefined();
    expect(store.audits).toEqual([
      expect.objectContaining({ action: 'contact.archived', contactId: id, actor: ACTOR, details: { portalStatus: 'none' } }),
      expect.objectContaining({ action: 'contact.restored', contactId: id, actor: ACTOR, details: { portalStatus: 'revoked' } }),
    ]);
  });

  test('a contact that is not archived is answered as it is; an unknown one is NotFound', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    expect(await restoreContact(deps, id, ACTOR)).toMatchObject({ archived: false, version: 1 });
    expect(store.calls).not.toContain('restore');
    await expect(restoreContact(deps, 'nope', ACTOR)).rejects.toBeInstanceOf(NotFound);
  });

  test("an archive whose revocation has not finished is 409: restoring never restores access", async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    await archiveContact(deps, id, ACTOR);
    store.items.set(id, { ...store.items.get(id)!, portal: { status: 'active' } });
    await expect(restoreContact(deps, id, ACTOR)).rejects.toThrow(/DELETE/);
    expect(store.items.get(id)?.archived).toBe(true);
  });

  test('a person of a company archived meanwhile is restored into that company (as its never-archived siblings are)', async () => {
    const { deps } = setup();
    const acme = await createContact(deps, { kind: 'company', name: 'Acme' });
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada', companyId: acme.id });
    await archiveContact(deps, id, ACTOR);
    await archiveContact(deps, acme.id, ACTOR);
    expect(await restoreContact(deps, id, ACTOR)).toMatchObject({ archived: false, companyId: acme.id });
  });
});

describe('listContacts', () => {
  test('portalStatus and archived reach the store; archived=false is the default listing', async () => {
    const { deps, store } = setup();
    await listContacts(deps, { portalStatus: 'active', archived: true, limit: 5 });
    await listContacts(deps, { portalStatus: 'none', archived: false, limit: 5 });
    // Each listing judges the status at its own moment (the test clock moves a second a reading).
    expect(store.calls).toEqual([
      `list ${JSON.stringify({ limit: 5, portalStatus: 'active', at: '2026-01-01T00:00:01.000Z', archived: true })}`,
      `list ${JSON.stringify({ limit: 5, portalStatus: 'none', at: '2026-01-01T00:00:02.000Z' })}`,
    ]);
  });

  test('an access past its until that the job has not marked yet is expired in the listing, and left out of the active one', async () => {
    const { deps, store } = setup();
    const ended = await createContact(deps, { kind: 'person', name: 'Ended' });
    const going = await createContact(deps, { kind: 'person', name: 'Going' });
    store.items.set(ended.id, { ...store.items.get(ended.id)!, portal: { status: 'active', until: '2025-12-31T00:00:00.000Z' } });
    store.items.set(going.id, { ...store.items.get(going.id)!, portal: { status: 'active', until: '2027-01-01T00:00:00.000Z' } });
    expect((await listContacts(deps, { portalStatus: 'active', limit: 10 })).items.map((c) => c.id)).toEqual([going.id]);
    expect((await listContacts(deps, { limit: 10 })).items.map((c) => [c.id, c.portal.status])).toEqual([
      [ended.id, 'expired'],
      [going.id, 'active'],
    ]);
  });

  test('a q with an @ searches emails (normalised), any other q names; companyId narrows to a company', async () => {
    const { deps, store } = setup();
    await listContacts(deps, { q: 'Ada', limit: 10 });
    await listContacts(deps, { q: 'ADA@Bücher.', limit: 10, companyId: 'c1', cursor: 'k' });
    expect(store.calls).toEqual([
      `list ${JSON.stringify({ limit: 10, namePrefix: 'Ada' })}`,
      `list ${JSON.stringify({ limit: 10, companyId: 'c1', cursor: 'k', emailPrefix: 'ada@xn--bcher-kva.' })}`,
    ]);
  });

  test('answers public views and no nextCursor when the store has none', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada' });
    store.items.set(id, { ...store.items.get(id)!, login: { email: 'a@b.co' } });
    const page = await listContacts(deps, { limit: 10 });
    expect(page).toEqual({ items: [expect.not.objectContaining({ login: expect.anything() })] });
  });
});

test('emailPrefixOf lower-cases and punycodes an internationalised domain', () => {
  expect(emailPrefixOf(' Bob@Example.COM ')).toBe('bob@example.com');
  expect(emailPrefixOf('bob@bücher.de')).toBe('bob@xn--bcher-kva.de');
  expect(emailPrefixOf('@')).toBe('@');
});

describe('fields changed alone', () => {
  test('a language given at creation is kept; a phone or a language changed on its own is written', async () => {
    const { deps, store } = setup();
    const { id } = await createContact(deps, { kind: 'person', name: 'Ada', phone: '+31 20 000 0000', lang: 'nl' });
    expect(store.items.get(id)).toMatchObject({ lang: 'nl' });
    await updateContact(deps, id, { phone: '+31 20 111 1111' }, undefined, ACTOR);
    expect(store.items.get(id)).toMatchObject({ phone: '+31 20 111 1111', version: 2 });
    await updateContact(deps, id, { lang: 'en' }, undefined, ACTOR);
    expect(store.items.get(id)).toMatchObject({ lang: 'en', version: 3 });
  });
});
