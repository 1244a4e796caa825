import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoAttachmentStore } from '../../lambdas/adapters/dynamodb/attachments-store';
import type { AttachmentRecord } from '../../lambdas/domain/attachments/ports';

const TABLE = 'portal-test';
const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoAttachmentStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), TABLE);

const record = (over: Partial<AttachmentRecord> = {}): AttachmentRecord => ({
  id: 'a1',
  fileName: 'a.pdf',
  contentType: 'application/pdf',
  size: 10,
  status: 'pending',
  createdAt: '2026-11-30T12:00:00.000Z',
  uploadExpiresAt: '2026-11-30T12:15:00.000Z',
  ...over,
});
const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const transaction = () => ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;

beforeEach(() => ddb.reset());

test('list: one strongly consistent Query of the document’s ATTACHMENT# items, every page, oldest first', async () => {
  ddb
    .on(QueryCommand)
    .resolvesOnce({ Items: [{ pk: 'DOC#invoice#I1', sk: 'ATTACHMENT#b', entity: 'attachment', ttl: 1, ...record({ id: 'b', createdAt: '2026-11-30T12:00:02.000Z' }) }], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
    .resolvesOnce({ Items: [{ ...record({ id: 'a' }) }] });
  const found = await store().list('invoice', 'I1');
  expect(found.map((r) => r.id)).toEqual(['a', 'b']);
  expect(found[1]).toEqual(record({ id: 'b', createdAt: '2026-11-30T12:00:02.000Z' })); // no keys, no ttl
  const calls = ddb.commandCalls(QueryCommand);
  expect(calls).toHaveLength(2);
  expect(calls[0]!.args[0].input).toMatchObject({
    TableName: TABLE,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': 'DOC#invoice#I1', ':prefix': 'ATTACHMENT#' },
    ConsistentRead: true,
  });
  expect(calls[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
});

test('get: GetItem of DOC#type#id / ATTACHMENT#id, strongly consistent', async () => {
  ddb.on(GetCommand).resolves({ Item: { pk: 'DOC#invoice#I1', sk: 'ATTACHMENT#a1', ...record() } });
  expect(await store().get('invoice', 'I1', 'a1')).toEqual(record());
  expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Key: { pk: 'DOC#invoice#I1', sk: 'ATTACHMENT#a1' }, ConsistentRead: true });
});

describe('addPending', () => {
  test('puts the record with its TTL if new, in one transaction with the document’s existence', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store().addPending('invoice', 'I1', record(), 1_800_000_000)).toBe(true);
    const [put, check] = transaction();
    expect(put!.Put).toEqual({
      TableName: TABLE,
      Item: { pk: 'DOC#invoice#I1', sk: 'ATTACHMENT#a1', entity: 'attachment', ...record(), ttl: 1_800_000_000 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(check!.ConditionCheck).toEqual({ TableName: TABLE, Key: { pk: 'DOC#invoice#I1', sk: 'DOC' }, ConditionExpression: 'attribute_exists(pk)' });
  });

  test('false when the document is gone; an id collision is an error', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    expect(await store().addPending('invoice', 'I1', record(), 1)).toBe(false);
    await expect(store().addPending('invoice', 'I1', record(), 1)).rejects.toThrow('cancelled');
  });
});

describe('markReady', () => {
  test('pending → ready (TTL removed), +1 on the count under the maximum, while the document exists', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store().markReady('invoice', 'I1', 'a1', '2026-11-30T12:01:00.000Z', 20)).toBe('done');
    const [update, count, check] = transaction();
    expect(update!.Update).toMatchObject({
      Key: { pk: 'DOC#invoice#I1', sk: 'ATTACHMENT#a1' },
      UpdateExpression: 'SET #status = :ready, #completedAt = :at REMOVE #ttl',
      ConditionExpression: '#status = :pending',
    });
    expect(count!.Update).toMatchObject({
      Key: { pk: 'DOC#invoice#I1', sk: 'ATTACHMENTS' },
      UpdateExpression: 'SET #entity = :entity ADD #n :one',
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
      ExpressionAttributeValues: { ':entity': 'attachment-count', ':one': 1, ':max': 20 },
    });
    expect(check!.ConditionCheck).toMatchObject({ Key: { pk: 'DOC#invoice#I1', sk: 'DOC' }, ConditionExpression: 'attribute_exists(pk)' });
  });

  test.each([
    [['ConditionalCheckFailed', 'None', 'None'], 'not-pending'],
    [['None', 'None', 'ConditionalCheckFailed'], 'document-missing'],
    [['None', 'ConditionalCheckFailed', 'None'], 'full'],
  ] as const)('a failed condition %j is %s', async (codes, outcome) => {
    ddb.on(TransactWriteCommand).rejects(cancelled(...codes));
    expect(await store().markReady('invoice', 'I1', 'a1', 'x', 20)).toBe(outcome);
  });

  test('any other failure is thrown', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None'));
    await expect(store().markReady('invoice', 'I1', 'a1', 'x', 20)).rejects.toThrow('cancelled');
  });
});

describe('remove', () => {
  test('a pending record: its conditional delete alone (no count to give back)', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store().remove('invoice', 'I1', record())).toBe(true);
    expect(transaction()).toHaveLength(1);
    expect(transaction()[0]!.Delete).toMatchObject({
      Key: { pk: 'DOC#invoice#I1', sk: 'ATTACHMENT#a1' },
      ConditionExpression: '#status = :status',
      ExpressionAttributeValues: { ':status': 'pending' },
    });
  });

  test('a completed record: deleted with −1 on the count, in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store().remove('invoice', 'I1', record({ status: 'ready' }))).toBe(true);
    const [del, count] = transaction();
    expect(del!.Delete).toMatchObject({ ExpressionAttributeValues: { ':status': 'ready' } });
    expect(count!.Update).toMatchObject({ Key: { pk: 'DOC#invoice#I1', sk: 'ATTACHMENTS' }, UpdateExpression: 'ADD #n :minus', ExpressionAttributeValues: { ':minus': -1, ':zero': 0 } });
  });

  test('false when the record changed or went meanwhile; any other failure is thrown', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed'));
    expect(await store().remove('invoice', 'I1', record())).toBe(false);
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    expect(await store().remove('invoice', 'I1', record({ status: 'ready' }))).toBe(false);
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));
    await expect(store().remove('invoice', 'I1', record())).rejects.toThrow('cancelled');
  });
});
