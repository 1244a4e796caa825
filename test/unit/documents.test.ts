import type { ContactRecord } from '../../lambdas/domain/contact-record';
import {
  addGrant,
  deleteDocument,
  expireGrant,
  listGrants,
  MAX_EXPLICIT_GRANTS,
  putDocument,
  removeGrant,
  StaleVersion,
  type DocumentChange,
  type DocumentDeps,
  type DocumentStore,
  type StoredDocument,
  type StoredGrant,
} from '../../lambdas/domain/documents';
import { Conflict, Invalid, NotFound } from '../../lambdas/contract/errors';
import type { Document } from '../../lambdas/contract/schemas/documents';

const T0 = new Date('2026-11-01T10:00:00.000Z');
const T1 = new Date('2026-11-02T10:00:00.000Z');
const T2 = new Date('2026-11-03T10:00:00.000Z');

const contact = (id: string, archived = false): ContactRecord => ({
  id,
  kind: 'person',
  name: id,
  archived,
  portal: { status: 'none' },
  version: 1,
  createdAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
});

/** A store that keeps one document and its grants, applies changes as the transaction would, and can lose races on demand. */
function fakeStore(initial?: StoredDocument, grants: (string | StoredGrant)[] = []) {
  let stored = initial;
  let granted: StoredGrant[] = grants.map((g) => (typeof g === 'string' ? { contactId: g } : g));
  const writes: DocumentChange[] = [];
  let racesToLose = 0;
  const store: DocumentStore = {
    get: async () => stored,
    grants: async () => granted.map((g) => ({ ...g })),
    async write(change) {
      writes.push(change);
      if (racesToLose > 0) {
        racesToLose--;
        throw new StaleVersion('lost a race');
      }
      switch (change.kind) {
        case 'create':
          stored = { document: change.document, version: 1 };
          break;
        case 'replace':
          stored = { document: change.document, version: change.previous.version + 1 };
          granted = granted.filter((g) => !change.dropGrants.some((d) => d.contactId === g.contactId));
          break;
        case 'delete':
          stored = undefined;
          granted = [];
          break;
        case 'grant':
          granted = [...granted.filter((g) => g.contactId !== change.grant.contactId), change.grant];
          stored = { ...change.current, version: change.current.version + 1 };
          break;
        case 'ungrant':
          granted = granted.filter((g) => g.contactId !== change.grant.contactId);
          stored = { ...change.current, version: change.current.version + 1 };
          break;
      }
    },
    list: async () => ({ items: [] }),
  };
  return {
    store,
    writes,
    loseRaces: (n: number) => (racesToLose = n),
    current: () => stored,
    granted: () => granted.map((g) => g.contactId),
  };
}

const contacts = { get: async (id: string) => (id.startsWith('archived') ? contact(id, true) : id.startsWith('nobody') ? undefined : contact(id)) };
const deps = (store: DocumentStore, now = T1): DocumentDeps => ({ store, contacts, now: () => now });
const invoice = (customerId: string, over: Partial<Document> = {}): Document => ({
  type: 'invoice',
  id: 'INV-1',
  customerId,
  name: 'Invoice 1',
  createdAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
  ...over,
});

describe('putDocument', () => {
  test('creates a new document with createdAt = updatedAt = now', async () => {
    const fake = fakeStore();
    const result = await putDocument(deps(fake.store, T0), 'invoice', 'INV-1', { customerId: 'c1', name: 'Invoice 1', amount: 12.5 });
    expect(result.created).toBe(true);
    expect(result.document).toEqual({ ...invoice('c1'), amount: 12.5 });
    expect(fake.writes.map((w) => w.kind)).toEqual(['create']);
  });

  test('replaces an existing one, keeping createdAt and rewriting the copies of its explicit grants', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 3 }, ['g1', 'g2']);
    const result = await putDocument(deps(fake.store), 'invoice', 'INV-1', { customerId: 'c1', name: 'Renamed' });
    expect(result).toEqual({ created: false, document: { ...invoice('c1'), name: 'Renamed', updatedAt: T1.toISOString() } });
    expect(fake.writes[0]).toMatchObject({ kind: 'replace', previous: { version: 3 }, grants: [{ contactId: 'g1' }, { contactId: 'g2' }], dropGrants: [] });
  });

  test("moving a document to a contact it was shared with turns that explicit grant into the implicit one", async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 }, ['g1', 'c2']);
    await putDocument(deps(fake.store), 'invoice', 'INV-1', { customerId: 'c2', name: 'Invoice 1' });
    expect(fake.writes[0]).toMatchObject({ kind: 'replace', grants: [{ contactId: 'g1' }], dropGrants: [{ contactId: 'c2' }] });
  });

  test.each(['nobody-1', 'archived-1'])('refuses a customer that is %s with a 400 on customerId', async (customerId) => {
    const fake = fakeStore();
    const error = await putDocument(deps(fake.store), 'invoice', 'INV-1', { customerId, name: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).path).toBe('customerId');
    expect(fake.writes).toHaveLength(0);
  });

  test('a customer archived during the write (the transaction refused it) is a 400 on the retry', async () => {
    let archived = false;
    const fake = fakeStore();
    fake.loseRaces(1);
    const contactsMeanwhile = { get: async (id: string) => { const c = contact(id, archived); archived = true; return c; } };
    const error = await putDocument({ store: fake.store, contacts: contactsMeanwhile, now: () => T1 }, 'invoice', 'INV-1', { customerId: 'c1', name: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect(fake.writes).toHaveLength(1);
  });

  test('re-reads and retries after losing a race, and gives up with a Conflict after a few', async () => {
    const fake = fakeStore();
    fake.loseRaces(2);
    await expect(putDocument(deps(fake.store), 'invoice', 'INV-1', { customerId: 'c1', name: 'x' })).resolves.toMatchObject({ created: true });
    expect(fake.writes).toHaveLength(3);

    const busy = fakeStore();
    busy.loseRaces(100);
    await expect(putDocument(deps(busy.store), 'invoice', 'INV-1', { customerId: 'c1', name: 'x' })).rejects.toBeInstanceOf(Conflict);
  });
});

