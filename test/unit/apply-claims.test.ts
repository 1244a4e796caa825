/**
 * An apply's claims several to a transaction (`DynamoAccessStore.claimLogins`, against a mocked
 * DynamoDB): how they are grouped, how a cancelled transaction's reasons split the refused claims
 * (tried alone) from the others (together again), and the fallbacks — and, over the in-memory
 * stores, that an apply whose contacts changed after its read answers each line as if it had been alone.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store';
import { DynamoContactStore } from '../../lambdas/adapters/dynamodb/contacts-store';
import { auditEntry } from '../../lambdas/domain/audit';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { InvitationItem } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import type { LoginClaim, PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { NOT_IN_WIZARD } from '../../lambdas/domain/portal-access/wizard';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryAccess } from './portal-access.fakes';

const db = mockClient(DynamoDBDocumentClient);
const dynamo = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
beforeEach(() => db.reset());

const AT = '2026-03-01T00:00:00.000Z';
const cancelled = (codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const person = (n: number, patch: Partial<ContactRecord> = {}): ContactRecord => ({
  id: `p${n}`,
  kind: 'person',
  name: `Person ${n}`,
  companyId: 'co',
  archived: false,
  portal: { status: 'none' },
  version: 3,
  createdAt: AT,
  updatedAt: AT,
  ...patch,
});
const claimOf = (contact: ContactRecord, patch: Partial<LoginClaim> = {}): LoginClaim => {
  const outbox: InvitationItem = { id: `o-${contact.id}`, kind: 'invitation', contactId: contact.id, actor: 'staff:alice', at: AT, reason: 'granted' };
  return { contact, email: `${contact.id}@example.com`, storeEmail: false, at: AT, outbox, audit: auditEntry('portal.granted', contact.id, 'staff:alice', AT), settings: {}, sameVersion: true, ...patch };
};
const claims = (n: number) => Array.from({ length: n }, (_, i) => claimOf(person(i + 1)));
const transactions = () => db.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems ?? []);
type Items = NonNullable<TransactWriteCommandInput['TransactItems']>;
const keysOf = (items: Items) => items.map((item) => (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key)?.pk);
/** The reasons of a cancelled transaction of `items` whose items at `failing` (by key) refused. */
const refusing = (items: Items, failing: string[]) => cancelled(keysOf(items).map((pk) => (failing.includes(String(pk)) ? 'ConditionalCheckFailed' : 'None')));

