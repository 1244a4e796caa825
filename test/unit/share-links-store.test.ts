import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoShareLinkStore } from '../../lambdas/adapters/dynamodb/share-links-store';
import { auditEntry } from '../../lambdas/domain/audit';
import type { ShareLink } from '../../lambdas/domain/share-links/links';

const TABLE = 'portal-test';
const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoShareLinkStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), TABLE);

const AT = '2026-11-01T10:00:00.000Z';
const link = (over: Partial<ShareLink> = {}): ShareLink => ({
  id: 'l1',
  tokenHash: 'abc',
  type: 'invoice',
  documentId: 'INV-1',
  documentCreatedAt: AT,
  createdBy: 'staff:alice',
  createdAt: AT,
  expiresAt: '2026-12-01T10:00:00.000Z',
  views: 0,
  ...over,
});
/** The TTL of a link expiring on 2026-12-01 10:00: a week later, in epoch seconds. */
const TTL = Date.parse('2026-12-08T10:00:00.000Z') / 1000;
const audit = auditEntry('link.created', 'company-1', 'staff:alice', AT, { linkId: 'l1' });

const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

beforeEach(() => ddb.reset());

describe('create', () => {
  test('one transaction: the link and its entry (new), the guard at the read version, the same document, a live recipient, the audit entry', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store().create(link({ contactId: 'bob', maxViews: 2, documentCustomerId: 'company-1' }), 3, audit)).toBe(true);
    const [put, entry, guard, document, recipient, auditPut, ...rest] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(rest).toEqual([]);
    expect(put!.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { pk: 'LINK#abc', sk: 'LINK', entity: 'share-link', id: 'l1', tokenHash: 'abc', contactId: 'bob', maxViews: 2, views: 0, ttl: TTL },
    });
    expect(entry!.Put).toEqual({
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { pk: 'DOC#invoice#INV-1', sk: 'LINK#l1', entity: 'document-link', linkId: 'l1', tokenHash: 'abc', ttl: TTL },
    });
    expect(guard!.Update).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'LINKS' }, ConditionExpression: '#version = :read', ExpressionAttributeValues: { ':read': 3, ':next': 4 } });
    expect(document!.ConditionCheck).toMatchObject({
      Key: { pk: 'DOC#invoice#INV-1', sk: 'DOC' },
      ConditionExpression: 'attribute_exists(pk) AND #createdAt = :createdAt AND #customerId = :customerId',
      ExpressionAttributeNames: { '#createdAt': 'createdAt', '#customerId': 'customerId' },
      ExpressionAttributeValues: { ':createdAt': AT, ':customerId': 'company-1' },
    });
    expect(put!.Put!.Item).toMatchObject({ documentCustomerId: 'company-1' });
    expect(recipient!.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#bob', sk: 'CONTACT' }, ConditionExpression: 'attribute_exists(pk) AND #archived = :false' });
    expect(auditPut!.Put!.Item).toMatchObject({ pk: 'AUDIT#company-1', action: 'link.created' });
  });

  test('the first link of a document creates its guard; no recipient, no recipient check', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().create(link(), 0, audit);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(5);
    expect(items[2]!.Update).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':next': 1 } });
  });

  test('a refused condition or a conflict is `false` (the domain reads again); anything else is thrown', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed', 'None', 'None'));
    expect(await store().create(link(), 1, audit)).toBe(false);
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));
    expect(await store().create(link(), 1, audit)).toBe(false);
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(store().create(link(), 1, audit)).rejects.toThrow('throttled');
  });
});

test('revoke: the link if not revoked yet, both items kept until the given time, with the audit entry', async () => {
  ddb.on(TransactWriteCommand).resolves({});
  expect(await store().revoke(link(), AT, new Date('2026-11-08T10:00:00.000Z'), audit)).toBe(true);
  const [update, entry, auditPut] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
  const ttl = Date.parse('2026-11-08T10:00:00.000Z') / 1000;
  expect(update!.Update).toMatchObject({ Key: { pk: 'LINK#abc', sk: 'LINK' }, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt)', ExpressionAttributeValues: { ':at': AT, ':ttl': ttl } });
  expect(entry!.Update).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'LINK#l1' }, ExpressionAttributeValues: { ':ttl': ttl } });
  expect(auditPut!.Put).toBeDefined();
  ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
  expect(await store().revoke(link(), AT, new Date(), audit)).toBe(false);
});

test('ofDocument: one strongly consistent Query of the collection (entries and guard), then the links by batch; links gone by TTL are left out', async () => {
  ddb.on(QueryCommand).resolves({
    Items: [
      { pk: 'DOC#invoice#INV-1', sk: 'LINK#l1', entity: 'document-link', linkId: 'l1', tokenHash: 'h1' },
      { pk: 'DOC#invoice#INV-1', sk: 'LINK#l2', entity: 'document-link', linkId: 'l2', tokenHash: 'h2' },
      { pk: 'DOC#invoice#INV-1', sk: 'LINKS', entity: 'document-link-guard', version: 7 },
    ],
  });
  ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [{ pk: 'LINK#h1', sk: 'LINK', entity: 'share-link', ...link({ tokenHash: 'h1' }), ttl: 1 }] } });
  const found = await store().ofDocument('invoice', 'INV-1');
  expect(found).toEqual({ links: [link({ tokenHash: 'h1' })], guardVersion: 7 });
  expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': 'DOC#invoice#INV-1', ':prefix': 'LINK' },
    ConsistentRead: true,
  });
  expect(ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems![TABLE]).toEqual({
    Keys: [
      { pk: 'LINK#h1', sk: 'LINK' },
      { pk: 'LINK#h2', sk: 'LINK' },
    ],
    ConsistentRead: true,
  });
});

test('byId: the entry, then its link; no entry, no link', async () => {
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: { pk: 'DOC#invoice#INV-1', sk: 'LINK#l1' } }).resolves({ Item: { entity: 'document-link', linkId: 'l1', tokenHash: 'abc' } });
  ddb.on(GetCommand, { Key: { pk: 'LINK#abc', sk: 'LINK' } }).resolves({ Item: { entity: 'share-link', ...link() } });
  expect(await store().byId('invoice', 'INV-1', 'l1')).toEqual(link());
  expect(await store().byId('invoice', 'INV-1', 'l2')).toBeUndefined();
});
