import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoContactStore, contactIndexKeys } from '../../lambdas/adapters/dynamodb/contacts-store';
import { encodeCursor } from '../../lambdas/adapters/dynamodb/cursor';
import { CompanyUnavailable } from '../../lambdas/domain/contacts';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { Conflict, EmailInUse, Invalid, NotFound, Unavailable } from '../../lambdas/contract/errors';
import { toProblem } from '../../lambdas/http-kit/problem';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(db);
const store = new DynamoContactStore(db, 'portal');

const ada: ContactRecord = {
  id: 'ada',
  kind: 'person',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  companyId: 'acme',
  archived: false,
  portal: { status: 'none' },
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const ccf = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item ? { Item: item as never } : {}) });
const cancelled = (...codes: (string | { Code: string; Item?: unknown })[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((c) => (typeof c === 'string' ? { Code: c } : (c as never))),
  });

const input = <T>(command: { new (...args: never[]): T }, n = 0) =>
  (ddb.commandCalls(command as never)[n]?.args[0] as unknown as { input: Record<string, unknown> }).input;

beforeEach(() => ddb.reset());

describe('get', () => {
  test('reads the contact item strongly consistently and strips keys and index attributes', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CONTACT#ada', sk: 'CONTACT', entity: 'contact', gsi2pk: 'CONTACTS', gsi2sk: 'x', ...ada } });
    expect(await store.get('ada')).toEqual(ada);
    expect(input(GetCommand)).toEqual({ TableName: 'portal', Key: { pk: 'CONTACT#ada', sk: 'CONTACT' }, ConsistentRead: true });
  });

  test('a missing item is undefined', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await store.get('nope')).toBeUndefined();
  });
});

describe('getMany', () => {
  it('keys left unprocessed are asked again; still unprocessed after 6 rounds, the read gives up with a throttling error (a 503), never looping', async () => {
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => ({ Responses: { portal: [] }, UnprocessedKeys: input.RequestItems }));
    const error = await store.getMany(['ada', 'bob']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'ThrottlingException' });
    expect(toProblem(error).status).toBe(503);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(6);
  });

  it('keys answered on a later round are found', async () => {
    ddb.on(BatchGetCommand)
      .resolvesOnce({ Responses: { portal: [] }, UnprocessedKeys: { portal: { Keys: [{ pk: 'CONTACT#ada', sk: 'CONTACT' }] } } })
      .resolves({ Responses: { portal: [{ entity: 'contact', ...ada, pk: 'CONTACT#ada', sk: 'CONTACT' }] } });
    expect([...(await store.getMany(['ada'])).keys()]).toEqual(['ada']);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(2);
  });
});

