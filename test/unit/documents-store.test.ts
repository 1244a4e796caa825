import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { toRecord } from '../../lambdas/adapters/dynamodb/contact-reader';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDocumentStore, holdingsUpdate, orderCursor, toDocument } from '../../lambdas/adapters/dynamodb/documents-store';
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
  test('create: the document if it does not exist, with its customer and all-documents keys, +1 on the live customer\'s holdings and its count of the type, in one update', async () => {
    await store().write({ kind: 'create', document: invoice('c1') });
    const [put, customer, ...rest] = written();
    expect(rest).toEqual([]);
    expect(customer!.Update).toEqual({
      TableName: TABLE,
      Key: { pk: 'CONTACT#c1', sk: 'CONTACT' },
      UpdateExpression: 'SET #documents = if_not_exists(#documents, :unknown) + :documents ADD #count3 :count3',
      ConditionExpression: 'attribute_exists(#pk) AND #archived = :false',
      ExpressionAttributeNames: { '#pk': 'pk', '#documents': 'documentsAsCustomer', '#count3': 'count#invoice', '#archived': 'archived' },
      ExpressionAttributeValues: { ':documents': 1, ':unknown': -1_000_000_000, ':count3': 1, ':false': false },
    });
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
  });

  test('replace: conditioned on the version and the createdAt read (the publication: a version restarts at 1 when the id is published again), rewrites each grant copy, no count change', async () => {
    await store().write({ kind: 'replace', previous: { document: invoice('c1'), version: 4 }, document: invoice('c1', { name: 'New' }), grants: [{ contactId: 'g1', until: '2027-01-01T00:00:00.000Z', grantedBy: 'staff:ann', grantedAt: AT }], dropGrants: [] });
    const [put, grant, customer, ...rest] = written();
    expect(rest).toEqual([]);
    expect(customer!.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#c1' } });
    expect(put!.Put).toMatchObject({ ConditionExpression: '#version = :version AND #createdAt = :createdAt', ExpressionAttributeValues: { ':version': 4, ':createdAt': invoice('c1').createdAt }, Item: { version: 5, name: 'New' } });
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
      // The grant's own fields survive the rewrite, with the keys of its end.
      until: '2027-01-01T00:00:00.000Z',
      grantedBy: 'staff:ann',
      grantedAt: AT,
      gsi3pk: 'GRANT_UNTIL#g1',
      gsi3sk: '2027-01-01T00:00:00.000Z#invoice#INV-1',
      duepk: 'DUE#grant-expiry#2027-01-01T00',
      duesk: '2027-01-01T00:00:00.000Z#g1',
    });
    expect(grant!.Put!.Item).not.toHaveProperty('version');
  });

  test('move: the customer keys change, the grant counts and both customers\' holdings and counts of the type move, a grant to the new customer is dropped', async () => {
    await store().write({
      kind: 'replace',
      previous: { document: invoice('c1'), version: 1 },
      document: invoice('c2'),
      grants: [{ contactId: 'g1' }],
      dropGrants: [{ contactId: 'c2' }],
    });
    const items = written();
    expect(items[0]!.Put!.Item).toMatchObject({ gsi1pk: 'CUSTOMER#c2', gsi2pk: 'CUSTOMER#c2#invoice', customerId: 'c2' });
    expect(items[1]!.Put!.Item).toMatchObject({ sk: 'GRANT#g1', customerId: 'c2' });
    expect(items[1]!.Put!.Item).not.toHaveProperty('duepk');
    const delta = (i: (typeof items)[number]) => i.Update!.ExpressionAttributeValues![':delta'];
    expect(items.slice(2, 4).map((i) => [i.Update!.Key, delta(i)])).toEqual([
      [{ pk: 'GRANTS#g1', sk: 'COUNT#invoice#c1' }, -1],
      [{ pk: 'GRANTS#g1', sk: 'COUNT#invoice#c2' }, 1],
    ]);
    expect(items[4]!.Delete).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'GRANT#c2' } });
    expect([items[5]!.Update!.Key, delta(items[5]!)]).toEqual([{ pk: 'GRANTS#c2', sk: 'COUNT#invoice#c1' }, -1]);
    expect(items[6]!.Update).toMatchObject({
      Key: { pk: 'CONTACT#c1' },
      UpdateExpression: 'SET #documents = if_not_exists(#documents, :unknown) + :documents ADD #count3 :count3',
      ExpressionAttributeNames: { '#count3': 'count#invoice' },
      ExpressionAttributeValues: { ':documents': -1, ':count3': -1 },
      ConditionExpression: 'attribute_exists(#pk)',
    });
    // The new customer: one document more (and one invoice), one explicit grant less (now implicit), and it must be live.
    expect(items[7]!.Update).toMatchObject({
      Key: { pk: 'CONTACT#c2' },
      ExpressionAttributeNames: { '#count3': 'count#invoice' },
      ExpressionAttributeValues: { ':documents': 1, ':grants': -1, ':count3': 1 },
      ConditionExpression: 'attribute_exists(#pk) AND #archived = :false',
    });
    // No COUNTS# item any more: the counts are on the contact items.
    expect(items.filter((i) => String(i.Update?.Key?.pk ?? '').startsWith('COUNTS#'))).toEqual([]);
    expect(items).toHaveLength(8);
  });

  test('a new date moves the document in every listing: its order keys change', async () => {
    await store().write({ kind: 'replace', previous: { document: invoice('c1'), version: 1 }, document: invoice('c1', { date: '2026-12-01T09:30:00+01:00' }), grants: [{ contactId: 'g1' }], dropGrants: [] });
    const [put, grant] = written();
    const order = '2026-12-01T08:30:00.000Z#invoice#INV-1';
    expect(put!.Put!.Item).toMatchObject({ gsi1sk: order, gsi2sk: order, gsi3sk: order, gsi4sk: order });
    expect(grant!.Put!.Item).toMatchObject({ gsi1sk: order, gsi2sk: order });
  });

  test('delete: the document at its version, every grant with its grant count and its grantee\'s holdings, −1 on the customer\'s holdings and count of the type', async () => {
    await store().write({ kind: 'delete', previous: { document: invoice('c1'), version: 2 }, grants: [{ contactId: 'g1' }, { contactId: 'g2' }] });
    const items = written();
    expect(items[0]!.Delete).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'DOC' }, ConditionExpression: '#version = :version AND #createdAt = :createdAt', ExpressionAttributeValues: { ':version': 2, ':createdAt': invoice('c1').createdAt } });
    for (const [i, g] of [[1, 'g1'], [4, 'g2']] as const) {
      expect(items[i]!.Delete!.Key).toEqual({ pk: 'DOC#invoice#INV-1', sk: `GRANT#${g}` });
      expect(items[i + 1]!.Update).toMatchObject({ Key: { pk: `GRANTS#${g}`, sk: 'COUNT#invoice#c1' }, ExpressionAttributeValues: { ':delta': -1 } });
      expect(items[i + 2]!.Update).toMatchObject({ Key: { pk: `CONTACT#${g}` }, ExpressionAttributeValues: { ':grants': -1 } });
    }
    expect(items[7]!.Update).toMatchObject({
      Key: { pk: 'CONTACT#c1' },
      UpdateExpression: 'SET #documents = if_not_exists(#documents, :unknown) + :documents ADD #count3 :count3',
      ExpressionAttributeNames: { '#count3': 'count#invoice' },
      ExpressionAttributeValues: { ':documents': -1, ':count3': -1 },
      ConditionExpression: 'attribute_exists(#pk)',
    });
    expect(items).toHaveLength(8);
  });

  const given = { at: AT, actor: 'staff:ann', action: 'grant.given' as const, contactId: 'g1', details: { type: 'invoice', id: 'INV-1' } };
  const removed = { ...given, action: 'grant.removed' as const };

  test("grant and ungrant: bump the document version (serialising with replaces), put/delete the grant, count it for the grantee, and write the grantee's audit entry", async () => {
    await store().write({ kind: 'grant', current: { document: invoice('c1'), version: 7 }, grant: { contactId: 'g1', until: '2027-03-01T12:00:00.000Z', grantedBy: 'staff:ann', grantedAt: AT }, audit: given });
    const [bump, grant, grantee, counted, audited, ...rest] = written();
    expect(rest).toEqual([]);
    expect(audited!.Put!.Item).toMatchObject({ pk: 'AUDIT#g1', action: 'grant.given', actor: 'staff:ann', details: { type: 'invoice', id: 'INV-1' } });
    expect(grantee!.Update).toMatchObject({ Key: { pk: 'CONTACT#g1', sk: 'CONTACT' }, ExpressionAttributeValues: { ':grants': 1 }, ConditionExpression: 'attribute_exists(#pk) AND #archived = :false' });
    expect(counted!.Update).toMatchObject({ Key: { pk: 'GRANTS#g1', sk: 'COUNT#invoice#c1' }, ExpressionAttributeValues: { ':delta': 1 } });
    expect(bump!.Update).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'DOC' }, ConditionExpression: '#version = :version AND #createdAt = :createdAt', ExpressionAttributeValues: { ':version': 7, ':next': 8, ':createdAt': invoice('c1').createdAt } });
    expect(grant!.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { sk: 'GRANT#g1', name: 'Invoice 1', customerId: 'c1', until: '2027-03-01T12:00:00.000Z', grantedBy: 'staff:ann', duepk: 'DUE#grant-expiry#2027-03-01T12' },
    });

    ddb.resetHistory();
    await store().write({ kind: 'ungrant', current: { document: invoice('c1'), version: 8 }, grant: { contactId: 'g1' }, audit: removed });
    const [bump2, remove, holdings, uncounted, audited2, ...none] = written();
    expect(none).toEqual([]);
    expect(audited2!.Put!.Item).toMatchObject({ pk: 'AUDIT#g1', action: 'grant.removed' });
    expect(bump2!.Update!.ExpressionAttributeValues).toEqual({ ':version': 8, ':next': 9, ':createdAt': AT });
    expect(remove!.Delete).toMatchObject({ Key: { sk: 'GRANT#g1' }, ConditionExpression: 'attribute_exists(pk)' });
    expect(holdings!.Update).toMatchObject({ Key: { pk: 'CONTACT#g1' }, ExpressionAttributeValues: { ':grants': -1 }, ConditionExpression: 'attribute_exists(#pk)' });
    expect(uncounted!.Update).toMatchObject({ Key: { pk: 'GRANTS#g1' }, ExpressionAttributeValues: { ':delta': -1 } });
  });

  test('another end for an existing grant rewrites it in place: no count changes', async () => {
    await store().write({ kind: 'grant', current: { document: invoice('c1'), version: 3 }, grant: { contactId: 'g1' }, replaces: { contactId: 'g1', until: '2027-01-01T00:00:00.000Z' }, audit: given });
    const [bump, grant, live, audited, ...rest] = written();
    expect(rest).toEqual([]);
    expect(audited!.Put!.Item).toMatchObject({ pk: 'AUDIT#g1', action: 'grant.given' });
    expect(bump!.Update).toMatchObject({ ExpressionAttributeValues: { ':version': 3, ':next': 4 } });
    expect(grant!.Put).toMatchObject({ ConditionExpression: 'attribute_exists(pk)', Item: { sk: 'GRANT#g1' } });
    expect(grant!.Put!.Item).not.toHaveProperty('until');
    expect(grant!.Put!.Item).not.toHaveProperty('duepk');
    expect(live!.ConditionCheck).toMatchObject({ Key: { pk: 'CONTACT#g1' } });
  });

  test("the job's removal of an expired grant holds only while the grant still ends then, and writes the grantee's audit entry", async () => {
    const audit = { at: AT, actor: 'schedule', action: 'grant.expired' as const, contactId: 'g1', details: {} };
    await store().write({ kind: 'ungrant', current: { document: invoice('c1'), version: 2 }, grant: { contactId: 'g1', until: '2026-10-01T00:00:00.000Z' }, audit, expired: true });
    const items = written();
    expect(items[1]!.Delete).toMatchObject({
      Key: { sk: 'GRANT#g1' },
      ConditionExpression: 'attribute_exists(pk) AND #until = :until',
      ExpressionAttributeValues: { ':until': '2026-10-01T00:00:00.000Z' },
    });
    expect(items[4]!.Put!.Item).toMatchObject({ pk: 'AUDIT#g1', action: 'grant.expired' });
    expect(items).toHaveLength(5);
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
  test("a replace with 30 grant copies of 64 KiB of data (32,000 small numbers) is 2 MB of DynamoDB JSON, not 10: data is kept as its JSON text", async () => {
    const data = { lines: Array<number>(32_000).fill(1) };
    expect(Buffer.byteLength(JSON.stringify(data))).toBeLessThanOrEqual(64 * 1024);
    const grants = Array.from({ length: 30 }, (_, i) => ({ contactId: `g${i}` }));
    await store().write({ kind: 'replace', previous: { document: invoice('c1'), version: 1 }, document: invoice('c1', { data }), grants, dropGrants: [] });
    const items = written().flatMap((t) => (t.Put ? [t.Put.Item!] : []));
    expect(items).toHaveLength(31);
    // What the client sends DynamoDB for them (as a map, 32,000 typed values of ~10 bytes each copy: 9.9 MB, seconds of CPU).
    const wire = items.reduce((sum, item) => sum + JSON.stringify(marshall(item, { removeUndefinedValues: true })).length, 0);
    expect(wire).toBeLessThan(31 * 70 * 1024);
    // Each copy reads back as it was published, on every path that reads items.
    const sent = JSON.stringify(data);
    expect(items.filter((item) => JSON.stringify(toDocument(item).data) !== sent)).toEqual([]);
  });

  test('an item written with data as a map (before it was kept as JSON text) reads as before', async () => {
    const data = { note: 'x', n: [1, 2.5] };
    ddb.on(GetCommand).resolves({ Item: { pk: 'DOC#invoice#INV-1', sk: 'DOC', entity: 'document', ...invoice('c1'), data, version: 2 } });
    await expect(store().get('invoice', 'INV-1')).resolves.toEqual({ document: invoice('c1', { data }), version: 2 });
  });

  test('get strips the keys and returns the version', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'DOC#invoice#INV-1', sk: 'DOC', gsi1pk: 'CUSTOMER#c1', entity: 'document', ...invoice('c1'), version: 3 } });
    await expect(store().get('invoice', 'INV-1')).resolves.toEqual({ document: invoice('c1'), version: 3 });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ Key: { pk: 'DOC#invoice#INV-1', sk: 'DOC' }, ConsistentRead: true });
  });

  test('a stream is one Query of the public fields, newest first, strictly after the cursor position, continued across 1 MB pages', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ ...invoice('c1'), until: '2027-01-01T00:00:00.000Z' }], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: [{ ...invoice('c1', { id: 'INV-0' }) }] });
    const found = await store().stream({ granteeId: 'p1', type: 'invoice' }, '2027-01-01T00:00:00.000Z#lead#z', 2);
    // The order key is computed from the fields, as the writes computed the sort key.
    expect(found.map((f) => f.order)).toEqual([ORDER, '2026-10-31T00:00:00.000Z#invoice#INV-0']);
    expect(found.map((f) => f.grant)).toEqual([{ until: '2027-01-01T00:00:00.000Z' }, {}]);
    const [first, second] = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({
      IndexName: 'gsi2',
      KeyConditionExpression: '#pk = :pk AND #sk < :after',
      ExpressionAttributeNames: { '#pk': 'gsi2pk', '#sk': 'gsi2sk' },
      ExpressionAttributeValues: { ':pk': 'GRANTEE#p1#invoice', ':after': '2027-01-01T00:00:00.000Z#lead#z' },
      ScanIndexForward: false,
      Limit: 2,
    });
    const projected = Object.values(first!.ExpressionAttributeNames!).filter((name) => !['gsi2pk', 'gsi2sk'].includes(name));
    expect(projected.sort()).toEqual(['amount', 'createdAt', 'currency', 'customerId', 'data', 'dataJson', 'date', 'grantedAt', 'grantedBy', 'id', 'name', 'reference', 'state', 'type', 'until', 'updatedAt'].sort());
    expect(second).toMatchObject({ Limit: 1, ExclusiveStartKey: { pk: 'x' } });
  });

  test('a stream reads on past the entries it is told to drop (a grant past its end), until it has its limit', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ ...invoice('c1', { id: 'A' }), until: '2026-01-01T00:00:00.000Z' }, { ...invoice('c1', { id: 'B' }) }], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: [{ ...invoice('c1', { id: 'C' }) }], LastEvaluatedKey: { pk: 'more' } });
    const found = await store().stream({ granteeId: 'p1' }, undefined, 2, (entry) => entry.grant?.until === undefined);
    expect(found.map((f) => f.document.id)).toEqual(['B', 'C']);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit)).toEqual([2, 1]);
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

