import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDocumentBatchStore } from '../../lambdas/adapters/dynamodb/documents-batch-store';
import { DynamoContactReader } from '../../lambdas/adapters/dynamodb/contact-reader';
import { DynamoDocumentStore, documentItem } from '../../lambdas/adapters/dynamodb/documents-store';
import { publishDocuments, type DocumentBatchDeps } from '../../lambdas/domain/documents-batch';
import type { Document } from '../../lambdas/contract/schemas/documents';
import type { Invalid } from '../../lambdas/contract/errors';
import { toProblem } from '../../lambdas/http-kit/problem';

const TABLE = 'portal-test';
const ddb = mockClient(DynamoDBDocumentClient);
const client = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const AT = '2026-11-01T10:00:00.000Z';

type Key = { pk: string; sk: string };
type Item = Record<string, unknown> & Key;

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
/** The TransactItems of the transactions that `table`'s conditions refused (nothing of them written). */
const refusedCalls = new Set<TransactItems>();

/**
 * A table of items behind BatchGetItem (answering some keys only on a second asking), Query (grants)
 * and TransactWriteItems, whose conditions it judges as DynamoDB would for these transactions: a
 * create's document absent, a replace's version, a customer there and not archived — refused, the
 * whole transaction is cancelled with a reason per item; written, the items change.
 */
function table(items: Item[], { unprocessedFirst = 0 } = {}) {
  const byKey = new Map(items.map((item) => [`${item.pk}|${item.sk}`, item]));
  refusedCalls.clear();
  ddb.on(GetCommand).callsFake((input: { Key: Key }) => ({ Item: byKey.get(`${input.Key.pk}|${input.Key.sk}`) }));
  ddb.on(TransactWriteCommand).callsFake((input: { TransactItems: TransactItems }) => {
    const refuses = (item: TransactItems[number]): boolean => {
      const current = byKey.get(keyOf(item));
      const condition = item.Put?.ConditionExpression ?? item.Update?.ConditionExpression ?? item.ConditionCheck?.ConditionExpression ?? item.Delete?.ConditionExpression;
      if (condition === 'attribute_not_exists(pk)') return current !== undefined;
      if (condition === '#version = :version AND #createdAt = :createdAt') {
        const values = (item.Put ?? item.Update ?? item.Delete)!.ExpressionAttributeValues!;
        return current?.version !== values[':version'] || current?.createdAt !== values[':createdAt'];
      }
      if (condition?.includes('#archived = :false')) return current === undefined || current.archived !== false;
      if (condition?.startsWith('attribute_exists')) return current === undefined;
      return false;
    };
    const reasons = input.TransactItems.map((item) => ({ Code: refuses(item) ? 'ConditionalCheckFailed' : 'None' }));
    if (reasons.some((reason) => reason.Code !== 'None')) {
      refusedCalls.add(input.TransactItems);
      return Promise.reject(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: reasons }));
    }
    for (const item of input.TransactItems) {
      if (item.Put) byKey.set(keyOf(item), item.Put.Item as Item);
      if (item.Delete) byKey.delete(keyOf(item));
    }
    return Promise.resolve({});
  });
  let held = unprocessedFirst;
  ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Key[]; ConsistentRead?: boolean }> }) => {
    const { Keys } = input.RequestItems[TABLE]!;
    const later = Keys.slice(0, held);
    held = 0;
    const now = Keys.slice(later.length);
    return {
      Responses: { [TABLE]: now.map((k) => byKey.get(`${k.pk}|${k.sk}`)).filter(Boolean) },
      ...(later.length ? { UnprocessedKeys: { [TABLE]: { Keys: later } } } : {}),
    };
  });
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':pk': string } }) => ({
    Items: items.filter((item) => item.pk === input.ExpressionAttributeValues[':pk'] && item.sk.startsWith('GRANT#')).map((item) => ({ contactId: item.contactId })),
  }));
}

const contactItem = (id: string, archived = false): Item => ({ pk: `CONTACT#${id}`, sk: 'CONTACT', entity: 'contact', id, kind: 'person', name: id, archived, portal: { status: 'none' }, version: 1, createdAt: AT, updatedAt: AT });
const doc = (id: string, customerId: string): Document => ({ type: 'invoice', id, customerId, name: id, createdAt: AT, updatedAt: AT });