describe('create', () => {
  test('a contact without company: one Put, never over an existing item, with its name and email index keys', async () => {
    ddb.on(PutCommand).resolves({});
    const solo = { ...ada, companyId: undefined };
    delete solo.companyId;
    await store.create(solo);
    expect(input(PutCommand)).toEqual({
      TableName: 'portal',
      Item: {
        pk: 'CONTACT#ada',
        sk: 'CONTACT',
        entity: 'contact',
        ...solo,
        gsi2pk: 'CONTACTS',
        gsi2sk: 'ada lovelace#ada',
        gsi3pk: 'CONTACTS_BY_EMAIL',
        gsi3sk: 'ada@example.com#ada',
        gsi4pk: 'PORTAL#none',
        gsi4sk: 'ada lovelace#ada',
        // Its holdings start at zero: the documents' and grants' transactions count from there.
        documentsAsCustomer: 0,
        grantsReceived: 0,
        // Its per-type counts are kept on the item from the start (none yet): no COUNTS# items to read.
        countsKept: true,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  test('a person of a company: one transaction with a condition check that the company is a non-archived company', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.create(ada);
    const { TransactItems } = input(TransactWriteCommand) as { TransactItems: Record<string, Record<string, unknown>>[] };
    expect(TransactItems[0]?.Put).toMatchObject({
      Item: { gsi1pk: 'COMPANY#acme', gsi1sk: 'ada lovelace#ada' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(TransactItems[1]?.ConditionCheck).toEqual({
      TableName: 'portal',
      Key: { pk: 'CONTACT#acme', sk: 'CONTACT' },
      ConditionExpression: '#kind = :company AND #archived = :false',
      ExpressionAttributeNames: { '#kind': 'kind', '#archived': 'archived' },
      ExpressionAttributeValues: { ':company': 'company', ':false': false },
    });
  });

  test('a failed company check is CompanyUnavailable; an existing id is a Conflict', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    await expect(store.create(ada)).rejects.toBeInstanceOf(CompanyUnavailable);
    await expect(store.create(ada)).rejects.toBeInstanceOf(Conflict);
  });

  test('a cancellation by concurrent transactions only is retried, then Unavailable', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await store.create(ada);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None'));
    await expect(store.create(ada)).rejects.toBeInstanceOf(Unavailable);
  });
});

describe('update', () => {
  const renamed = { ...ada, name: 'Ada King', phone: '+44 1', version: 4, updatedAt: '2026-01-02T00:00:00.000Z' };

  test('writes only what changed, with the index keys that depend on it, under the version and archived conditions', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.update(ada, renamed);
    expect(input(UpdateCommand)).toEqual({
      TableName: 'portal',
      Key: { pk: 'CONTACT#ada', sk: 'CONTACT' },
      UpdateExpression:
        'SET #name = :name, #phone = :phone, #gsi1sk = :gsi1sk, #gsi2sk = :gsi2sk, #gsi4sk = :gsi4sk, #version = :version, #updatedAt = :updatedAt',
      ConditionExpression: '#version = :expected AND #archived = :false',
      ExpressionAttributeNames: {
        '#version': 'version',
        '#archived': 'archived',
        '#name': 'name',
        '#phone': 'phone',
        '#gsi1sk': 'gsi1sk',
        '#gsi2sk': 'gsi2sk',
        '#gsi4sk': 'gsi4sk',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':expected': 3,
        ':false': false,
        ':name': 'Ada King',
        ':phone': '+44 1',
        ':gsi1sk': 'ada king#ada',
        ':gsi2sk': 'ada king#ada',
        ':gsi4sk': 'ada king#ada',
        ':version': 4,
        ':updatedAt': '2026-01-02T00:00:00.000Z',
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  test('clearing the email removes it and its index keys, only if no live portal login holds it', async () => {
    ddb.on(UpdateCommand).resolves({});
    const cleared = { ...ada, version: 4 };
    delete cleared.email;
    await store.update(ada, cleared);
    const sent = input(UpdateCommand);
    expect(sent.UpdateExpression).toBe('SET #version = :version, #updatedAt = :updatedAt REMOVE #email, #gsi3pk, #gsi3sk');
    expect(sent.ConditionExpression).toBe('#version = :expected AND #archived = :false AND (NOT (#portal.#status IN (:invited, :active)))');
  });

  test('a new email is allowed while a live login holds that same address', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.update(ada, { ...ada, email: 'new@example.com', version: 4 });
    const sent = input(UpdateCommand);
    expect(sent.ConditionExpression).toBe(
      '#version = :expected AND #archived = :false AND (NOT (#portal.#status IN (:invited, :active)) OR #login.#email = :email)',
    );
    expect(sent.ExpressionAttributeValues).toMatchObject({ ':email': 'new@example.com', ':gsi3sk': 'new@example.com#ada' });
  });

  test('a failed condition is a Conflict when the item exists, NotFound when it does not', async () => {
    ddb.on(UpdateCommand).rejectsOnce(ccf({ pk: { S: 'CONTACT#ada' } })).rejectsOnce(ccf());
    await expect(store.update(ada, renamed)).rejects.toBeInstanceOf(Conflict);
    await expect(store.update(ada, renamed)).rejects.toBeInstanceOf(NotFound);
  });

  test('moving to another company is one transaction with the company check; its failures map per part', async () => {
    const moved = { ...ada, companyId: 'globex', version: 4 };
    ddb
      .on(TransactWriteCommand)
      .resolvesOnce({})
      .rejectsOnce(cancelled('None', 'ConditionalCheckFailed'))
      .rejectsOnce(cancelled({ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'x' } } }, 'None'))
      .rejectsOnce(cancelled({ Code: 'ConditionalCheckFailed' }, 'None'));
    await store.update(ada, moved);
    const { TransactItems } = input(TransactWriteCommand) as { TransactItems: Record<string, Record<string, unknown>>[] };
    expect(TransactItems[0]?.Update).toMatchObject({
      UpdateExpression: 'SET #companyId = :companyId, #gsi1pk = :gsi1pk, #version = :version, #updatedAt = :updatedAt',
      ConditionExpression: '#version = :expected AND #archived = :false',
      ExpressionAttributeValues: expect.objectContaining({ ':gsi1pk': 'COMPANY#globex', ':companyId': 'globex' }),
    });
    expect(TransactItems[1]?.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#globex', sk: 'CONTACT' } });
    await expect(store.update(ada, moved)).rejects.toBeInstanceOf(CompanyUnavailable);
    await expect(store.update(ada, moved)).rejects.toBeInstanceOf(Conflict);
    await expect(store.update(ada, moved)).rejects.toBeInstanceOf(NotFound);
  });

  test('leaving a company removes the company index keys, without a company check', async () => {
    ddb.on(UpdateCommand).resolves({});
    const left = { ...ada, version: 4 };
    delete left.companyId;
    await store.update(ada, left);
    expect(input(UpdateCommand).UpdateExpression).toBe('SET #version = :version, #updatedAt = :updatedAt REMOVE #companyId, #gsi1pk, #gsi1sk');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('archive', () => {
  const audit = { at: 't', actor: 'staff:admin', action: 'contact.archived' as const, contactId: 'ada', details: { portalStatus: 'none' } };

  test('one transaction: a conditional update at the version read (archived, version + 1, every index key in its archived partition) and the audit entry', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.archive(ada, '2026-01-03T00:00:00.000Z', audit);
    const [item, put] = input(TransactWriteCommand).TransactItems as { Update?: Record<string, any>; Put?: Record<string, any> }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const update = item?.Update;
    expect(update).toMatchObject({
      TableName: 'portal',
      Key: { pk: 'CONTACT#ada', sk: 'CONTACT' },
      ConditionExpression: 'attribute_exists(pk) AND archived = :false AND version = :read',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ':read': 3,
      ':next': 4,
      ':gsi1pk': 'COMPANY#acme#ARCHIVED',
      ':gsi2pk': 'CONTACTS#ARCHIVED',
      ':gsi3pk': 'CONTACTS_BY_EMAIL#ARCHIVED',
      ':gsi4pk': 'PORTAL#none#ARCHIVED',
    });
    expect(update?.UpdateExpression).toMatch(/^SET archived = :true, version = :next, updatedAt = :at, #gsi2pk = :gsi2pk, /);
    expect(put?.Put?.Item).toMatchObject({ pk: 'AUDIT#ada', action: 'contact.archived', actor: 'staff:admin' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('already archived or changed meanwhile is a Conflict, unknown is NotFound', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled({ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'CONTACT#ada' }, archived: { BOOL: true } } }, 'None'))
      .rejectsOnce(cancelled({ Code: 'ConditionalCheckFailed' }, 'None'));
    await expect(store.archive(ada, 'x', audit)).rejects.toBeInstanceOf(Conflict);
    await expect(store.archive({ ...ada, id: 'nope' }, 'x', audit)).rejects.toBeInstanceOf(NotFound);
  });
});

describe('restore', () => {
  const archived: ContactRecord = { ...ada, archived: true, version: 5, portal: { status: 'revoked' }, login: { email: 'ada@example.com', username: 'u', sub: 's' } };
  const audit = { at: 't', actor: 'staff:admin', action: 'contact.restored' as const, contactId: 'ada', details: {} };

  test('one transaction: back in the live partitions, without its login, if still archived at the version read and not live; with the audit entry', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const after = { ...archived, archived: false, version: 6, updatedAt: 'u' };
    delete after.login;
    await store.restore(archived, after, audit);
    const [update, put] = input(TransactWriteCommand).TransactItems as { Update?: Record<string, any>; Put?: Record<string, any> }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(update?.Update?.ConditionExpression).toBe('attribute_exists(pk) AND archived = :true AND version = :read AND NOT (#portal.#status IN (:invited, :active))');
    expect(update?.Update?.UpdateExpression).toMatch(/ REMOVE #login, #invitation$/);
    expect(update?.Update?.ExpressionAttributeValues).toMatchObject({ ':gsi2pk': 'CONTACTS', ':gsi1pk': 'COMPANY#acme', ':gsi4pk': 'PORTAL#revoked', ':read': 5, ':next': 6 });
    expect(put?.Put?.Item).toMatchObject({ pk: 'AUDIT#ada', action: 'contact.restored' });
  });

  test('a refused condition is a Conflict', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'CONTACT#ada' } } }, 'None'));
    await expect(store.restore(archived, { ...archived, archived: false }, audit)).rejects.toBeInstanceOf(Conflict);
  });
});

describe('update moving a live login to the new email', () => {
  const live: ContactRecord = { ...ada, portal: { status: 'active' }, login: { email: 'ada@example.com', username: 'u', sub: 's' }, invitation: { tokenHash: 'h1', expiresAt: 'x' } };
  const moved = { ...live, email: 'ada@new.example', version: 4 };
  const move = { from: 'ada@example.com', to: 'ada@new.example', at: '2026-06-01T00:00:00.000Z', audit: { at: 't', actor: 'staff:admin', action: 'portal.login-email-changed' as const, contactId: 'ada', details: {} } };

  test('one transaction: the contact and its login, the new guard, the old guard gone, the pending invitation dead, the audit entry', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.update(live, moved, move);
    const items = input(TransactWriteCommand).TransactItems as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(items.map((item) => Object.keys(item)[0])).toEqual(['Update', 'Put', 'Delete', 'Put', 'Delete']);
    const update = items[0]!.Update;
    expect(update.ConditionExpression).toBe('#version = :expected AND #archived = :false AND #login.#loginEmail = :from AND #portal.#status = :status');
    expect(update.UpdateExpression).toContain('#login.#loginEmail = :to, #login.#signedOutAt = :movedAt');
    expect(update.UpdateExpression).toMatch(/REMOVE #invitation/);
    expect(update.ExpressionAttributeValues).toMatchObject({ ':email': 'ada@new.example', ':gsi3sk': 'ada@new.example#ada', ':from': 'ada@example.com', ':to': 'ada@new.example', ':status': 'active' });
    expect(items[1]!.Put).toMatchObject({ Item: { pk: 'LOGIN#ada@new.example', contactId: 'ada' }, ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me' });
    expect(items[2]!.Delete).toMatchObject({ Key: { pk: 'LOGIN#ada@example.com', sk: 'LOGIN' }, ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me' });
    expect(items[3]!.Put.Item).toMatchObject({ pk: 'AUDIT#ada', action: 'portal.login-email-changed' });
    expect(items[4]!.Delete).toEqual({ TableName: 'portal', Key: { pk: 'INVITATION#h1', sk: 'INVITATION' } });
  });

  test("the new email's guard held by another contact is EmailInUse; a changed contact a Conflict", async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed', 'None', 'None', 'None'));
    await expect(store.update(live, moved, move)).rejects.toBeInstanceOf(EmailInUse);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled({ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'CONTACT#ada' } } }, 'None', 'None', 'None', 'None'));
    await expect(store.update(live, moved, move)).rejects.toBeInstanceOf(Conflict);
  });

  test('a stale guard is taken over from its holder only', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.update(live, moved, { ...move, takeOverFrom: 'old-holder' });
    const put = (input(TransactWriteCommand).TransactItems as Record<string, any>[])[1]!.Put; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(put).toMatchObject({ ConditionExpression: 'contactId = :holder', ExpressionAttributeValues: { ':holder': 'old-holder' } });
  });
});

const row = (name: string, id: string, extra: Record<string, unknown> = {}) => ({
  pk: `CONTACT#${id}`,
  sk: 'CONTACT',
  ...contactIndexKeys({ id, name, archived: false, portal: { status: 'none' }, ...extra }),
  ...ada,
  id,
  name,
  ...extra,
});

describe('list', () => {
  test('all contacts by name: gsi2, limit + 1 rows, a cursor from the last returned row that resumes after it', async () => {
    ddb.on(QueryCommand).resolves({ Items: [row('A', 'a'), row('B', 'b'), row('C', 'c')], LastEvaluatedKey: { x: 'y' } });
    const page = await store.list({ limit: 2 });
    expect(page.items.map((c) => c.id)).toEqual(['a', 'b']);
    expect(input(QueryCommand)).toEqual({
      TableName: 'portal',
      IndexName: 'gsi2',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'gsi2pk' },
      ExpressionAttributeValues: { ':pk': 'CONTACTS' },
      Limit: 3,
    });
    ddb.on(QueryCommand).resolves({ Items: [row('C', 'c')] });
    const next = await store.list({ limit: 2, cursor: page.nextCursor! });
    expect(input(QueryCommand, 1).ExclusiveStartKey).toEqual({ pk: 'CONTACT#b', sk: 'CONTACT', gsi2pk: 'CONTACTS', gsi2sk: 'b#b' });
    expect(next).toEqual({ items: [expect.objectContaining({ id: 'c' })] });
  });

  test('a name prefix is case- and accent-insensitive (begins_with on the name key); rows matching only into the id are dropped', async () => {
    ddb.on(QueryCommand).resolves({ Items: [row('Ab', 'x1'), row('A', 'b-x')] });
    const page = await store.list({ namePrefix: 'ÀB', limit: 10 });
    expect(input(QueryCommand)).toMatchObject({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'CONTACTS', ':prefix': 'ab' },
    });
    expect(page.items.map((c) => c.id)).toEqual(['x1']);
  });

  test('a name prefix longer than the name key (100 characters) is matched whole: a name that differs after it is not found', async () => {
    const common = 'Lo'.repeat(55);
    ddb.on(QueryCommand).resolves({ Items: [row(`${common} Alpha`, 'a'), row(`${common} Beta`, 'b'), row(`${common} Al`, 'c')] });
    const page = await store.list({ namePrefix: `${common} ALPHA`, limit: 10 });
    expect(input(QueryCommand).ExpressionAttributeValues).toEqual({ ':pk': 'CONTACTS', ':prefix': common.toLowerCase().slice(0, 100) });
    expect(page.items.map((c) => c.id)).toEqual(['a']);
  });

  test('two searches that differ only after the name key have cursors of their own', async () => {
    const common = 'Lo'.repeat(55);
    ddb.on(QueryCommand).resolves({ Items: [row(`${common} Alpha`, 'a'), row(`${common} Alpha2`, 'a2')], LastEvaluatedKey: { x: 'y' } });
    const page = await store.list({ namePrefix: `${common} Alpha`, limit: 1 });
    ddb.reset();
    await expect(store.list({ namePrefix: `${common} Beta`, limit: 1, cursor: page.nextCursor! })).rejects.toBeInstanceOf(Invalid);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  test('an email prefix without company: gsi3', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.list({ emailPrefix: 'ada@', limit: 10 });
    expect(input(QueryCommand)).toMatchObject({ IndexName: 'gsi3', ExpressionAttributeValues: { ':pk': 'CONTACTS_BY_EMAIL', ':prefix': 'ada@' } });
  });

  test('a portal status: gsi4 in its partition, by name; with a name prefix, begins_with', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.list({ portalStatus: 'active', namePrefix: 'Ad', limit: 10 });
    expect(input(QueryCommand)).toMatchObject({ IndexName: 'gsi4', ExpressionAttributeValues: { ':pk': 'PORTAL#active', ':prefix': 'ad' }, Limit: 11 });
  });

  test('archived contacts: the archived partition of the same index, whatever the filter', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.list({ archived: true, limit: 10 });
    await store.list({ archived: true, portalStatus: 'revoked', limit: 10 });
    await store.list({ archived: true, companyId: 'acme', limit: 10 });
    await store.list({ archived: true, emailPrefix: 'ada@', limit: 10 });
    expect([0, 1, 2, 3].map((n) => [input(QueryCommand, n).IndexName, (input(QueryCommand, n).ExpressionAttributeValues as Record<string, string>)[':pk']])).toEqual([
      ['gsi2', 'CONTACTS#ARCHIVED'],
      ['gsi4', 'PORTAL#revoked#ARCHIVED'],
      ['gsi1', 'COMPANY#acme#ARCHIVED'],
      ['gsi3', 'CONTACTS_BY_EMAIL#ARCHIVED'],
    ]);
  });

  test("a portal status within a company reads the company's persons and keeps those with the status", async () => {
    ddb.on(QueryCommand).resolves({ Items: [row('A', 'a', { portal: { status: 'active' } }), row('B', 'b', { portal: { status: 'none' } }), row('C', 'c', { portal: { status: 'active' } })] });
    const page = await store.list({ companyId: 'acme', portalStatus: 'active', limit: 10 });
    expect(page.items.map((c) => c.id)).toEqual(['a', 'c']);
    expect(input(QueryCommand)).toMatchObject({ IndexName: 'gsi1', ExpressionAttributeValues: { ':pk': 'COMPANY#acme' } });
    expect(input(QueryCommand)).not.toHaveProperty('Limit');
  });

  test("within a company, a status is judged at the query's moment: an access whose until has passed is expired before the job stores it", async () => {
    const at = new Date('2026-06-01T12:00:00.000Z');
    ddb.on(QueryCommand).resolves({
      Items: [
        row('A', 'a', { portal: { status: 'active', until: '2026-06-01T11:59:59.999Z' } }),
        row('B', 'b', { portal: { status: 'active', until: '2026-06-01T12:00:00.001Z' } }),
        row('C', 'c', { portal: { status: 'invited', until: '2026-06-01T12:00:00.000Z' } }),
        row('D', 'd', { portal: { status: 'expired', until: '2026-05-01T00:00:00.000Z' } }),
      ],
    });
    expect((await store.list({ companyId: 'acme', portalStatus: 'expired', at, limit: 10 })).items.map((c) => c.id)).toEqual(['a', 'c', 'd']);
    expect((await store.list({ companyId: 'acme', portalStatus: 'active', at, limit: 10 })).items.map((c) => c.id)).toEqual(['b']);
    expect((await store.list({ emailPrefix: 'ada@', portalStatus: 'expired', at, limit: 10 })).items.map((c) => c.id)).toEqual(['a', 'c', 'd']);
  });

  test('a cursor of one status is refused by another', async () => {
    const key = { pk: 'CONTACT#b', sk: 'CONTACT', gsi4pk: 'PORTAL#active', gsi4sk: 'b#b' };
    ddb.on(QueryCommand).resolves({ Items: [row('B', 'b'), row('Bb', 'bb')], LastEvaluatedKey: key });
    const { nextCursor } = await store.list({ portalStatus: 'active', limit: 1 });
    await expect(store.list({ portalStatus: 'invited', limit: 1, cursor: nextCursor })).rejects.toBeInstanceOf(Invalid);
    await expect(store.list({ portalStatus: 'active', archived: true, limit: 1, cursor: nextCursor })).rejects.toBeInstanceOf(Invalid);
  });

  test('a company: gsi1 in its partition; listCompanyPersons is the same listing', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.listCompanyPersons('acme');
    expect(input(QueryCommand)).toMatchObject({ IndexName: 'gsi1', ExpressionAttributeValues: { ':pk': 'COMPANY#acme' }, Limit: 101 });
  });

  test('an email search within a company reads full pages and keeps reading until the page is full', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [row('A', 'a', { email: 'x@e.co' })], LastEvaluatedKey: { k: '1' } })
      .resolvesOnce({ Items: [row('B', 'b', { email: 'bob@e.co' }), row('C', 'c', { email: 'x@e.co' })], LastEvaluatedKey: { k: '2' } })
      .resolvesOnce({ Items: [row('D', 'd', { email: 'bob2@e.co' })] });
    const page = await store.list({ companyId: 'acme', emailPrefix: 'bob', limit: 5 });
    expect(page.items.map((c) => c.id)).toEqual(['b', 'd']);
    expect(page.nextCursor).toBeUndefined();
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(3);
    expect(input(QueryCommand)).not.toHaveProperty('Limit');
    expect(input(QueryCommand, 1).ExclusiveStartKey).toEqual({ k: '1' });
  });

  describe('a cursor that was not issued for this listing is Invalid(cursor), and nothing is read', () => {
    const key = { pk: 'CONTACT#b', sk: 'CONTACT', gsi1pk: 'COMPANY#acme', gsi1sk: 'b#b' };
    const row = (name: string, id: string) => ({ ...key, ...ada, id, name, gsi1sk: `${name.toLowerCase()}#${id}` });
    const good = async (namePrefix?: string) => {
      ddb.on(QueryCommand).resolves({ Items: [row('B', 'b'), row('Bb', 'bb')], LastEvaluatedKey: key });
      const page = await store.list({ companyId: 'acme', limit: 1, ...(namePrefix ? { namePrefix } : {}) });
      ddb.reset();
      return page.nextCursor!;
    };
    const scopeOf = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString()).s as string;

    test.each([
      ['garbled', async () => 'not-a-cursor!!'],
      ['base64 of a non-object', async () => Buffer.from('42').toString('base64url')],
      ['re-encoded for another company', async () => encodeCursor(scopeOf(await good()), { ...key, gsi1pk: 'COMPANY#other' })],
      ['missing key attributes', async () => encodeCursor(scopeOf(await good()), { gsi1pk: 'COMPANY#acme', gsi1sk: 'b#b' })],
      ['an empty key value', async () => encodeCursor(scopeOf(await good()), { ...key, sk: '' })],
      ['a sort key outside the search prefix', async () => encodeCursor(scopeOf(await good('b')), { ...key, gsi1sk: 'zzz#b' })],
    ])('%s', async (_name, make) => {
      const cursor = await make();
      const error = await store.list({ companyId: 'acme', namePrefix: _name.includes('prefix') ? 'b' : undefined, limit: 1, cursor }).catch((e) => e);
      expect(error).toBeInstanceOf(Invalid);
      expect(error.path).toBe('cursor');
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    });

    test('a cursor of another search or another company', async () => {
      const cursor = await good();
      await expect(store.list({ companyId: 'other', limit: 1, cursor })).rejects.toBeInstanceOf(Invalid);
      await expect(store.list({ companyId: 'acme', namePrefix: 'b', limit: 1, cursor })).rejects.toBeInstanceOf(Invalid);
      await expect(store.list({ limit: 1, cursor })).rejects.toBeInstanceOf(Invalid);
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    });
  });
});
