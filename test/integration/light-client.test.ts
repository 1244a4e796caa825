/**
 * The light DynamoDB client (lambdas/adapters/dynamodb/light-client.ts) against the SDK's document
 * client, both talking to the local stack's DynamoDB Local: every command the stores send, and the
 * refusals the stores read (a condition's old item, a cancelled transaction's reasons, a bad request),
 * answered alike. On a scratch table of its own, made afresh and dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { LightDynamoDb, lightDocumentClient } from '../../lambdas/adapters/dynamodb/light-client';
import { freshScratchTable } from './support/scratch-table';
import { stack } from './support/stack';

const TABLE = `light-client-${randomUUID().slice(0, 8)}`;
const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let raw: DynamoDBClient;
let sdk: DynamoDBDocumentClient;
let light: LightDynamoDb;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  const { region, dynamodbEndpoint: endpoint } = stack();
  raw = new DynamoDBClient({ region, endpoint, credentials });
  sdk = DynamoDBDocumentClient.from(raw, { marshallOptions: { ...MARSHALL } });
  light = new LightDynamoDb({ region, endpoint, credentials: async () => credentials, marshallOptions: MARSHALL });
  db = lightDocumentClient(light);
  await freshScratchTable(raw, TABLE);
});

afterAll(async () => {
  await raw.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => undefined);
  light.destroy();
  raw.destroy();
});

/** An answer without `$metadata` (request ids, attempts): what the stores read of it. */
const substance = ({ $metadata: _m, ...rest }: { $metadata?: unknown }) => rest;
/** A refusal as the stores read it. */
const refusal = (error: unknown) => {
  const { name, message, Item, CancellationReasons, $metadata } = error as { name: string; message: string; Item?: unknown; CancellationReasons?: unknown; $metadata?: { httpStatusCode?: number } };
  return { name, message, Item, CancellationReasons, status: $metadata?.httpStatusCode };
};
/** The same command through both clients, one after the other (each on its own item when `key` differs). */
async function both<T extends object>(send: (client: DynamoDBDocumentClient, side: 'sdk' | 'light') => Promise<T>): Promise<[T, T]> {
  return [await send(sdk, 'sdk'), await send(db, 'light')];
}
async function bothRefused(send: (client: DynamoDBDocumentClient, side: 'sdk' | 'light') => Promise<unknown>): Promise<[unknown, unknown]> {
  const refused = async (side: 'sdk' | 'light') => send(side === 'sdk' ? sdk : db, side).then(() => ({ resolved: true }), refusal);
  return [await refused('sdk'), await refused('light')];
}

const rich = (pk: string) => ({
  pk,
  sk: 'ITEM',
  name: 'Zoë ✓',
  n: 12.5,
  big: 12345678901234,
  on: false,
  none: null,
  gone: undefined,
  tags: new Set(['a', 'b']),
  nums: new Set([1, 2]),
  bytes: new Uint8Array([0, 1, 254, 255]),
  list: [1, 'two', { three: [3] }],
  portal: { status: 'active', types: ['invoice'], empty: {} },
});

test('PutItem, a consistent GetItem and a GetItem with a projection: the same items', async () => {
  await both((c, side) => c.send(new PutCommand({ TableName: TABLE, Item: rich(`R#${side}`) })));
  const [a, b] = await both((c, side) => c.send(new GetCommand({ TableName: TABLE, Key: { pk: `R#${side}`, sk: 'ITEM' }, ConsistentRead: true })));
  expect(substance(b)).toEqual({ ...substance(a), Item: { ...a.Item, pk: 'R#light' } });
  expect(b.Item).toMatchObject({ tags: new Set(['a', 'b']), bytes: new Uint8Array([0, 1, 254, 255]), portal: { empty: {} } });
  const [p, q] = await both((c, side) =>
    c.send(new GetCommand({ TableName: TABLE, Key: { pk: `R#${side}`, sk: 'ITEM' }, ProjectionExpression: '#n, portal.#s', ExpressionAttributeNames: { '#n': 'name', '#s': 'status' } })),
  );
  expect(substance(q)).toEqual(substance(p));
  const [none, nothing] = await both((c) => c.send(new GetCommand({ TableName: TABLE, Key: { pk: 'R#absent', sk: 'ITEM' } })));
  expect(substance(nothing)).toEqual(substance(none));
});

test('Query: pages with a limit and a start key, a filter, descending order: the same items, counts and last keys', async () => {
  const pk = `Q#${randomUUID()}`;
  for (let i = 0; i < 5; i++) await sdk.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: `S#${i}`, i, odd: i % 2 === 1 } }));
  const page = (c: DynamoDBDocumentClient, start?: Record<string, unknown>) =>
    c.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND sk > :after',
        FilterExpression: 'odd = :no',
        ExpressionAttributeValues: { ':pk': pk, ':after': 'S#0', ':no': false },
        ScanIndexForward: false,
        Limit: 2,
        ExclusiveStartKey: start,
      }),
    );
  const [first, firstLight] = await both((c) => page(c));
  expect(substance(firstLight)).toEqual(substance(first));
  expect(first.LastEvaluatedKey).toBeDefined();
  const [second, secondLight] = await both((c) => page(c, first.LastEvaluatedKey));
  expect(substance(secondLight)).toEqual(substance(second));
});