function deps(): DocumentBatchDeps {
  const db = client();
  return { store: new DynamoDocumentStore(db, TABLE), batch: new DynamoDocumentBatchStore(db, TABLE), contacts: new DynamoContactReader(db, TABLE), now: () => new Date(AT) };
}

const transactions = () => ddb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems!);
/** The transactions written (not refused by `table`'s conditions). */
const written = () => transactions().filter((items) => !refusedCalls.has(items));
const keyOf = (item: ReturnType<typeof transactions>[number][number]) => {
  const key = (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as Key;
  return `${key.pk}|${key.sk}`;
};
/** A transaction of `items` items cancelled because it met a concurrent one on one of them (DynamoDB names it, the rest `None`). */
const conflict = (items: number) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: Array.from({ length: items }, (_, i) => ({ Code: i === items - 1 ? 'TransactionConflict' : 'None' })) });
/** A fake TransactWriteItems that cancels its transaction: `codes` by item key (`pk|sk`), every other item `None`. */
const cancelledBy =
  (codes: Record<string, string>) =>
  (input: { TransactItems: ReturnType<typeof transactions>[number] }) =>
    Promise.reject(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: input.TransactItems.map((item) => ({ Code: codes[keyOf(item)] ?? 'None' })) }),
    );
/** The holdings deltas a set of transactions moves per contact (`documentsAsCustomer`, `grantsReceived`). */
const holdings = (all: ReturnType<typeof transactions>) => {
  const sums: Record<string, { documents: number; grants: number }> = {};
  for (const item of all.flat()) {
    if (!item.Update || !String(item.Update.Key!.pk).startsWith('CONTACT#')) continue;
    const id = String(item.Update.Key!.pk).slice('CONTACT#'.length);
    const values = item.Update.ExpressionAttributeValues!;
    const sum = (sums[id] ??= { documents: 0, grants: 0 });
    sum.documents += Number(values[':documents'] ?? 0);
    sum.grants += Number(values[':grants'] ?? 0);
  }
  return sums;
};
/** The sum of the grant-count deltas per grant-count item. */
const grantCountDeltas = (all: ReturnType<typeof transactions>) => {
  const sums: Record<string, number> = {};
  for (const item of all.flat()) if (item.Update && String(item.Update.Key!.pk).startsWith('GRANTS#')) sums[keyOf(item)] = (sums[keyOf(item)] ?? 0) + Number(item.Update.ExpressionAttributeValues![':delta']);
  return sums;
};
/**
 * The sum of the per-type count deltas a set of transactions adds on each customer's contact item
 * (its `count#<type>` attributes, each `ADD`ed), as `<customer>|<type>`; there is no count item of its own.
 */
const countDeltas = (all: ReturnType<typeof transactions>) => {
  const sums: Record<string, number> = {};
  for (const item of all.flat()) {
    expect(String(item.Update?.Key?.pk ?? '')).not.toMatch(/^COUNTS#/);
    if (!item.Update || !String(item.Update.Key!.pk).startsWith('CONTACT#')) continue;
    const id = String(item.Update.Key!.pk).slice('CONTACT#'.length);
    for (const [name, attribute] of Object.entries(item.Update.ExpressionAttributeNames ?? {})) {
      if (!attribute.startsWith('count#')) continue;
      const value = `:${name.slice(1)}`;
      expect(item.Update.UpdateExpression).toMatch(new RegExp(`ADD (#count\\d+ :count\\d+, )*${name} ${value}\\b`));
      const key = `${id}|${attribute.slice('count#'.length)}`;
      sums[key] = (sums[key] ?? 0) + Number(item.Update.ExpressionAttributeValues![value]);
    }
  }
  return sums;
};

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteCommand).resolves({});
});