describe('DynamoAccessStore.claimLogins', () => {
  const store = new DynamoAccessStore(dynamo(), 'portal');

  it("puts 24 persons' claims in one transaction — 4 items each, their company checked once — and the 25th in the next", async () => {
    db.on(TransactWriteCommand).resolves({});
    expect(await store.claimLogins(claims(30))).toEqual(Array(30).fill('claimed'));
    const [first, second] = transactions();
    expect(transactions()).toHaveLength(2);
    expect(first).toHaveLength(24 * 4 + 1);
    expect(second).toHaveLength(6 * 4 + 1);
    expect(keysOf(first!).slice(0, 4)).toEqual(['LOGIN#p1@example.com', 'CONTACT#p1', 'OUTBOX#o-p1', 'AUDIT#p1']);
    expect(first!.at(-1)?.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#co', sk: 'CONTACT' }, ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false)' });
    expect(first!.filter((item) => item.ConditionCheck)).toHaveLength(1);
    // Each claim refuses a contact changed in any way since it was read.
    expect(first![1]?.Update?.ConditionExpression).toMatch(/ AND #version = :version$/);
    expect(first![1]?.Update?.ExpressionAttributeValues).toMatchObject({ ':version': 3, ':read': 'none' });
  });

  it('one claim refused in a shared transaction: that one is tried alone (its own answer), the others together again', async () => {
    const all = claims(5);
    db.on(TransactWriteCommand)
      .callsFakeOnce((input: TransactWriteCommandInput) => Promise.reject(refusing(input.TransactItems!, ['CONTACT#p3'])))
      // p3 alone: its guard is another contact's.
      .rejectsOnce(cancelled(['ConditionalCheckFailed', 'None', 'None', 'None', 'None']))
      .resolves({});
    expect(await store.claimLogins(all)).toEqual(['claimed', 'claimed', 'email-taken', 'claimed', 'claimed']);
    const [together, alone, again] = transactions();
    expect(transactions()).toHaveLength(3);
    expect(together).toHaveLength(5 * 4 + 1);
    // Alone, as claimLogin writes it: the guard, the contact, the company's check, the outbox item, the audit entry.
    expect(keysOf(alone!)).toEqual(['LOGIN#p3@example.com', 'CONTACT#p3', 'CONTACT#co', 'OUTBOX#o-p3', 'AUDIT#p3']);
    expect(keysOf(again!).filter((pk) => String(pk).startsWith('CONTACT#p'))).toEqual(['CONTACT#p1', 'CONTACT#p2', 'CONTACT#p4', 'CONTACT#p5']);
  });

  it('several refused: each alone, whatever refused it; the company refusing refuses all its persons', async () => {
    db.on(TransactWriteCommand)
      .callsFakeOnce((input: TransactWriteCommandInput) => Promise.reject(refusing(input.TransactItems!, ['LOGIN#p1@example.com', 'OUTBOX#o-p2'])))
      .resolvesOnce({}) // p1 alone
      .rejectsOnce(cancelled(['None', 'ConditionalCheckFailed', 'None', 'None', 'None'])) // p2 alone
      .callsFakeOnce((input: TransactWriteCommandInput) => Promise.reject(refusing(input.TransactItems!, ['CONTACT#co'])))
      .rejects(cancelled(['None', 'None', 'ConditionalCheckFailed', 'None', 'None'])); // p3, p4 alone
    expect(await store.claimLogins(claims(4))).toEqual(['claimed', 'contact-changed', 'company-archived', 'company-archived']);
    expect(transactions().map((items) => items.length)).toEqual([17, 5, 5, 9, 5, 5]);
  });

  it('a mere collision is tried again together; a failure that is no refusal sends every claim alone, each answered (or failed) on its own', async () => {
    db.on(TransactWriteCommand).rejectsOnce(cancelled(['TransactionConflict', ...Array(8).fill('None')])).resolves({});
    expect(await store.claimLogins(claims(2))).toEqual(['claimed', 'claimed']);
    expect(transactions().map((items) => items.length)).toEqual([9, 9]);

    db.reset();
    const broken = Object.assign(new Error('too large'), { name: 'ValidationException' });
    db.on(TransactWriteCommand).rejectsOnce(broken).resolvesOnce({}).rejectsOnce(broken);
    const answers = await store.claimLogins(claims(2));
    expect(answers[0]).toBe('claimed');
    expect(answers[1]).toEqual({ error: broken });
    expect(transactions().map((items) => items.length)).toEqual([9, 5, 5]);
  });

  it('collisions that go on are given up after a few tries: every claim alone', async () => {
    db.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) =>
      input.TransactItems!.length > 5 ? Promise.reject(cancelled(input.TransactItems!.map(() => 'TransactionConflict'))) : Promise.resolve({}),
    );
    expect(await store.claimLogins(claims(2))).toEqual(['claimed', 'claimed']);
    expect(transactions().map((items) => items.length)).toEqual([...Array(7).fill(9), 5, 5]);
  }, 20_000);

  it('never touches one item twice in a transaction: two claims of one email, or a company beside its persons, go to different groups in order', async () => {
    db.on(TransactWriteCommand).resolves({});
    const company: ContactRecord = { ...person(0), id: 'co', kind: 'company', companyId: undefined };
    const input = [claimOf(person(1)), claimOf(person(2), { email: 'p1@example.com' }), claimOf(person(3)), claimOf(company), claimOf(person(4))];
    expect(await store.claimLogins(input)).toEqual(Array(5).fill('claimed'));
    expect(transactions().map((items) => keysOf(items).filter((pk) => String(pk).startsWith('CONTACT#')))).toEqual([
      ['CONTACT#p1', 'CONTACT#co'],
      ['CONTACT#p2', 'CONTACT#p3', 'CONTACT#co'],
      ['CONTACT#co'],
      ['CONTACT#p4', 'CONTACT#co'],
    ]);
    // A re-grant with another email takes 6 items (the old guard and subject pointer released): fewer fit.
    db.reset();
    db.on(TransactWriteCommand).resolves({});
    const regrants = Array.from({ length: 20 }, (_, i) => claimOf(person(i + 1, { portal: { status: 'revoked' }, login: { email: `old${i}@example.com`, username: `u${i}`, sub: `s${i}` } })));
    await store.claimLogins(regrants);
    expect(transactions().map((items) => items.length)).toEqual([16 * 6 + 1, 4 * 6 + 1]);
  });

  it('a claim alone (outside an apply) checks the status as read, not the version', async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.claimLogin(claimOf(person(1), { sameVersion: undefined }));
    const contact = transactions()[0]?.[1]?.Update;
    expect(contact?.ConditionExpression).not.toContain('#version = :version');
    expect(contact?.ExpressionAttributeValues).not.toHaveProperty(':version');
  });
});

