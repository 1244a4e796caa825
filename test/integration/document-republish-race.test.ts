/**
 * A document deleted and published again under the same id while another change of it is on its
 * way. The change read the earlier publication; its write must not land on the new one: a `DELETE`
 * would remove the new document and take the count off the customer it read, a `PUT` would move the
 * new document back to the customer it read without moving the counts — the portal's home
 * (`Invoices N`) then counts what the customer cannot open, or misses what it can.
 *
 * The stale write is made deterministic by doing the read and the write of one request by hand, with
 * the store the handlers use, on the stack's own table; the last test is the same race over HTTP
 * (20 writers at once, several rounds), counted where the customers see it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { DynamoDocumentStore } from '../../lambdas/adapters/dynamodb/documents-store';
import { StaleVersion } from '../../lambdas/domain/documents';
import { createContact, portalUser, type PortalUser } from './support/principals';
import { adminToken, api, stack, uniq } from './support/stack';

jest.setTimeout(180_000);

let token: string;
let companyA: Contact;
let companyC: Contact;
let userA: PortalUser;
let userC: PortalUser;
let store: DynamoDocumentStore;

const put = (id: string, customerId: string, name = 'Invoice') => api(`/documents/invoice/${id}`, { method: 'PUT', token, body: { customerId, name } });
const invoices = async (user: PortalUser) => ((await api('/portal/me', { token: user.tokens.accessToken })).body.counts.invoice as number | undefined) ?? 0;
const listed = async (customerId: string) => (await api(`/documents?customerId=${customerId}&type=invoice&limit=100`, { token })).body.items.length as number;

beforeAll(async () => {
  token = await adminToken();
  [companyA, companyC] = await Promise.all([createContact({ kind: 'company', name: uniq('Republish A') }), createContact({ kind: 'company', name: uniq('Republish C') })]);
  [userA, userC] = await Promise.all([portalUser(companyA.id, 'republish-a'), portalUser(companyC.id, 'republish-c')]);
  const s = stack();
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: s.region, endpoint: s.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  store = new DynamoDocumentStore(db, s.tableName);
});

/** An invoice of A, read as a concurrent request reads it, then deleted and published again for C. */
async function republishedUnderARead(id: string) {
  expect((await put(id, companyA.id)).status).toBe(201);
  const read = await store.get('invoice', id);
  expect(read).toBeDefined();
  expect((await api(`/documents/invoice/${id}`, { method: 'DELETE', token })).status).toBe(204);
  expect((await put(id, companyC.id, 'Invoice for C')).status).toBe(201);
  return read!;
}

test('a DELETE that read the earlier publication leaves the new one, and every count, alone', async () => {
  const [a, c] = [await invoices(userA), await invoices(userC)];
  const id = uniq('INV-DEL');
  const read = await republishedUnderARead(id);

  await expect(store.write({ kind: 'delete', previous: read, grants: [] })).rejects.toBeInstanceOf(StaleVersion);

  const now = await api(`/documents/invoice/${id}`, { token });
  expect(now.status).toBe(200);
  expect(now.body).toMatchObject({ customerId: companyC.id, name: 'Invoice for C' });
  expect((await api(`/portal/documents/invoice/${id}`, { token: userC.tokens.accessToken })).status).toBe(200);
  expect([await invoices(userA), await invoices(userC)]).toEqual([a, c + 1]);
});

test('a PUT that read the earlier publication does not move the new one back to the customer it read', async () => {
  const [a, c] = [await invoices(userA), await invoices(userC)];
  const id = uniq('INV-PUT');
  const read = await republishedUnderARead(id);

  const stale = { ...read.document, name: 'Stale rename', updatedAt: new Date().toISOString() };
  await expect(store.write({ kind: 'replace', previous: read, document: stale, grants: [], dropGrants: [] })).rejects.toBeInstanceOf(StaleVersion);

  expect((await api(`/documents/invoice/${id}`, { token })).body).toMatchObject({ customerId: companyC.id, name: 'Invoice for C' });
  expect((await api(`/portal/documents/invoice/${id}`, { token: userA.tokens.accessToken })).status).toBe(404);
  expect([await invoices(userA), await invoices(userC)]).toEqual([a, c + 1]);
});

test('20 PUTs (to A or C) and DELETEs of one invoice at once, round after round: the portal counts what each customer has', async () => {
  const ROUNDS = 15;
  for (let round = 0; round < ROUNDS; round++) {
    const id = uniq('INV-RACE');
    expect((await put(id, companyA.id)).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, j) => {
        await new Promise((resolve) => setTimeout(resolve, j % 4));
        if (j % 4 === 1) return (await api(`/documents/invoice/${id}`, { method: 'DELETE', token })).status;
        return (await put(id, j % 2 === 0 ? companyA.id : companyC.id, `Invoice ${j}`)).status;
      }),
    );
    expect(answers.every((status) => [200, 201, 204, 404].includes(status))).toBe(true);
  }
  // The staff listing reads the documents themselves; the portal's home counts them from the counters.
  expect({ a: await invoices(userA), c: await invoices(userC) }).toEqual({ a: await listed(companyA.id), c: await listed(companyC.id) });
});