describe('deleteDocument', () => {
  test('deletes the document with every explicit grant', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 2 }, ['g1']);
    await deleteDocument(deps(fake.store), 'invoice', 'INV-1');
    expect(fake.writes).toEqual([{ kind: 'delete', previous: { document: invoice('c1'), version: 2 }, grants: [{ contactId: 'g1' }] }]);
  });

  test('is NotFound for an unknown document', async () => {
    await expect(deleteDocument(deps(fakeStore().store), 'invoice', 'INV-1')).rejects.toBeInstanceOf(NotFound);
  });
});

describe('grants', () => {
  const STAFF = 'staff:ann';
  const grantTo = (fake: ReturnType<typeof fakeStore>, contactId: string, until?: string, now = T1) =>
    addGrant(deps(fake.store, now), 'invoice', 'INV-1', { contactId, ...(until === undefined ? {} : { until }) }, STAFF);

  test('adds an explicit grant once, with who gave it and when; granting again or granting the customer changes nothing', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 });
    await grantTo(fake, 'g1');
    await grantTo(fake, 'g1');
    await grantTo(fake, 'c1');
    expect(fake.writes.map((w) => w.kind)).toEqual(['grant']);
    await expect(listGrants(deps(fake.store), 'invoice', 'INV-1')).resolves.toEqual([
      { contactId: 'c1', implicit: true },
      { contactId: 'g1', implicit: false, grantedBy: STAFF, grantedAt: T1.toISOString() },
    ]);
  });

  test('a grant with an end: listed with it, `expired` from that instant on (until − 1 ms not yet)', async () => {
    const until = '2026-11-05T00:00:00.000Z';
    const fake = fakeStore({ document: invoice('c1'), version: 1 });
    await grantTo(fake, 'g1', until);
    const listedAt = async (at: string) => (await listGrants(deps(fake.store, new Date(at)), 'invoice', 'INV-1'))[1];
    expect(await listedAt('2026-11-04T23:59:59.999Z')).toEqual({ contactId: 'g1', implicit: false, until, expired: false, grantedBy: STAFF, grantedAt: T1.toISOString() });
    expect(await listedAt(until)).toMatchObject({ until, expired: true });
  });

  test('granting an existing grantee with another end replaces the grant (no second one); the same end changes nothing', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 });
    await grantTo(fake, 'g1', '2026-12-01T00:00:00.000Z');
    await grantTo(fake, 'g1', '2026-12-01T00:00:00.000Z');
    await grantTo(fake, 'g1');
    expect(fake.writes.map((w) => [w.kind, 'replaces' in w && w.replaces !== undefined])).toEqual([
      ['grant', false],
      ['grant', true],
    ]);
    expect(fake.granted()).toEqual(['g1']);
    expect((await listGrants(deps(fake.store), 'invoice', 'INV-1'))[1]).not.toHaveProperty('until');
  });

  test('an end that is not in the future is a 400 on until', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 });
    for (const until of [T1.toISOString(), '2026-01-01T00:00:00.000Z']) {
      const error = await grantTo(fake, 'g1', until).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Invalid);
      expect((error as Invalid).path).toBe('until');
    }
    const soon = new Date(T1.getTime() + 1).toISOString();
    await expect(grantTo(fake, 'g1', soon)).resolves.toEqual({ contactId: 'g1', implicit: false, until: soon, expired: false, grantedBy: STAFF, grantedAt: T1.toISOString() });
  });

  test('refuses an unknown document (404) and an unknown or archived contact (400 on contactId)', async () => {
    await expect(grantTo(fakeStore(), 'g1')).rejects.toBeInstanceOf(NotFound);
    const fake = fakeStore({ document: invoice('c1'), version: 1 });
    for (const contactId of ['nobody-2', 'archived-2']) {
      const error = await grantTo(fake, contactId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Invalid);
      expect((error as Invalid).path).toBe('contactId');
    }
  });

  test(`refuses a grant beyond ${MAX_EXPLICIT_GRANTS} explicit ones with a Conflict (a new end for one of them is fine)`, async () => {
    const many = Array.from({ length: MAX_EXPLICIT_GRANTS }, (_, i) => `g${i}`);
    const fake = fakeStore({ document: invoice('c1'), version: 1 }, many);
    await expect(grantTo(fake, 'one-more')).rejects.toBeInstanceOf(Conflict);
    await expect(grantTo(fake, 'g0', '2027-01-01T00:00:00.000Z')).resolves.toMatchObject({ contactId: 'g0', until: '2027-01-01T00:00:00.000Z' });
  });

  test('removes an explicit grant; the implicit one is a Conflict, a missing one NotFound', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 }, ['g1']);
    await expect(removeGrant(deps(fake.store), 'invoice', 'INV-1', 'c1', STAFF)).rejects.toBeInstanceOf(Conflict);
    await expect(removeGrant(deps(fake.store), 'invoice', 'INV-1', 'g2', STAFF)).rejects.toBeInstanceOf(NotFound);
    await removeGrant(deps(fake.store), 'invoice', 'INV-1', 'g1', STAFF);
    expect(fake.granted()).toEqual([]);
    await expect(removeGrant(deps(fakeStore().store), 'invoice', 'INV-1', 'g1', STAFF)).rejects.toBeInstanceOf(NotFound);
  });

  test("the grantee's history: who shared which document with it, until when (and the end it replaced), and who removed it", async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 });
    const until = '2027-01-01T00:00:00.000Z';
    await grantTo(fake, 'g1');
    await grantTo(fake, 'g1', until, T2);
    await removeGrant(deps(fake.store, T2), 'invoice', 'INV-1', 'g1', 'staff:bob');
    expect(fake.writes.map((w) => (w.kind === 'grant' || w.kind === 'ungrant' ? w.audit : undefined))).toEqual([
      { at: T1.toISOString(), actor: STAFF, action: 'grant.given', contactId: 'g1', details: { type: 'invoice', id: 'INV-1' } },
      { at: T2.toISOString(), actor: STAFF, action: 'grant.given', contactId: 'g1', details: { type: 'invoice', id: 'INV-1', until, previousUntil: null } },
      { at: T2.toISOString(), actor: 'staff:bob', action: 'grant.removed', contactId: 'g1', details: { type: 'invoice', id: 'INV-1', until, grantedBy: STAFF } },
    ]);
  });
});

