import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoPortalSessionStore } from '../../lambdas/adapters/dynamodb/portal-session-store';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoPortalSessionStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), 'portal-test');
const subjectReads = () => ddb.commandCalls(GetCommand).filter((c) => c.args[0].input.Key?.pk === 'SUB#sub-1' || c.args[0].input.Key?.pk === 'SUB#sub-2');

beforeEach(() => ddb.reset());

test('resolves a subject once per container, and again when asked fresh', async () => {
  ddb.on(GetCommand, { Key: { pk: 'SUB#sub-1', sk: 'SUB' } }).resolves({ Item: { pk: 'SUB#sub-1', sk: 'SUB', contactId: 'c1', sub: 'sub-1' } });
  await expect(store().contactIdOfSubject('sub-1')).resolves.toBe('c1');
  await expect(store().contactIdOfSubject('sub-1')).resolves.toBe('c1');
  expect(subjectReads()).toHaveLength(1);
  await expect(store().contactIdOfSubject('sub-1', true)).resolves.toBe('c1');
  expect(subjectReads()).toHaveLength(2);
  expect(subjectReads()[0]!.args[0].input).toMatchObject({ TableName: 'portal-test', ConsistentRead: true });
});

test('does not remember an unknown subject', async () => {
  ddb.on(GetCommand).resolves({});
  await expect(store().contactIdOfSubject('sub-2')).resolves.toBeUndefined();
  ddb.on(GetCommand, { Key: { pk: 'SUB#sub-2', sk: 'SUB' } }).resolves({ Item: { contactId: 'c2' } });
  await expect(store().contactIdOfSubject('sub-2')).resolves.toBe('c2');
});

test('reads the contact strongly consistent, every time', async () => {
  ddb.on(GetCommand, { Key: { pk: 'CONTACT#c1', sk: 'CONTACT' } }).resolves({
    Item: { pk: 'CONTACT#c1', sk: 'CONTACT', entity: 'contact', id: 'c1', name: 'Ann', kind: 'person', archived: false, portal: { status: 'active' }, version: 1 },
  });
  await store().contact('c1');
  await store().contact('c1');
  const reads = ddb.commandCalls(GetCommand).map((c) => c.args[0].input);
  expect(reads).toHaveLength(2);
  expect(reads.every((r) => r.ConsistentRead === true)).toBe(true);
});
