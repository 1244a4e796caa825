/**
 * An access that ends (`until`) while its invitation is still queued, against DynamoDB Local with the
 * job's own store: the worker never mails it then (the contact is no longer invited), so the line must
 * not say `delivery: queued` for good — as a revocation before the mail (api-edges.test.ts). A mail
 * the worker marked sent meanwhile stays `sent`: that run answers pending and the next one expires it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store';
import { DynamoContactStore } from '../../lambdas/adapters/dynamodb/contacts-store';
import { keys } from '../../lambdas/contract/keys';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { auditEntry } from '../../lambdas/domain/audit';
import { expireAccess, type ExpiryDeps } from '../../lambdas/domain/portal-access/expire';
import { adminToken, api, outboxDone, stack, uniq } from './support/stack';

jest.setTimeout(60_000);

let token: string;
beforeAll(async () => {
  token = await adminToken();
});

const db = () => {
  const s = stack();
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region: s.region, endpoint: s.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
};

/** A person granted access, its invitation mailed; then its record as though that mail were still queued and its end had passed. */
async function endedWhileQueued(): Promise<{ person: Contact; until: string }> {
  const created = await api('/contacts', { method: 'POST', token, body: { kind: 'person', name: uniq('Ends'), email: `${uniq('ends')}@example.com` } });
  expect(created.status).toBe(201);
  const person = created.body as Contact;
  const applied = await api(`/contacts/${person.id}/portal-access`, { method: 'POST', token, body: { lines: [{ contactId: person.id, inPortal: true }] } });
  expect(applied.body.results[0].outcome).toBe('granted');
  await outboxDone([person.id]);
  const until = new Date(Date.now() - 60_000).toISOString();
  await db().send(
    new UpdateCommand({
      TableName: stack().tableName,
      Key: keys.contact(person.id),
      UpdateExpression: 'SET #portal.#delivery = :queued, #portal.#until = :until',
      ExpressionAttributeNames: { '#portal': 'portal', '#delivery': 'delivery', '#until': 'until' },
      ExpressionAttributeValues: { ':queued': 'queued', ':until': until },
    }),
  );
  return { person, until };
}

const deps = (): ExpiryDeps => {
  const table = db();
  return { contacts: new DynamoContactStore(table, stack().tableName), store: new DynamoAccessStore(table, stack().tableName), now: () => new Date(), events: { emit: async () => undefined } };
};
const lineOf = async (person: Contact) =>
  ((await api(`/contacts/${person.id}/portal-access`, { token })).body.lines as { contactId: string; status: string; delivery?: string }[]).find((l) => l.contactId === person.id);

it('expired before its mail went out: the line is expired with no delivery', async () => {
  const { person, until } = await endedWhileQueued();
  expect(await lineOf(person)).toMatchObject({ delivery: 'queued' }); // read as expired already (its until has passed), not yet recorded so
  expect(await expireAccess(deps(), person.id, until)).toBe('expired');
  const line = await lineOf(person);
  expect(line?.status).toBe('expired');
  expect(line?.delivery).toBeUndefined();
});

it('the mail marked sent between the job’s read and its write: that run is pending, the next expires it, and the line keeps sent', async () => {
  const { person, until } = await endedWhileQueued();
  const store = new DynamoAccessStore(db(), stack().tableName);
  const read = await new DynamoContactStore(db(), stack().tableName).get(person.id);
  await db().send(
    new UpdateCommand({
      TableName: stack().tableName,
      Key: keys.contact(person.id),
      UpdateExpression: 'SET #portal.#delivery = :sent',
      ExpressionAttributeNames: { '#portal': 'portal', '#delivery': 'delivery' },
      ExpressionAttributeValues: { ':sent': 'sent' },
    }),
  );
  expect(await store.markExpired(read!, new Date().toISOString(), auditEntry('portal.expired', person.id, 'schedule', new Date().toISOString()))).toBe(false);
  expect(await expireAccess(deps(), person.id, until)).toBe('expired');
  expect(await lineOf(person)).toMatchObject({ status: 'expired', delivery: 'sent' });
});
