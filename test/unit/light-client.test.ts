import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { LightDynamoDb, lightDocumentClient } from '../../lambdas/adapters/dynamodb/light-client';
import { PostSigner } from '../../lambdas/adapters/sigv4-post';
import { isTransient } from '../../lambdas/platform/transient';

/** A stand-in DynamoDB endpoint: records each request, answers from a queue of canned answers. */
interface Seen {
  target: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  amzDate: string | undefined;
  body: Record<string, unknown>;
}
type Answer = { status: number; body: unknown; errorType?: string };

let server: http.Server;
let endpoint: string;
const seen: Seen[] = [];
let answers: Answer[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        target: req.headers['x-amz-target'] as string | undefined,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        amzDate: req.headers['x-amz-date'] as string | undefined,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      const answer = answers.shift() ?? { status: 200, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...(answer.errorType ? { 'x-amzn-errortype': answer.errorType } : {}) });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
const reads = () => new LightDynamoDb({ region: 'eu-west-1', credentials, endpoint, marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });

test('GetItem: the key marshalled, signed for dynamodb, the item unmarshalled as the document client does', async () => {
  answers = [{ status: 200, body: { Item: { pk: { S: 'CONTACT#c1' }, n: { N: '3' }, portal: { M: { types: { L: [{ S: 'invoice' }] }, on: { BOOL: true } } }, gone: { NULL: true }, tags: { SS: ['a', 'b'] } } } }];
  const out = await reads().get({ TableName: 't', Key: { pk: 'CONTACT#c1', sk: 'CONTACT' }, ConsistentRead: true });
  expect(seen[0]).toMatchObject({
    target: 'DynamoDB_20120810.GetItem',
    contentType: 'application/x-amz-json-1.0',
    body: { TableName: 't', Key: { pk: { S: 'CONTACT#c1' }, sk: { S: 'CONTACT' } }, ConsistentRead: true },
  });
  expect(seen[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/);
  expect(out.Item).toEqual({ pk: 'CONTACT#c1', n: 3, portal: { types: ['invoice'], on: true }, gone: null, tags: new Set(['a', 'b']) });
  expect(out.$metadata.httpStatusCode).toBe(200);
});

test('GetItem of nothing: no Item', async () => {
  answers = [{ status: 200, body: {} }];
  const out = await reads().get({ TableName: 't', Key: { pk: 'x', sk: 'y' } });
  expect(out).not.toHaveProperty('Item');
});

test('Query: values and the start key marshalled, items and the last key unmarshalled, counts passed on', async () => {
  answers = [{ status: 200, body: { Items: [{ id: { S: 'd1' }, amount: { N: '12.5' }, blob: { B: Buffer.from('hi').toString('base64') } }], Count: 1, ScannedCount: 1, LastEvaluatedKey: { gsi1pk: { S: 'P' }, gsi1sk: { S: 'S' } } } }];
  const out = await reads().query({
    TableName: 't',
    IndexName: 'gsi1',
    KeyConditionExpression: '#pk = :pk AND #sk < :after',
    ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
    ExpressionAttributeValues: { ':pk': 'P', ':after': 'Z', ':gone': undefined },
    ExclusiveStartKey: { gsi1pk: 'P', gsi1sk: 'T' },
    ScanIndexForward: false,
    Limit: 51,
  });
  expect(seen[0]).toMatchObject({
    target: 'DynamoDB_20120810.Query',
    body: {
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':pk': { S: 'P' }, ':after': { S: 'Z' } },
      ExclusiveStartKey: { gsi1pk: { S: 'P' }, gsi1sk: { S: 'T' } },
      ScanIndexForward: false,
      Limit: 51,
    },
  });
  expect(out.Items).toEqual([{ id: 'd1', amount: 12.5, blob: new Uint8Array(Buffer.from('hi')) }]);
  expect(out.LastEvaluatedKey).toEqual({ gsi1pk: 'P', gsi1sk: 'S' });
  expect(out).toMatchObject({ Count: 1, ScannedCount: 1 });
});

test('a client error is thrown at once, named as the SDK names it, and is not transient', async () => {
  answers = [{ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'bad key' } }];
  const error = await reads().get({ TableName: 't', Key: { pk: 'x' } }).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'ValidationException', message: 'bad key', $metadata: { httpStatusCode: 400 } });
  expect(isTransient(error)).toBe(false);
  expect(seen).toHaveLength(1);
});

