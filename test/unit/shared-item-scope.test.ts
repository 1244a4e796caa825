/**
 * The public share-link function may read only ITEM_SCOPES.sharedReads, query only
 * ITEM_SCOPES.sharedQueries and write only ITEM_SCOPES.sharedWrites (its IAM policy says so with
 * `dynamodb:LeadingKeys`, and grants no index): this drives its real handler, wiring and DynamoDB
 * store over a mocked client — a view, a dead link, an unknown token, an attachment — and checks
 * every key it reads, queries or writes, and every answer's headers.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SHARED_RESPONSE_HEADERS } from '../../lambdas/contract/share-links';
import { hashToken, newToken } from '../../lambdas/domain/tokens';
import type { HttpEvent } from '../../lambdas/http-kit/handler';
import { handler } from '../../lambdas/http/shared';
import { tableClient } from '../../lambdas/wiring/clients';
import { ITEM_SCOPES } from '../../lib/item-scopes';
import { captureLogs } from './log-capture';

const db = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

const live = newToken();
const revoked = newToken();
const CREATED = '2026-01-01T00:00:00.000Z';
/** A completed attachment of the linked document (and, in the Query, a pending one, never shown). */
const READY = { id: 'a1', fileName: 'rechnung-ä.pdf', contentType: 'application/pdf', size: 10, status: 'ready', createdAt: CREATED, uploadExpiresAt: CREATED, completedAt: CREATED };
const linkItem = (token: string, over: Record<string, unknown> = {}) => ({
  pk: `LINK#${hashToken(token)}`, sk: 'LINK', entity: 'share-link', id: 'l1', tokenHash: hashToken(token), type: 'invoice', documentId: 'INV-1',
  documentCreatedAt: CREATED, contactId: 'c1', createdBy: 'staff:a', createdAt: CREATED, expiresAt: '2999-01-01T00:00:00.000Z', views: 0, ...over,
});

beforeAll(() => {
  // The wiring's table client is our light one (wiring/clients.ts): the SDK's document client instead, mocked above.
  tableClient.use(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })));
  Object.assign(process.env, {
    TABLE_NAME: 'table',
    LOG_LEVEL: 'silent',
    ATTACHMENTS_BUCKET: 'files-bucket',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
  });
});

beforeEach(() => {
  db.reset();
  db.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const pk = input.Key.pk;
    if (pk === 'DOC#invoice#INV-1' && input.Key.sk === 'ATTACHMENT#a1') return { Item: { pk, sk: input.Key.sk, entity: 'attachment', ...READY } };
    if (pk === 'DOC#invoice#INV-1' && input.Key.sk !== 'DOC') return {};
    if (pk === `LINK#${hashToken(live)}`) return { Item: linkItem(live) };
    if (pk === `LINK#${hashToken(revoked)}`) return { Item: linkItem(revoked, { revokedAt: CREATED }) };
    if (pk === 'DOC#invoice#INV-1')
      return { Item: { pk, sk: 'DOC', entity: 'document', type: 'invoice', id: 'INV-1', customerId: 'co', name: 'Invoice', createdAt: CREATED, updatedAt: CREATED, version: 2 } };
    if (pk === 'CONTACT#c1')
      return { Item: { pk, sk: 'CONTACT', entity: 'contact', id: 'c1', kind: 'person', name: 'Pat', archived: false, portal: { status: 'none' }, version: 1, createdAt: CREATED, updatedAt: CREATED } };
    return {};
  });
  db.on(UpdateCommand).resolves({});
  db.on(QueryCommand).resolves({ Items: [{ pk: 'DOC#invoice#INV-1', sk: 'ATTACHMENT#a1', entity: 'attachment', ...READY }] });
});
afterAll(() => {
  db.restore();
  tableClient.use(undefined);
});

const get = (path: string, routeKey: string, pathParameters: Record<string, string>) =>
  handler(
    {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: '',
      headers: {},
      pathParameters,
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' }, requestId: 'r' },
    } as unknown as HttpEvent,
    context,
  );
const view = (token: string) => get(`/shared/${token}`, 'GET /shared/{token}', { token });
const attachment = (token: string, attachmentId = 'a1') =>
  get(`/shared/${token}/attachments/${attachmentId}`, 'GET /shared/{token}/attachments/{attachmentId}', { token, attachmentId });

/** Each call's command name and the partition key it names; whether an index was asked. */
function touched(): { reads: string[]; queries: string[]; writes: string[]; other: string[]; indexed: boolean } {
  const reads: string[] = [];
  const queries: string[] = [];
  const writes: string[] = [];
  const other: string[] = [];
  for (const call of db.calls()) {
    const command = call.args[0];
    const input = command.input as { Key?: { pk?: unknown }; ExpressionAttributeValues?: Record<string, unknown>; IndexName?: string };
    if (command instanceof GetCommand) reads.push(String(input.Key?.pk));
    else if (command instanceof QueryCommand) queries.push(String(input.ExpressionAttributeValues?.[':pk']));
    else if (command instanceof UpdateCommand) writes.push(String(input.Key?.pk));
    else other.push(command.constructor.name);
  }
  return { reads, queries, writes, other, indexed: db.calls().some((c) => 'IndexName' in (c.args[0].input as object)) };
}