describe('DynamoContactStore.getMany', () => {
  it('reads by 100 ids a request, consistently, each id once, asking again for unprocessed keys', async () => {
    const store = new DynamoContactStore(dynamo(), 'portal');
    const item = (id: string) => ({ pk: `CONTACT#${id}`, sk: 'CONTACT', entity: 'contact', id, kind: 'person', name: id, archived: false, portal: { status: 'none' }, version: 1 });
    db.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
      const asked = input.RequestItems.portal!.Keys.map((key) => key.pk.slice('CONTACT#'.length));
      // The first request of the first 100 leaves its last key unprocessed; `gone` does not exist.
      const unprocessed = asked.length === 100 && asked.includes('c99') && db.commandCalls(BatchGetCommand).length === 1 ? ['c99'] : [];
      return Promise.resolve({
        Responses: { portal: asked.filter((id) => id !== 'gone' && !unprocessed.includes(id)).map(item) },
        ...(unprocessed.length > 0 ? { UnprocessedKeys: { portal: { Keys: unprocessed.map((id) => ({ pk: `CONTACT#${id}`, sk: 'CONTACT' })) } } } : {}),
      });
    });
    const ids = [...Array.from({ length: 120 }, (_, i) => `c${i}`), 'c5', 'gone'];
    const found = await store.getMany(ids);
    expect(found.size).toBe(120);
    expect(found.get('c99')).toMatchObject({ id: 'c99', version: 1 });
    expect(found.has('gone')).toBe(false);
    const calls = db.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems!.portal!);
    expect(calls.map((request) => request.Keys!.length).sort((a, b) => a - b)).toEqual([1, 21, 100]);
    expect(calls.every((request) => request.ConsistentRead === true)).toBe(true);
  });
});

describe('an apply whose contacts change after its read', () => {
  let access: MemoryAccess;
  let deps: PortalAccessDeps;
  beforeEach(() => {
    access = new MemoryAccess();
    let ids = 0;
    deps = { contacts: access.contactStore, store: access, now: () => new Date('2026-03-01T10:00:00.000Z'), config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    for (const n of [1, 2, 3, 4]) access.add({ id: `p${n}`, companyId: 'co', email: `p${n}@example.com` });
  });
  /** Lets `change` happen once the lines' contacts were read together. */
  const afterRead = (change: () => void) => {
    const getMany = deps.contacts.getMany;
    deps.contacts = { ...deps.contacts, getMany: async (ids) => {
      const read = await getMany(ids);
      change();
      return read;
    } };
  };
  const lines = [1, 2, 3, 4].map((n) => ({ contactId: `p${n}`, inPortal: true }));

  it('answers each line as if it had been alone: renamed (granted all the same), moved to another company (not in the wizard), its email taken meanwhile (409)', async () => {
    access.add({ id: 'other', kind: 'company', name: 'Other' });
    afterRead(() => {
      const renamed = access.contact('p1');
      Object.assign(renamed, { name: 'Renamed', version: renamed.version + 1 });
      const moved = access.contact('p2');
      Object.assign(moved, { companyId: 'other', version: moved.version + 1 });
      access.add({ id: 'x', email: 'p3@example.com', portal: { status: 'active' }, login: { email: 'p3@example.com', username: 'ux', sub: 'sx' } });
      access.guards.set('p3@example.com', 'x');
    });
    const results = await applyPortalAccess(deps, 'co', { lines }, 'staff:alice');
    expect(results.map((r) => [r.contactId, r.outcome, r.status])).toEqual([
      ['p1', 'granted', 'invited'],
      ['p2', 'failed', 'none'],
      ['p3', 'failed', 'none'],
      ['p4', 'granted', 'invited'],
    ]);
    expect(toProblem(results[1]?.error)).toMatchObject({ status: 404, problem: { detail: NOT_IN_WIZARD } });
    expect(toProblem(results[2]?.error)).toMatchObject({ status: 409, problem: { detail: "The email is another contact's portal login." } });
    expect(access.contact('p1')).toMatchObject({ name: 'Renamed', portal: { status: 'invited' } });
    expect(access.contact('p2').portal.status).toBe('none');
    expect(access.pending).toHaveLength(2);
  });

  it('a line granted meanwhile by another request is answered from its new state, alone: unchanged, no second invitation', async () => {
    afterRead(() => {
      const granted = access.contact('p4');
      Object.assign(granted, { portal: { status: 'invited', delivery: 'queued' }, login: { email: 'p4@example.com' }, outbox: { id: 'elsewhere', kind: 'invitation', at: '2026-03-01T09:59:00.000Z' }, version: granted.version + 1 });
      access.guards.set('p4@example.com', 'p4');
    });
    const results = await applyPortalAccess(deps, 'co', { lines }, 'staff:alice');
    expect(results.map((r) => r.outcome)).toEqual(['granted', 'granted', 'granted', 'unchanged']);
    expect(access.pending).toHaveLength(3);
    expect(access.contact('p4').outbox?.id).toBe('elsewhere');
  });

  it('the read failing fails every line with its error, and writes nothing', async () => {
    const down = Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
    deps.contacts = { ...deps.contacts, getMany: async () => Promise.reject(down) };
    const results = await applyPortalAccess(deps, 'co', { lines }, 'staff:alice');
    expect(results.map((r) => [r.outcome, r.status, r.error])).toEqual(Array(4).fill(['failed', 'none', down]));
    expect(access.pending).toHaveLength(0);
  });
});
