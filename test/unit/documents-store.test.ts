import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDocumentStore, orderCursor } from '../../lambdas/adapters/dynamodb/documents-store';
import { StaleVersion } from '../../lambdas/domain/documents';
import { Invalid } from '../../lambdas/contract/errors';
import type { Document } from '../../lambdas/contract/schemas/documents';

const TABLE = 'portal-test';
const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoDocumentStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), TABLE);

const AT = '2026-11-01T10:00:00.000Z';
const invoice = (customerId: string, over: Partial<Document> = {}): Document => ({
  type: 'invoice',
  id: 'INV-1',
  customerId,
  name: 'Invoice 1',
  date: '2026-10-31',
  createdAt: AT,
  updatedAt: AT,
  ...over,
});
const ORDER = '2026-10-31T00:00:00.000Z#invoice#INV-1';

/** The TransactItems of the one transaction written. */
function written() {
  const calls = ddb.commandCalls(TransactWriteCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input.TransactItems!;
}

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteCommand).resolves({});
});

describe('document transactions', () => {
  test('create: the document if it does not exist, with its customer and all-documents keys, and +1 on the count', async () => {
    await store().write({ kind: 'create', document: invoice('c1') });
    const [put, count, customer, ...rest] = written();
    expect(rest).toEqual([]);
    expect(customer!.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#c1', sk: 'CONTACT' }, ConditionExpression: 'attribute_exists(pk) AND #archived = :false' });
    expect(put!.Put).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'DOC#invoice#INV-1',
        sk: 'DOC',
        entity: 'document',
        gsi1pk: 'CUSTOMER#c1',
        gsi1sk: ORDER,
        gsi2pk: 'CUSTOMER#c1#invoice',
        gsi2sk: ORDER,
        gsi3pk: 'DOCS',
        gsi3sk: ORDER,
        gsi4pk: 'DOCS#invoice',
        gsi4sk: ORDER,
        customerId: 'c1',
        name: 'Invoice 1',
        version: 1,
      },
    });
    expect(count!.Update).toMatchObject({ Key: { pk: 'COUNTS#c1', sk: 'COUNT#invoice' }, ExpressionAttributeValues: { ':delta': 1 } });
  });

  test('replace: conditioned on the version read, rewrites each grant copy, no count change', async () => {
    await store().write({ kind: 'replace', previous: { document: invoice('c1'), version: 4 }, document: invoice('c1', { name: 'New' }), grantees: ['g1'], dropGrants: [] });
    const [put, grant, customer, ...rest] = written();
    expect(rest).toEqual([]);
    expect(customer!.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#c1' } });
    expect(put!.Put).toMatchObject({ ConditionExpression: '#version = :version', ExpressionAttributeValues: { ':version': 4 }, Item: { version: 5, name: 'New' } });
    expect(grant!.Put!.Item).toMatchObject({
      pk: 'DOC#invoice#INV-1',
      sk: 'GRANT#g1',
      entity: 'grant',
      gsi1pk: 'GRANTEE#g1',
      gsi1sk: ORDER,
      gsi2pk: 'GRANTEE#g1#invoice',
      contactId: 'g1',
      customerId: 'c1',
      name: 'New',
    });
    expect(grant!.Put!.Item).not.toHaveProperty('version');
  });

  test('move: the customer keys change, the old count goes −1, the new +1, a grant to the new customer is dropped', async () => {
    await store().write({ kind: 'replace', previous: { document: invoice('c1'), version: 1 }, document: invoice('c2'), grantees: ['g1'], dropGrants: ['c2'] });
    const items = written();
    expect(items[0]!.Put!.Item).toMatchObject({ gsi1pk: 'CUSTOMER#c2', gsi2pk: 'CUSTOMER#c2#invoice', customerId: 'c2' });
    expect(items[1]!.Put!.Item).toMatchObject({ sk: 'GRANT#g1', customerId: 'c2' });
    expect(items[2]!.Delete).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'GRANT#c2' } });
    expect(items.slice(3, 5).map((i) => [i.Update!.Key, i.Update!.ExpressionAttributeValues![':delta']])).toEqual([
      [{ pk: 'COUNTS#c1', sk: 'COUNT#invoice' }, -1],
      [{ pk: 'COUNTS#c2', sk: 'COUNT#invoice' }, 1],
    ]);
    expect(items[5]!.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#c2' } });
    expect(items).toHaveLength(6);
  });

  test('a new date moves the document in every listing: its order keys change', async () => {
    await store().write({ kind: 'replace', previous: { document: invoice('c1'), version: 1 }, document: invoice('c1', { date: '2026-12-01T09:30:00+01:00' }), grantees: ['g1'], dropGrants: [] });
    const [put, grant] = written();
    const order = '2026-12-01T08:30:00.000Z#invoice#INV-1';
    expect(put!.Put!.Item).toMatchObject({ gsi1sk: order, gsi2sk: order, gsi3sk: order, gsi4sk: order });
    expect(grant!.Put!.Item).toMatchObject({ gsi1sk: order, gsi2sk: order });
  });

  test('delete: the document at its version, every grant, and −1 on the count', async () => {
    await store().write({ kind: 'delete', previous: { document: invoice('c1'), version: 2 }, grantees: ['g1', 'g2'] });
    const items = written();
    expect(items[0]!.Delete).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'DOC' }, ConditionExpression: '#version = :version', ExpressionAttributeValues: { ':version': 2 } });
    expect(items.slice(1, 3).map((i) => i.Delete!.Key)).toEqual([
      { pk: 'DOC#invoice#INV-1', sk: 'GRANT#g1' },
      { pk: 'DOC#invoice#INV-1', sk: 'GRANT#g2' },
    ]);
    expect(items[3]!.Update).toMatchObject({ Key: { pk: 'COUNTS#c1', sk: 'COUNT#invoice' }, ExpressionAttributeValues: { ':delta': -1 } });
    expect(items).toHaveLength(4);
  });

  test('grant and ungrant: bump the document version (serialising with replaces) and put/delete the grant', async () => {
    await store().write({ kind: 'grant', current: { document: invoice('c1'), version: 7 }, contactId: 'g1' });
    const [bump, grant, grantee] = written();
    expect(grantee!.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#g1', sk: 'CONTACT' } });
    expect(bump!.Update).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'DOC' }, ConditionExpression: '#version = :version', ExpressionAttributeValues: { ':version': 7, ':next': 8 } });
    expect(grant!.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)', Item: { sk: 'GRANT#g1', name: 'Invoice 1', customerId: 'c1' } });

    ddb.resetHistory();
    await store().write({ kind: 'ungrant', current: { document: invoice('c1'), version: 8 }, contactId: 'g1' });
    const [bump2, remove] = written();
    expect(bump2!.Update!.ExpressionAttributeValues).toEqual({ ':version': 8, ':next': 9 });
    expect(remove!.Delete).toMatchObject({ Key: { sk: 'GRANT#g1' }, ConditionExpression: 'attribute_exists(pk)' });
  });

  test.each([['ConditionalCheckFailed'], ['TransactionConflict']])('a cancellation for %s is a StaleVersion', async (code) => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', code));
    await expect(store().write({ kind: 'create', document: invoice('c1') })).rejects.toBeInstanceOf(StaleVersion);
  });

  test('other failures pass through', async () => {
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(store().write({ kind: 'create', document: invoice('c1') })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('reads', () => {
  test('get strips the keys and returns the version', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'DOC#invoice#INV-1', sk: 'DOC', gsi1pk: 'CUSTOMER#c1', entity: 'document', ...invoice('c1'), version: 3 } });
    await expect(store().get('invoice', 'INV-1')).resolves.toEqual({ document: invoice('c1'), version: 3 });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'DOC' }, ConsistentRead: true });
  });

  test('a stream is one Query, newest first, strictly after the cursor position, continued only across 1 MB pages', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ ...invoice('c1'), gsi2sk: ORDER }], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: [{ ...invoice('c1', { id: 'INV-0' }), gsi2sk: 'o2' }] });
    const found = await store().stream({ granteeId: 'p1' }, 'invoice', '2027-01-01T00:00:00.000Z#lead#z', 2);
    expect(found.map((f) => f.order)).toEqual([ORDER, 'o2']);
    const [first, second] = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({
      IndexName: 'gsi2',
      KeyConditionExpression: '#pk = :pk AND #sk < :after',
      ExpressionAttributeNames: { '#pk': 'gsi2pk', '#sk': 'gsi2sk' },
      ExpressionAttributeValues: { ':pk': 'GRANTEE#p1#invoice', ':after': '2027-01-01T00:00:00.000Z#lead#z' },
      ScanIndexForward: false,
      Limit: 2,
    });
    expect(second).toMatchObject({ Limit: 1, ExclusiveStartKey: { pk: 'x' } });
  });

  test.each([
    [{ customerId: 'c1' }, 'gsi1', 'CUSTOMER#c1'],
    [{ customerId: 'c1', type: 'task' as const }, 'gsi2', 'CUSTOMER#c1#task'],
    [{}, 'gsi3', 'DOCS'],
    [{ type: 'task' as const }, 'gsi4', 'DOCS#task'],
  ])('the staff listing %j reads %s partition %s, one item beyond the page to know whether more exist', async (filter, index, partition) => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store().list(filter, undefined, 10);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ IndexName: index, ExpressionAttributeValues: { ':pk': partition }, Limit: 11 });
  });
});

describe('orderCursor', () => {
  test('round-trips a position within its scope', () => {
    expect(orderCursor.decode(orderCursor.encode('portal:p1:*', ORDER), 'portal:p1:*')).toBe(ORDER);
    expect(orderCursor.decode(undefined, 'portal:p1:*')).toBeUndefined();
  });

  test.each([
    ['another scope', orderCursor.encode('portal:p2:*', ORDER)],
    ['a malformed position', orderCursor.encode('portal:p1:*', 'CUSTOMER#c2')],
    ['an unknown type', orderCursor.encode('portal:p1:*', '2026-10-31T00:00:00.000Z#secret#INV-1')],
    ['garbage', 'not-a-cursor'],
    ['extra attributes', Buffer.from(JSON.stringify({ s: 'portal:p1:*', k: { o: ORDER, gsi1pk: 'CUSTOMER#c2' } })).toString('base64url')],
  ])('refuses %s with Invalid (400)', (_name, cursor) => {
    expect(() => orderCursor.decode(cursor, 'portal:p1:*')).toThrow(Invalid);
  });
});
