/**
 * An access that ends (`until`) while its invitation is still queued, against DynamoDB Local with the
 * job's own store: the worker never mails it then (the contact is no longer invited), so the line must
 * not say `delivery: queued` for good — as a revocation before the mail (api-edges.test.ts). A mail
 * the worker marked sent meanwhile stays `sent`: that run answers pending and the next one expires it.
 * An access archived after its `until` but before the job recorded the end is still announced
 * (`PortalAccessExpired`, `portal.expired`), once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store';
import { DynamoContactStore } from '../../lambdas/adapters/dynamodb/contacts-store';
import { keys } from '../../lambdas/contract/keys';
import { DUE_TASKS } from '../../lambdas/contract/schedule';
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

const deps = (emitted: { type: string; detail: unknown }[] = []): ExpiryDeps => {
  const table = db();
  return {
    contacts: new DynamoContactStore(table, stack().tableName),
    store: new DynamoAccessStore(table, stack().tableName),
    now: () => new Date(),
    events: { emit: async (type, detail) => void emitted.push({ type, detail }) },
  };
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

it('archived after its until, before the job recorded the end: the end is still announced once, and audited', async () => {
  const created = await api('/contacts', { method: 'POST', token, body: { kind: 'person', name: uniq('Ended'), email: `${uniq('ended')}@example.com` } });
  const person = created.body as Contact & { email: string };
  const applied = await api(`/contacts/${person.id}/portal-access`, { method: 'POST', token, body: { lines: [{ contactId: person.id, inPortal: true }] } });
  expect(applied.body.results[0].outcome).toBe('granted');
  await outboxDone([person.id]);
  // Its end came, with its due entry, in an hour the stack's own job has passed already (its watermark
  // is the current hour): only this test's run of the task handles it, so nothing races the archive.
  const until = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const due = keys.due(DUE_TASKS.accessExpiry, until, person.id);
  await db().send(
    new UpdateCommand({
      TableName: stack().tableName,
      Key: keys.contact(person.id),
      UpdateExpression: 'SET #portal.#until = :until, duepk = :duepk, duesk = :duesk',
      ExpressionAttributeNames: { '#portal': 'portal', '#until': 'until' },
      ExpressionAttributeValues: { ':until': until, ':duepk': due.duepk, ':duesk': due.duesk },
    }),
  );
  expect((await lineOf(person))?.status).toBe('expired');

  expect((await api(`/contacts/${person.id}`, { method: 'DELETE', token })).status).toBe(204);
  const item = (await db().send(new GetCommand({ TableName: stack().tableName, Key: keys.contact(person.id) }))).Item;
  expect(item).toMatchObject({ portal: expect.objectContaining({ status: 'revoked' }), duepk: due.duepk, duesk: due.duesk });

  const emitted: { type: string; detail: unknown }[] = [];
  expect(await expireAccess(deps(emitted), person.id, until)).toBe('expired');
  expect(await expireAccess(deps(emitted), person.id, until)).toBe('unchanged');
  expect(emitted).toEqual([{ type: 'PortalAccessExpired', detail: { contactId: person.id, email: person.email, at: until } }]);
  const trail = (await api(`/contacts/${person.id}/audit?limit=50`, { token })).body.items as { action: string; actor: string; details: Record<string, unknown> }[];
  expect(trail.filter((a) => a.action === 'portal.expired')).toEqual([expect.objectContaining({ actor: 'schedule', details: expect.objectContaining({ until }) })]);
  const after = (await db().send(new GetCommand({ TableName: stack().tableName, Key: keys.contact(person.id) }))).Item;
  expect(after).toMatchObject({ expiryAnnounced: until, portal: expect.objectContaining({ status: 'revoked' }) });
  expect(after?.duepk).toBeUndefined();
});