describe('DynamoDocumentBatchStore with publishDocuments', () => {
  test('new documents: one transaction, nothing read; the counts and holdings merged per customer', async () => {
    table([contactItem('c1'), contactItem('c2')]);
    const results = await publishDocuments(deps(), [
      { type: 'invoice', id: 'A', customerId: 'c1', name: 'A' },
      { type: 'invoice', id: 'B', customerId: 'c1', name: 'B' },
      { type: 'ticket', id: 'C', customerId: 'c2', name: 'C' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created', 'created']);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);

    const [items, ...others] = transactions();
    expect(others).toEqual([]);
    expect(new Set(items!.map(keyOf)).size).toBe(items!.length);
    // The two invoices of c1 count once, +2, in c1's holdings update; each customer's holdings move once, under the "exists and not archived" condition.
    expect(items).toHaveLength(5);
    expect(countDeltas([items!])).toEqual({ 'c1|invoice': 2, 'c2|ticket': 1 });
    expect(holdings([items!])).toEqual({ c1: { documents: 2, grants: 0 }, c2: { documents: 1, grants: 0 } });
    for (const item of items!.filter((i) => String(i.Update?.Key?.pk).startsWith('CONTACT#')))
      expect(item.Update!.ConditionExpression).toBe('attribute_exists(#pk) AND #archived = :false');
    expect(items!.filter((item) => item.Put).map((item) => [item.Put!.Item!.pk, item.Put!.ConditionExpression])).toEqual([
      ['DOC#invoice#A', 'attribute_not_exists(pk)'],
      ['DOC#invoice#B', 'attribute_not_exists(pk)'],
      ['DOC#ticket#C', 'attribute_not_exists(pk)'],
    ]);
  });

  test('documents that exist: their creates refused by their own item alone, the others written; then they are read (consistent BatchGetItem, unprocessed keys asked again) and replaced', async () => {
    table([contactItem('c1'), contactItem('c2'), documentItem(doc('B', 'c1'), 4) as Item], { unprocessedFirst: 1 });
    const results = await publishDocuments(deps(), [
      { type: 'invoice', id: 'A', customerId: 'c1', name: 'A' },
      { type: 'invoice', id: 'B', customerId: 'c1', name: 'B again' },
      { type: 'ticket', id: 'C', customerId: 'c2', name: 'C' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'replaced', 'created']);
    const gets = ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems![TABLE]!);
    expect(gets.every((get) => get.ConsistentRead === true)).toBe(true);
    // Only B read: held back once, asked again.
    expect(gets.map((get) => get.Keys)).toEqual([[{ pk: 'DOC#invoice#B', sk: 'DOC' }], [{ pk: 'DOC#invoice#B', sk: 'DOC' }]]);
    const [creates, replace, ...others] = written();
    expect(others).toEqual([]);
    expect(transactions()).toHaveLength(3); // the first, refused by B's item
    expect(creates!.filter((item) => item.Put).map((item) => item.Put!.Item!.id)).toEqual(['A', 'C']);
    expect(replace!.map((item) => [keyOf(item), item.Put?.ConditionExpression ?? item.ConditionCheck?.ConditionExpression])).toEqual([
      ['DOC#invoice#B|DOC', '#version = :version AND #createdAt = :createdAt'],
      ['CONTACT#c1|CONTACT', 'attribute_exists(pk) AND #archived = :false'],
    ]);
    expect(countDeltas(written())).toEqual({ 'c1|invoice': 1, 'c2|ticket': 1 });
  });

  test('a customer missing or archived refuses its documents alone (their PUT answers 400); the others are written', async () => {
    table([contactItem('c1'), contactItem('gone', true)]);
    const results = await publishDocuments(deps(), [
      { type: 'invoice', id: 'A', customerId: 'c1', name: 'A' },
      { type: 'invoice', id: 'B', customerId: 'gone', name: 'B' },
      { type: 'invoice', id: 'C', customerId: 'nobody', name: 'C' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'failed', 'failed']);
    expect(results.slice(1).map((r) => r.outcome === 'failed' && (r.error as Invalid).path)).toEqual(['documents.1.customerId', 'documents.2.customerId']);
    expect(written().map((items) => items.filter((item) => item.Put).map((item) => item.Put!.Item!.id))).toEqual([['A']]);
  });

  test('counters that cancel out: no update of them, but a customer that must be live is still checked once', async () => {
    // X moves from c1 to c2 and Y from c2 to c1: the counts and holdings cancel, both customers must still be live.
    table([contactItem('c1'), contactItem('c2'), documentItem(doc('X', 'c1'), 1) as Item, documentItem(doc('Y', 'c2'), 1) as Item]);
    const results = await publishDocuments(deps(), [
      { type: 'invoice', id: 'X', customerId: 'c2', name: 'X' },
      { type: 'invoice', id: 'Y', customerId: 'c1', name: 'Y' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['replaced', 'replaced']);
    const [items, ...others] = written();
    expect(others).toEqual([]);
    expect(items!.map(keyOf).sort()).toEqual(['CONTACT#c1|CONTACT', 'CONTACT#c2|CONTACT', 'DOC#invoice#X|DOC', 'DOC#invoice#Y|DOC']);
    for (const item of items!.filter((i) => keyOf(i).startsWith('CONTACT#')))
      expect(item.ConditionCheck).toMatchObject({ ConditionExpression: 'attribute_exists(pk) AND #archived = :false' });
  });

  test('moves whose holdings cancel out but whose types differ: each customer\'s counts still move, in one update under the live condition', async () => {
    // An invoice moves from c1 to c2 and a ticket from c2 to c1: each holds as many documents as before, but not of the same types.
    const ticket = { ...doc('Y', 'c2'), type: 'ticket' as const };
    table([contactItem('c1'), contactItem('c2'), documentItem(doc('X', 'c1'), 1) as Item, documentItem(ticket, 1) as Item]);
    const results = await publishDocuments(deps(), [
      { type: 'invoice', id: 'X', customerId: 'c2', name: 'X' },
      { type: 'ticket', id: 'Y', customerId: 'c1', name: 'Y' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['replaced', 'replaced']);
    const [items, ...others] = written();
    expect(others).toEqual([]);
    expect(countDeltas([items!])).toEqual({ 'c1|invoice': -1, 'c1|ticket': 1, 'c2|invoice': 1, 'c2|ticket': -1 });
    expect(holdings([items!])).toEqual({ c1: { documents: 0, grants: 0 }, c2: { documents: 0, grants: 0 } });
    for (const item of items!.filter((i) => keyOf(i).startsWith('CONTACT#'))) {
      expect(item.Update!.UpdateExpression).toMatch(/^ADD /);
      expect(item.Update!.ConditionExpression).toBe('attribute_exists(#pk) AND #archived = :false');
    }
  });

  test('100 documents with grants and moves: every transaction within 100 distinct items, every change once, counts exact', async () => {
    const customers = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const existing = Array.from({ length: 60 }, (_, i) => doc(`OLD-${i}`, customers[i % 40]!));
    const grants: Item[] = existing.flatMap((d, i) =>
      Array.from({ length: i % 4 }, (_, g) => ({ pk: `DOC#invoice#${d.id}`, sk: `GRANT#g${g}`, contactId: `g${g}` })),
    );
    table([...customers.map((c) => contactItem(c)), ...existing.map((d) => ({ ...documentItem(d, 3) }) as Item), ...grants]);
    const lines = [
      ...existing.map((d, i) => ({ type: 'invoice', id: d.id, customerId: customers[(i * 7) % 40], name: `${d.name} again` })),
      ...Array.from({ length: 40 }, (_, i) => ({ type: 'invoice', id: `NEW-${i}`, customerId: customers[i % 3], name: 'new' })),
    ];
    const results = await publishDocuments(deps(), lines);
    expect(results.map((r) => r.outcome)).toEqual([...Array(60).fill('replaced'), ...Array(40).fill('created')]);

    const all = written();
    expect(all.length).toBeGreaterThan(1);
    for (const items of transactions()) {
      expect(items.length).toBeLessThanOrEqual(100);
      expect(new Set(items.map(keyOf)).size).toBe(items.length);
    }
    const documentPuts = all.flat().filter((item) => item.Put?.Item?.sk === 'DOC');
    expect(documentPuts.map((item) => item.Put!.Item!.id).sort()).toEqual(lines.map((l) => l.id).sort());
    // Expected counts: +1 per new document, and per moved one −1 on the old customer, +1 on the new.
    const expected: Record<string, number> = {};
    const add = (customerId: string, delta: number) => (expected[`${customerId}|invoice`] = (expected[`${customerId}|invoice`] ?? 0) + delta);
    lines.forEach((line, i) => {
      if (i >= 60) return add(line.customerId!, 1);
      if (existing[i]!.customerId !== line.customerId) {
        add(existing[i]!.customerId, -1);
        add(line.customerId!, 1);
      }
    });
    const sums = countDeltas(all);
    for (const key of new Set([...Object.keys(sums), ...Object.keys(expected)])) expect([key, sums[key] ?? 0]).toEqual([key, expected[key] ?? 0]);
    // The customers' holdings follow the counts; a moved document's grantees' grant counts move from the old customer to the new.
    const held = holdings(all);
    for (const customer of customers) {
      const delta = Object.entries(expected).filter(([key]) => key.startsWith(`${customer}|`)).reduce((sum, [, d]) => sum + d, 0);
      expect([customer, held[customer]?.documents ?? 0]).toEqual([customer, delta]);
    }
    const expectedGrantCounts: Record<string, number> = {};
    existing.forEach((d, i) => {
      const to = lines[i]!.customerId!;
      if (d.customerId === to) return;
      for (const g of grants.filter((item) => item.pk === `DOC#invoice#${d.id}`).map((item) => String(item.contactId))) {
        expectedGrantCounts[`GRANTS#${g}|COUNT#invoice#${d.customerId}`] = (expectedGrantCounts[`GRANTS#${g}|COUNT#invoice#${d.customerId}`] ?? 0) - 1;
        expectedGrantCounts[`GRANTS#${g}|COUNT#invoice#${to}`] = (expectedGrantCounts[`GRANTS#${g}|COUNT#invoice#${to}`] ?? 0) + 1;
      }
    });
    const grantSums = grantCountDeltas(all);
    for (const key of new Set([...Object.keys(grantSums), ...Object.keys(expectedGrantCounts)]))
      expect([key, grantSums[key] ?? 0]).toEqual([key, expectedGrantCounts[key] ?? 0]);
    // Every grant copy rewritten once.
    const copies = all.flat().filter((item) => (item.Put?.Item?.sk as string | undefined)?.startsWith('GRANT#') || (item.Delete?.Key?.sk as string | undefined)?.startsWith('GRANT#'));
    expect(copies).toHaveLength(grants.length);
  });

  test('a create refused by its document\'s item alone is `exists` (nothing of it written): the domain reads and replaces it', async () => {
    table([contactItem('c1')]);
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }))
      .resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    const store = new DynamoDocumentBatchStore(client(), TABLE);
    expect(await store.writeAll([{ kind: 'create', document: doc('A', 'c1') }])).toEqual(['exists']);
    expect(await store.writeAll([{ kind: 'create', document: doc('A', 'c1') }])).toEqual(['written']);
  });

  test("a back office's sync (each customer's documents spread over the batch): grouped by customer, each customer's holdings once", async () => {
    // As the bench sends them: document i of customer i mod 50, two types — 100 documents, 50 customers, each with two counts to move.
    const customers = Array.from({ length: 50 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    table(customers.map((c) => contactItem(c)));
    const lines = Array.from({ length: 100 }, (_, i) => ({ type: i < 50 ? 'invoice' : 'sale_order', id: `D-${i}`, customerId: customers[i % 50], name: `D-${i}` }));
    const results = await publishDocuments(deps(), lines);
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
    const all = transactions();
    // 150 items (100 documents, 50 holdings updates carrying the counts) in 2 transactions of whole customers (33 and 17);
    // spread in the lines' order, each customer's update would be in each.
    expect(all.map((items) => items.length)).toEqual([99, 51]);
    const contactUpdates = all.flat().filter((item) => String(item.Update?.Key?.pk).startsWith('CONTACT#'));
    expect(contactUpdates).toHaveLength(50);
    expect(holdings(all)).toEqual(Object.fromEntries(customers.map((c) => [c, { documents: 2, grants: 0 }])));
    expect(countDeltas(all)).toEqual(Object.fromEntries(customers.flatMap((c) => [[`${c}|invoice`, 1], [`${c}|sale_order`, 1]])));
  });

  test('the groups share no item, so their transactions are written at once', async () => {
    const customers = Array.from({ length: 50 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    table(customers.map((c) => contactItem(c)));
    let [inFlight, most] = [0, 0];
    ddb.on(TransactWriteCommand).callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return {};
    });
    const lines = Array.from({ length: 100 }, (_, i) => ({ type: 'invoice', id: `D-${i}`, customerId: customers[i % 50], name: `D-${i}` }));
    expect((await publishDocuments(deps(), lines)).every((r) => r.outcome === 'created')).toBe(true);
    expect(transactions()).toHaveLength(2);
    expect(most).toBe(2);
  });

  test("a shared transaction refused by one document's condition: only that one goes as its PUT, the others are written together again", async () => {
    table([contactItem('c1'), contactItem('c2')]);
    const store = new DynamoDocumentBatchStore(client(), TABLE);
    ddb
      .on(TransactWriteCommand)
      .callsFakeOnce(cancelledBy({ 'DOC#invoice#B|DOC': 'ConditionalCheckFailed' }))
      .resolves({});
    const changes = ['A', 'B', 'C'].map((id, i) => ({ kind: 'create' as const, document: doc(id, i === 2 ? 'c2' : 'c1') }));
    expect(await store.writeAll(changes)).toEqual(['written', 'exists', 'written']);
    const [first, second] = transactions();
    expect(transactions()).toHaveLength(2);
    expect(first!.filter((item) => item.Put).map((item) => item.Put!.Item!.id)).toEqual(['A', 'B', 'C']);
    expect(second!.filter((item) => item.Put).map((item) => item.Put!.Item!.id)).toEqual(['A', 'C']);
    expect(holdings([second!])).toEqual({ c1: { documents: 1, grants: 0 }, c2: { documents: 1, grants: 0 } });
  });

  test("a customer's check refusing names all of that customer's documents; conflicts with other transactions that outlast the retries send them all to their PUT", async () => {
    table([contactItem('c1'), contactItem('c2')]);
    const store = new DynamoDocumentBatchStore(client(), TABLE);
    ddb
      .on(TransactWriteCommand)
      .callsFakeOnce(cancelledBy({ 'CONTACT#c1|CONTACT': 'ConditionalCheckFailed' }))
      .resolves({});
    const changes = ['A', 'B', 'C'].map((id, i) => ({ kind: 'create' as const, document: doc(id, i === 1 ? 'c2' : 'c1') }));
    expect(await store.writeAll(changes)).toEqual(['refused', 'written', 'refused']);
    ddb.reset();
    table([contactItem('c1'), contactItem('c2')]);
    ddb.on(TransactWriteCommand).rejects(conflict(4));
    expect(await store.writeAll(changes)).toEqual(['refused', 'refused', 'refused']);
    // The first try and three more, each the whole group.
    expect(transactions()).toHaveLength(4);
    for (const items of transactions()) expect(items.filter((item) => item.Put).map((item) => item.Put!.Item!.id)).toEqual(['A', 'C', 'B']);
  });

  test('a transaction that met a concurrent one is written together again, not sent to 100 PUTs', async () => {
    table([contactItem('c1'), contactItem('c2')]);
    const store = new DynamoDocumentBatchStore(client(), TABLE);
    const changes = ['A', 'B', 'C'].map((id, i) => ({ kind: 'create' as const, document: doc(id, i === 1 ? 'c2' : 'c1') }));
    ddb.on(TransactWriteCommand).rejectsOnce(conflict(5)).rejectsOnce(Object.assign(new Error('conflict'), { name: 'TransactionConflictException' })).resolves({});
    expect(await store.writeAll(changes)).toEqual(['written', 'written', 'written']);
    expect(transactions()).toHaveLength(3);
    expect(holdings([transactions()[2]!])).toEqual({ c1: { documents: 2, grants: 0 }, c2: { documents: 1, grants: 0 } });
  });

  test('a conflict beside a refused condition: the refused document is answered, the others written together again', async () => {
    table([contactItem('c1'), contactItem('c2')]);
    const store = new DynamoDocumentBatchStore(client(), TABLE);
    const changes = ['A', 'B'].map((id) => ({ kind: 'create' as const, document: doc(id, 'c1') }));
    ddb
      .on(TransactWriteCommand)
      .callsFakeOnce(cancelledBy({ 'DOC#invoice#A|DOC': 'ConditionalCheckFailed', 'CONTACT#c1|CONTACT': 'TransactionConflict' }))
      .resolves({});
    expect(await store.writeAll(changes)).toEqual(['exists', 'written']);
    expect(transactions()).toHaveLength(2);
    expect(transactions()[1]!.filter((item) => item.Put).map((item) => item.Put!.Item!.id)).toEqual(['B']);
  });

  test('any other failure of a transaction fails its documents with that error (not a refusal, no PUT), and the other transactions stand', async () => {
    const customers = Array.from({ length: 50 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    table(customers.map((c) => contactItem(c)));
    const throttled = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    let failedIds: unknown[] = [];
    ddb.on(TransactWriteCommand).callsFakeOnce((input: { TransactItems: TransactItems }) => {
      failedIds = input.TransactItems.filter((item) => item.Put).map((item) => item.Put!.Item!.id);
      return Promise.reject(throttled);
    }).resolves({});
    const store = new DynamoDocumentBatchStore(client(), TABLE);
    const changes = Array.from({ length: 100 }, (_, i) => ({ kind: 'create' as const, document: doc(`D-${i}`, customers[i % 50]!) }));
    const outcomes = await store.writeAll(changes);
    expect(transactions()).toHaveLength(2);
    expect(failedIds.length).toBeGreaterThan(0);
    expect(failedIds.length).toBeLessThan(100);
    expect(outcomes).toEqual(changes.map(({ document }) => (failedIds.includes(document.id) ? { error: throttled } : 'written')));
  });
});

describe('publishDocuments when the table fails a read', () => {
  const lines = [
    { type: 'invoice', id: 'A', customerId: 'c1', name: 'A again' },
    { type: 'invoice', id: 'B', customerId: 'c1', name: 'B' },
  ];
  const throttled = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });

  test('reading the documents that exist: those lines fail with the error, the new ones are created', async () => {
    table([contactItem('c1'), documentItem(doc('A', 'c1'), 2) as Item]);
    ddb.on(BatchGetCommand).rejects(throttled);
    const results = await publishDocuments(deps(), lines);
    expect(results).toEqual([
      { type: 'invoice', id: 'A', outcome: 'failed', error: throttled },
      { type: 'invoice', id: 'B', outcome: 'created' },
    ]);
    expect(written().map((items) => items.filter((item) => item.Put).map((item) => item.Put!.Item!.id))).toEqual([['B']]);
  });

  test('keys the table keeps leaving unprocessed: after 6 rounds those lines fail with a throttling error (a 503), the new ones are created', async () => {
    table([contactItem('c1'), documentItem(doc('A', 'c1'), 2) as Item]);
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Key[] }> }) => ({ Responses: { [TABLE]: [] }, UnprocessedKeys: input.RequestItems }));
    const results = await publishDocuments(deps(), lines);
    expect(results.map((r) => (r.outcome === 'failed' ? `failed ${toProblem(r.error).status}` : r.outcome))).toEqual(['failed 503', 'created']);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(6);
  });

  test("reading a document's grants: that line fails with the error, the others are written", async () => {
    table([contactItem('c1'), documentItem(doc('A', 'c1'), 2) as Item, documentItem(doc('C', 'c1'), 2) as Item]);
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'DOC#invoice#A' } }).rejects(throttled);
    const results = await publishDocuments(deps(), [...lines, { type: 'invoice', id: 'C', customerId: 'c1', name: 'C again' }]);
    expect(results).toEqual([
      { type: 'invoice', id: 'A', outcome: 'failed', error: throttled },
      { type: 'invoice', id: 'B', outcome: 'created' },
      { type: 'invoice', id: 'C', outcome: 'replaced' },
    ]);
  });
});
