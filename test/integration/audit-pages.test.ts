/**
 * A contact's audit trail paged over HTTP when its entries are large (a company's wizard apply of
 * 500 lines lists each line): DynamoDB answers a Query at most 1 MB, fewer entries than the page
 * asked for, and the page must still carry a cursor to the older ones — every entry reached once,
 * and no cursor to an empty page.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditItem } from '../../lambdas/adapters/dynamodb/audit-store';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { auditEntry } from '../../lambdas/domain/audit';
import { adminToken, api, stack, uniq } from './support/stack';

jest.setTimeout(60_000);

const ENTRIES = 40;

let token: string;
let company: Contact;
const written: string[] = [];

beforeAll(async () => {
  token = await adminToken();
  const created = await api('/contacts', { method: 'POST', token, body: { kind: 'company', name: uniq('Audited Co') } });
  expect(created.status).toBe(201);
  company = created.body as Contact;
  const s = stack();
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: s.region, endpoint: s.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  // Entries as a 500-line apply writes them (about 60 KB each): 1 MB holds some 17 of them.
  const lines = Array.from({ length: 500 }, (_, i) => ({ contactId: `${'c'.repeat(30)}${String(i).padStart(6, '0')}`, outcome: 'granted', status: 'invited', reason: 'x'.repeat(40) }));
  const items = Array.from({ length: ENTRIES }, (_, i) => {
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    written.push(at);
    return auditItem(auditEntry('portal.applied', company.id, 'staff:test', at, { lines, withMessage: false }));
  });
  for (let i = 0; i < items.length; i += 25) await db.send(new BatchWriteCommand({ RequestItems: { [s.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
});

it.each([100, 50, 20])('pages of %i reach every entry once, newest first, and no cursor leads to an empty page', async (limit) => {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await api(`/contacts/${company.id}/audit?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status).toBe(200);
    if (cursor) expect(res.body.items.length).toBeGreaterThan(0);
    seen.push(...(res.body.items as { at: string; action: string }[]).filter((e) => e.action === 'portal.applied').map((e) => e.at));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  expect(seen).toEqual([...written].reverse());
});

it('a cursor forged with a part of the key missing, empty or too long is a 400 on cursor, never a 500', async () => {
  const first = await api(`/contacts/${company.id}/audit?limit=1`, { token });
  const issued = JSON.parse(Buffer.from(first.body.nextCursor as string, 'base64url').toString('utf8')) as { s: string; k: { pk: string; sk: string } };
  const forged = (k: Record<string, string>) => Buffer.from(JSON.stringify({ s: issued.s, k }), 'utf8').toString('base64url');
  // The issued cursor's key, re-encoded, still continues the trail: the forgeries below differ only in its sort key.
  expect((await api(`/contacts/${company.id}/audit?limit=1&cursor=${forged(issued.k)}`, { token })).body.items).toEqual([expect.objectContaining({ at: written.at(-2) })]);
  for (const k of [{ pk: issued.k.pk }, { pk: issued.k.pk, sk: '' }, { pk: issued.k.pk, sk: 'é'.repeat(513) }] as Record<string, string>[]) {
    const res = await api(`/contacts/${company.id}/audit?cursor=${forged(k)}`, { token });
    expect({ k, status: res.status, body: res.body }).toEqual({ k, status: 400, body: expect.objectContaining({ type: expect.stringMatching(/validation$/), errors: [{ path: 'cursor', message: 'The cursor is not valid for this listing.' }] }) });
  }
});