test('UpdateItem and DeleteItem with returned values: the same attributes', async () => {
  await both((c, side) => c.send(new PutCommand({ TableName: TABLE, Item: rich(`U#${side}`) })));
  const [a, b] = await both((c, side) =>
    c.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `U#${side}`, sk: 'ITEM' },
        UpdateExpression: 'SET n = n + :one, portal.#s = :s, #list[0] = :bytes ADD tags :more REMOVE #none',
        ExpressionAttributeNames: { '#s': 'status', '#none': 'none', '#list': 'list' },
        ExpressionAttributeValues: { ':one': 1, ':s': 'revoked', ':bytes': new Uint8Array([9]), ':more': new Set(['c']) },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  expect(substance(b)).toEqual({ ...substance(a), Attributes: { ...a.Attributes, pk: 'U#light' } });
  const [c, d] = await both((client, side) => client.send(new UpdateCommand({ TableName: TABLE, Key: { pk: `U#${side}`, sk: 'ITEM' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 }, ReturnValues: 'UPDATED_OLD' })));
  expect(substance(d)).toEqual(substance(c));
  const [e, f] = await both((client, side) => client.send(new DeleteCommand({ TableName: TABLE, Key: { pk: `U#${side}`, sk: 'ITEM' }, ReturnValues: 'ALL_OLD' })));
  expect(substance(f)).toEqual({ ...substance(e), Attributes: { ...e.Attributes, pk: 'U#light' } });
});

test('a refused condition: the same ConditionalCheckFailedException, with the same old item when asked for', async () => {
  const pk = `C#${randomUUID()}`;
  await sdk.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'ITEM', v: 2, bytes: new Uint8Array([7]) } }));
  const [a, b] = await bothRefused((c) =>
    c.send(new UpdateCommand({ TableName: TABLE, Key: { pk, sk: 'ITEM' }, UpdateExpression: 'SET v = :next', ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': 1, ':next': 3 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
  );
  expect(b).toEqual(a);
  expect(a).toMatchObject({ name: 'ConditionalCheckFailedException', Item: { pk: { S: pk }, v: { N: '2' } }, status: 400 });
  const [c, d] = await bothRefused((client) => client.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'ITEM' }, ConditionExpression: 'attribute_not_exists(pk)' })));
  expect(d).toEqual(c);
  expect(c).toMatchObject({ name: 'ConditionalCheckFailedException', Item: undefined });
});

test('TransactWriteItems: written alike; a cancelled one refused alike, with the same reasons and old items', async () => {
  const pk = `T#${randomUUID()}`;
  const [a, b] = await both((c, side) =>
    c.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { pk, sk: `A#${side}`, n: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: TABLE, Item: { pk, sk: `B#${side}`, tags: new Set(['x']) } } },
        ],
      }),
    ),
  );
  expect(substance(b)).toEqual(substance(a));
  const [c, d] = await bothRefused((client, side) =>
    client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: TABLE, Key: { pk, sk: `B#${side}` }, UpdateExpression: 'SET m = :m', ExpressionAttributeValues: { ':m': 1 } } },
          { ConditionCheck: { TableName: TABLE, Key: { pk, sk: `A#${side}` }, ConditionExpression: 'n = :two', ExpressionAttributeValues: { ':two': 2 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          { Delete: { TableName: TABLE, Key: { pk, sk: 'C' } } },
        ],
      }),
    ),
  );
  const forSide = (refused: unknown, side: string) => JSON.parse(JSON.stringify(refused).replaceAll(`#${side}`, '#side')) as unknown;
  expect(forSide(d, 'light')).toEqual(forSide(c, 'sdk'));
  expect(c).toMatchObject({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { n: { N: '1' } } }, { Code: 'None' }] });
});

test('a transaction sent twice with one idempotency token (a retry of one that was written) is written once and answered as written', async () => {
  const pk = `I#${randomUUID()}`;
  const input = { ClientRequestToken: randomUUID(), TransactItems: [{ Put: { TableName: TABLE, Item: { pk, sk: 'ONCE' }, ConditionExpression: 'attribute_not_exists(pk)' } }] };
  await db.send(new TransactWriteCommand(input));
  await expect(db.send(new TransactWriteCommand(input))).resolves.toBeDefined();
  await expect(db.send(new TransactWriteCommand({ TransactItems: input.TransactItems }))).rejects.toMatchObject({ name: 'TransactionCanceledException' });
});

test('BatchGetItem: the same items for the same keys', async () => {
  const pk = `B#${randomUUID()}`;
  for (let i = 0; i < 3; i++) await sdk.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: `S#${i}`, i, bytes: new Uint8Array([i]) } }));
  const keys = [0, 1, 2, 9].map((i) => ({ pk, sk: `S#${i}` }));
  const [a, b] = await both((c) => c.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'sk, i, bytes' } } })));
  const sorted = (out: typeof a) => (out.Responses?.[TABLE] ?? []).sort((x, y) => String(x.sk).localeCompare(String(y.sk)));
  expect(sorted(b)).toEqual(sorted(a));
  expect(sorted(a)).toHaveLength(3);
  expect(b.UnprocessedKeys ?? {}).toEqual(a.UnprocessedKeys ?? {});
});

test('a request DynamoDB refuses: the same error name and message, not tried again', async () => {
  const [a, b] = await bothRefused((c) => c.send(new GetCommand({ TableName: TABLE, Key: { pk: 'x' } })));
  expect(b).toEqual(a);
  expect(a).toMatchObject({ name: 'ValidationException', status: 400 });
  const [c, d] = await bothRefused((client) => client.send(new GetCommand({ TableName: `${TABLE}-absent`, Key: { pk: 'x', sk: 'y' } })));
  expect(d).toEqual(c);
  expect(c).toMatchObject({ name: 'ResourceNotFoundException' });
});