const within = (prefixes: readonly string[]) => (key: string) => prefixes.some((prefix) => key.startsWith(prefix));

it('a view shows the completed attachments; an attachment is a 302 to a presigned GET of its file, not counted as a view', async () => {
  const viewed = await view(live);
  expect(JSON.parse(viewed.body!).attachments).toEqual([{ id: 'a1', fileName: 'rechnung-ä.pdf', contentType: 'application/pdf', size: 10 }]);
  const redirect = await attachment(live);
  expect(redirect.body ?? '').toBe('');
  const location = new URL(String(redirect.headers?.location));
  expect(`${location.host}${location.pathname}`).toMatch(/^(files-bucket\.s3\.eu-west-1\.amazonaws\.com\/files\/a1|s3\.eu-west-1\.amazonaws\.com\/files-bucket\/files\/a1)$/);
  expect(location.searchParams.get('X-Amz-Expires')).toBe('60');
  expect(location.searchParams.get('response-content-disposition')).toBe(`attachment; filename="rechnung-a.pdf"; filename*=UTF-8''rechnung-%C3%A4.pdf`);
  expect(db.commandCalls(UpdateCommand)).toHaveLength(1);
});

it.each([
  ['a view of a live link', () => view(live), 200, 3, 1, 1],
  // A dead link's view costs the reads of a live one (the attachments beside the document, a decoy's for an unknown token); only the count is left out.
  ['a revoked link', () => view(revoked), 410, 3, 1, 0],
  ['an unknown token', () => view(newToken()), 410, 3, 1, 0],
  ['a malformed token', () => view('%00..'), 410, 3, 1, 0],
  ['an attachment of a live link', () => attachment(live), 302, 4, 0, 0],
  ['an attachment the document does not have', () => attachment(live, 'a2'), 404, 4, 0, 0],
  ['an attachment of a revoked link', () => attachment(revoked), 410, 3, 0, 0],
])('%s reads only its link, document, recipient and attachments, writes only the link, with the share-link headers', async (_label, call, status, reads, queries, writes) => {
  const result = await call();
  expect(result.statusCode).toBe(status);
  for (const [name, value] of Object.entries(SHARED_RESPONSE_HEADERS)) expect(result.headers?.[name]).toBe(value);
  const seen = touched();
  expect(seen.reads.length).toBe(reads);
  expect(seen.reads.filter((key) => !within(ITEM_SCOPES.sharedReads)(key))).toEqual([]);
  expect(seen.queries).toHaveLength(queries);
  expect(seen.queries.filter((key) => !within(ITEM_SCOPES.sharedQueries)(key))).toEqual([]);
  expect(seen.writes).toHaveLength(writes);
  expect(seen.writes.filter((key) => !within(ITEM_SCOPES.sharedWrites)(key))).toEqual([]);
  expect(seen.other).toEqual([]);
  expect(seen.indexed).toBe(false);
});

// One request id for every call here (the context's): the answers may then not differ by a byte.
it('every dead link answers byte for byte the same, with the same headers', async () => {
  const answers = await Promise.all([view(revoked), view(newToken()), view('x'), attachment(revoked), attachment(newToken())]);
  expect(new Set(answers.map((a) => a.statusCode))).toEqual(new Set([410]));
  expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  expect(new Set(answers.map((a) => JSON.stringify(Object.entries(a.headers ?? {}).sort()))).size).toBe(1);
  expect(JSON.parse(answers[0]!.body!)).toEqual({ type: 'urn:portal-access:problem:link-unusable', title: 'Link unusable', status: 410, detail: expect.any(String), instance: 'urn:request:req-1' });
});

it('a view counts one ShareLinkViews (EMF) with its request id; a dead link, an attachment count none', async () => {
  const logs = captureLogs();
  try {
    expect((await view(live)).statusCode).toBe(200);
    expect(logs.metrics('ShareLinkViews')).toEqual([1]);
    expect(logs.lines.find((l) => 'ShareLinkViews' in l)).toMatchObject({ requestId: 'req-1' });
    await Promise.all([view(revoked), view(newToken()), attachment(live), attachment(revoked)]);
    expect(logs.metrics('ShareLinkViews')).toEqual([1]);
  } finally {
    logs.restore();
  }
});

it('the view is one conditional UpdateItem that only adds one to views', async () => {
  await view(live);
  const [update] = db.commandCalls(UpdateCommand);
  expect(update!.args[0].input).toMatchObject({
    Key: { pk: `LINK#${hashToken(live)}`, sk: 'LINK' },
    UpdateExpression: 'ADD #views :one',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt) AND #expiresAt > :at AND (attribute_not_exists(#maxViews) OR #views < #maxViews)',
    ExpressionAttributeValues: { ':one': 1, ':at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
  });
});

it('a view that loses the race for the last one (its condition fails) is the same 410', async () => {
  db.on(UpdateCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
  const lost = await view(live);
  const unknown = await view(newToken());
  expect(lost.statusCode).toBe(410);
  expect(lost.body).toBe(unknown.body);
});