describe('expireGrant (the scheduled job)', () => {
  const until = '2026-11-05T00:00:00.000Z';
  const ended = new Date(until);

  test('removes a grant at its end, with the audit entry on the grantee; a repeat changes nothing', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 }, [{ contactId: 'g1', until, grantedBy: 'staff:ann' }]);
    await expect(expireGrant(deps(fake.store, ended), 'invoice', 'INV-1', 'g1', until)).resolves.toBe('removed');
    expect(fake.writes[0]).toMatchObject({
      kind: 'ungrant',
      grant: { contactId: 'g1', until },
      expired: true,
      audit: { action: 'grant.expired', actor: 'schedule', contactId: 'g1', details: { type: 'invoice', id: 'INV-1', until, grantedBy: 'staff:ann' } },
    });
    expect(fake.granted()).toEqual([]);
    await expect(expireGrant(deps(fake.store, ended), 'invoice', 'INV-1', 'g1', until)).resolves.toBe('unchanged');
    expect(fake.writes).toHaveLength(1);
  });

  test('leaves a grant that is not yet at its end, one given another end meanwhile, and a gone document', async () => {
    const fake = fakeStore({ document: invoice('c1'), version: 1 }, [{ contactId: 'g1', until }]);
    await expect(expireGrant(deps(fake.store, new Date(ended.getTime() - 1)), 'invoice', 'INV-1', 'g1', until)).resolves.toBe('unchanged');
    await expect(expireGrant(deps(fake.store, ended), 'invoice', 'INV-1', 'g1', '2026-11-04T00:00:00.000Z')).resolves.toBe('unchanged');
    await expect(expireGrant(deps(fakeStore().store, ended), 'invoice', 'INV-1', 'g1', until)).resolves.toBe('unchanged');
    expect(fake.writes).toHaveLength(0);
  });
});