describe('per-type counts on the contact item', () => {
  test('an update that moves only counts (a batch\'s moves that cancel out in documents) is ADD alone, with no unused value', () => {
    const update = holdingsUpdate(TABLE, 'c1', { documents: 0, counts: { invoice: -1, ticket: 1, task: 0 } }, true);
    expect(update).toEqual({
      TableName: TABLE,
      Key: { pk: 'CONTACT#c1', sk: 'CONTACT' },
      UpdateExpression: 'ADD #count3 :count3, #count7 :count7',
      ConditionExpression: 'attribute_exists(#pk) AND #archived = :false',
      ExpressionAttributeNames: { '#pk': 'pk', '#count3': 'count#invoice', '#count7': 'count#ticket', '#archived': 'archived' },
      ExpressionAttributeValues: { ':count3': -1, ':count7': 1, ':false': false },
    });
  });

  test('a contact item that keeps its counts is read as documentCounts; an older one has none (its counts are read elsewhere)', () => {
    const item = { pk: 'CONTACT#c1', sk: 'CONTACT', entity: 'contact', id: 'c1', kind: 'company', name: 'C', archived: false, portal: { status: 'none' }, version: 1 };
    expect(toRecord({ ...item, countsKept: true, 'count#invoice': 3, 'count#ticket': 0 }).documentCounts).toEqual({ invoice: 3, ticket: 0 });
    expect(toRecord({ ...item, countsKept: true }).documentCounts).toEqual({});
    expect(toRecord({ ...item, 'count#invoice': 3 })).not.toHaveProperty('documentCounts');
  });

  test('an older customer\'s counts: its former count items plus the changes its contact item took since, read consistently', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ type: 'invoice', n: 5 }, { type: 'task', n: 2 }] });
    ddb.on(GetCommand).resolves({ Item: { 'count#invoice': -2, 'count#ticket': 1 } });
    expect(await store().counts('c1')).toEqual({ invoice: 3, task: 2, ticket: 1 });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'COUNTS#c1' } });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ Key: { pk: 'CONTACT#c1', sk: 'CONTACT' }, ConsistentRead: true });
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