test('a throttle and a 5xx are tried again (3 attempts in all), then thrown as transient', async () => {
  answers = [
    { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' } },
    { status: 500, body: { message: 'oops' }, errorType: 'InternalServerError:http://internal' },
    { status: 200, body: { Item: { a: { S: 'b' } } } },
  ];
  await expect(reads().get({ TableName: 't', Key: { pk: 'x' } })).resolves.toMatchObject({ Item: { a: 'b' }, $metadata: { attempts: 3 } });
  answers = [
    { status: 503, body: {} },
    { status: 503, body: {} },
    { status: 503, body: {} },
  ];
  const error = await reads().get({ TableName: 't', Key: { pk: 'x' } }).catch((e: unknown) => e);
  expect(error).toMatchObject({ $metadata: { httpStatusCode: 503 } });
  expect(isTransient(error)).toBe(true);
  expect(seen).toHaveLength(6);
});

test('PutItem and UpdateItem: the item, the key and the values marshalled, the returned attributes unmarshalled', async () => {
  answers = [
    { status: 200, body: {} },
    { status: 200, body: { Attributes: { n: { N: '4' }, tags: { L: [{ S: 'a' }] } } } },
  ];
  const db = reads();
  const put = await db.put({
    TableName: 't',
    Item: { pk: 'x', sk: 'y', portal: { types: ['invoice'] }, gone: undefined, at: 3, bytes: new Uint8Array([0, 255]), buf: Buffer.from('hi'), bin: new Set([new Uint8Array([1])]) },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
  const update = await db.update({
    TableName: 't',
    Key: { pk: 'x', sk: 'y' },
    UpdateExpression: 'SET n = n + :one, tags = :tags',
    ExpressionAttributeValues: { ':one': 1, ':tags': ['a'] },
    ReturnValues: 'ALL_NEW',
  });
  expect(seen.map((s) => s.target)).toEqual(['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.UpdateItem']);
  // Bytes as base64, as the SDK sends them.
  expect(seen[0]!.body).toEqual({
    TableName: 't',
    Item: { pk: { S: 'x' }, sk: { S: 'y' }, portal: { M: { types: { L: [{ S: 'invoice' }] } } }, at: { N: '3' }, bytes: { B: 'AP8=' }, buf: { B: 'aGk=' }, bin: { BS: ['AQ=='] } },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
  expect(seen[1]!.body).toEqual({
    TableName: 't',
    Key: { pk: { S: 'x' }, sk: { S: 'y' } },
    UpdateExpression: 'SET n = n + :one, tags = :tags',
    ExpressionAttributeValues: { ':one': { N: '1' }, ':tags': { L: [{ S: 'a' }] } },
    ReturnValues: 'ALL_NEW',
  });
  expect(put).not.toHaveProperty('Attributes');
  expect(update.Attributes).toEqual({ n: 4, tags: ['a'] });
});

test('a refused condition is the SDK\'s ConditionalCheckFailedException, with the old item as DynamoDB sent it, and is not tried again', async () => {
  answers = [{ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: { pk: { S: 'x' }, v: { N: '2' } } } }];
  const error = await reads().delete({ TableName: 't', Key: { pk: 'x' }, ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': 1 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', Item: { pk: { S: 'x' }, v: { N: '2' } }, $metadata: { httpStatusCode: 400 } });
  expect(error).not.toHaveProperty('__type');
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ target: 'DynamoDB_20120810.DeleteItem', body: { Key: { pk: { S: 'x' } }, ExpressionAttributeValues: { ':v': { N: '1' } } } });
});

test('TransactWriteItems: each write marshalled, one idempotency token for all the attempts of a call, a new one for the next call', async () => {
  answers = [{ status: 500, body: {} }, { status: 200, body: {} }, { status: 200, body: {} }];
  const db = reads();
  const items: NonNullable<TransactWriteCommand['input']['TransactItems']> = [
    { ConditionCheck: { TableName: 't', Key: { pk: 'company' }, ConditionExpression: 'attribute_exists(pk)' } },
    { Put: { TableName: 't', Item: { pk: 'a', n: 1 } } },
    { Update: { TableName: 't', Key: { pk: 'b' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 2 } } },
    { Delete: { TableName: 't', Key: { pk: 'c' } } },
  ];
  await db.transactWrite({ TransactItems: items });
  await db.transactWrite({ TransactItems: items });
  expect(seen.map((s) => s.target)).toEqual(Array(3).fill('DynamoDB_20120810.TransactWriteItems'));
  expect(seen[0]!.body.TransactItems).toEqual([
    { ConditionCheck: { TableName: 't', Key: { pk: { S: 'company' } }, ConditionExpression: 'attribute_exists(pk)' } },
    { Put: { TableName: 't', Item: { pk: { S: 'a' }, n: { N: '1' } } } },
    { Update: { TableName: 't', Key: { pk: { S: 'b' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } } },
    { Delete: { TableName: 't', Key: { pk: { S: 'c' } } } },
  ]);
  const tokens = seen.map((s) => s.body.ClientRequestToken);
  expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(tokens[1]).toBe(tokens[0]);
  expect(tokens[2]).not.toBe(tokens[0]);
});

test('a cancelled transaction is the SDK\'s TransactionCanceledException with its reasons, and is not tried again', async () => {
  const reasons = [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { pk: { S: 'a' } } }];
  answers = [{ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]', CancellationReasons: reasons } }];
  const error = await reads().transactWrite({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'b' } } }, { Put: { TableName: 't', Item: { pk: 'a' } } }] }).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'TransactionCanceledException', message: expect.stringContaining('Transaction cancelled'), CancellationReasons: reasons });
  expect(isTransient(error)).toBe(false);
  expect(seen).toHaveLength(1);
});

test('BatchGetItem: the keys marshalled, the answers and the unprocessed keys unmarshalled', async () => {
  answers = [{ status: 200, body: { Responses: { t: [{ pk: { S: 'a' }, n: { N: '1' } }] }, UnprocessedKeys: { t: { Keys: [{ pk: { S: 'b' } }], ConsistentRead: true } } } }];
  const out = await reads().batchGet({ RequestItems: { t: { Keys: [{ pk: 'a' }, { pk: 'b' }], ConsistentRead: true, ProjectionExpression: 'pk, n' } } });
  expect(seen[0]).toMatchObject({ target: 'DynamoDB_20120810.BatchGetItem', body: { RequestItems: { t: { Keys: [{ pk: { S: 'a' } }, { pk: { S: 'b' } }], ConsistentRead: true, ProjectionExpression: 'pk, n' } } } });
  expect(out.Responses).toEqual({ t: [{ pk: 'a', n: 1 }] });
  expect(out.UnprocessedKeys).toEqual({ t: { Keys: [{ pk: 'b' }], ConsistentRead: true } });
});

test('as a document client: each command sent as its operation, any other command and the legacy parameters refused', async () => {
  const db = lightDocumentClient(reads());
  answers = [
    { status: 200, body: { Item: { a: { S: 'b' } } } },
    { status: 200, body: { Items: [], Count: 0 } },
    ...Array(5).fill({ status: 200, body: {} }),
  ];
  await expect(db.send(new GetCommand({ TableName: 't', Key: { pk: 'x' } }))).resolves.toMatchObject({ Item: { a: 'b' } });
  await expect(db.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' } }))).resolves.toMatchObject({ Items: [] });
  await db.send(new PutCommand({ TableName: 't', Item: { pk: 'x' } }));
  await db.send(new UpdateCommand({ TableName: 't', Key: { pk: 'x' }, UpdateExpression: 'REMOVE a' }));
  await db.send(new DeleteCommand({ TableName: 't', Key: { pk: 'x' } }));
  await db.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: 't', Key: { pk: 'x' } } }] }));
  await db.send(new BatchGetCommand({ RequestItems: { t: { Keys: [{ pk: 'x' }] } } }));
  expect(seen.map((s) => s.target?.split('.')[1])).toEqual(['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchGetItem']);
  await expect(db.send(new ScanCommand({ TableName: 't' }))).rejects.toThrow(/does not send/);
  await expect(db.send(new QueryCommand({ TableName: 't', KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: ['x'] } } }))).rejects.toThrow(/legacy parameter KeyConditions/);
  expect(seen).toHaveLength(7);
});

test('a read that does not answer in time is abandoned and tried again; a write is waited for', async () => {
  const slow = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => setTimeout(() => res.end('{}'), 300));
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  const db = new LightDynamoDb({ region: 'eu-west-1', credentials, endpoint: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, readTimeoutMs: 50, maxAttempts: 2 });
  try {
    await expect(db.get({ TableName: 't', Key: { pk: 'x' } })).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(db.put({ TableName: 't', Item: { pk: 'x' } })).resolves.toMatchObject({ $metadata: { attempts: 1 } });
  } finally {
    db.destroy();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
  }
});

/** SHA-256 (or its HMAC) for the SDK's signer, from node:crypto. */
class Sha256 {
  #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

test.each([
  ['with a session token (Lambda)', { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjE//token==' }],
  ['without one (local)', { accessKeyId: 'local', secretAccessKey: 'local' }],
])('the request signature is the SDK signer\'s own, %s', async (_, credentials) => {
  const body = JSON.stringify({ TableName: 'portal', Key: { pk: { S: 'CONTACT#c1' }, sk: { S: 'CONTACT' } }, ConsistentRead: true });
  const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-length': String(Buffer.byteLength(body)) };
  const signer = new PostSigner('eu-west-1', 'dynamodb');
  for (const when of [new Date('2026-12-02T05:15:30.123Z'), new Date('2026-12-03T00:00:00.000Z'), new Date('2026-12-02T23:59:59.999Z')]) {
    const ours = signer.sign('dynamodb.eu-west-1.amazonaws.com', '/', headers, body, credentials, when);
    // As the SDK's DynamoDB client has it: no x-amz-content-sha256 header (S3's), the payload hash in the canonical request.
    const sdk = await new SignatureV4({ credentials, region: 'eu-west-1', service: 'dynamodb', sha256: Sha256, applyChecksum: false }).sign(
      { method: 'POST', protocol: 'https:', hostname: 'dynamodb.eu-west-1.amazonaws.com', path: '/', query: {}, headers: { ...headers, host: 'dynamodb.eu-west-1.amazonaws.com' }, body },
      { signingDate: when },
    );
    const { host: _host, ...sdkHeaders } = sdk.headers;
    expect(ours).toEqual(sdkHeaders);
  }
});
