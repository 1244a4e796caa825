/**
 * The public share-link function may read only ITEM_SCOPES.sharedReads and write only
 * ITEM_SCOPES.sharedWrites (its IAM policy says so with `dynamodb:LeadingKeys`, and grants no index):
 * this drives its real handler, wiring and DynamoDB store over a mocked client — a view, a dead link,
 * an unknown token, an attachment — and checks every key it reads or writes, and every answer's headers.
 */
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SHARED_RESPONSE_HEADERS } from '../../lambdas/contract/share-links';
import { hashToken, newToken } from '../../lambdas/domain/tokens';
import type { HttpEvent } from '../../lambdas/http-kit/handler';
import { handler } from '../../lambdas/http/shared';
import { ITEM_SCOPES } from '../../lib/item-scopes';
import { captureLogs } from './log-capture';

const db = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

const live = newToken();
const revoked = newToken();
const CREATED = '2026-01-01T00:00:00.000Z';
const linkItem = (token: string, over: Record<string, unknown> = {}) => ({
  pk: `LINK#${hashToken(token)}`, sk: 'LINK', entity: 'share-link', id: 'l1', tokenHash: hashToken(token), type: 'invoice', documentId: 'INV-1',
  documentCreatedAt: CREATED, contactId: 'c1', createdBy: 'staff:a', createdAt: CREATED, expiresAt: '2999-01-01T00:00:00.000Z', views: 0, ...over,
});

beforeAll(() => {
  Object.assign(process.env, { TABLE_NAME: 'table', LOG_LEVEL: 'silent' });
});

beforeEach(() => {
  db.reset();
  db.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
    const pk = input.Key.pk;
    if (pk === `LINK#${hashToken(live)}`) return { Item: linkItem(live) };
    if (pk === `LINK#${hashToken(revoked)}`) return { Item: linkItem(revoked, { revokedAt: CREATED }) };
    if (pk === 'DOC#invoice#INV-1')
      return { Item: { pk, sk: 'DOC', entity: 'document', type: 'invoice', id: 'INV-1', customerId: 'co', name: 'Invoice', createdAt: CREATED, updatedAt: CREATED, version: 2 } };
    if (pk === 'CONTACT#c1')
      return { Item: { pk, sk: 'CONTACT', entity: 'contact', id: 'c1', kind: 'person', name: 'Pat', archived: false, portal: { status: 'none' }, version: 1, createdAt: CREATED, updatedAt: CREATED } };
    return {};
  });
  db.on(UpdateCommand).resolves({});
});
afterAll(() => db.restore());

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
const attachment = (token: string) => get(`/shared/${token}/attachments/a1`, 'GET /shared/{token}/attachments/{attachmentId}', { token, attachmentId: 'a1' });

/** Each call's command name and the partition key it names; whether an index was asked. */
function touched(): { reads: string[]; writes: string[]; other: string[]; indexed: boolean } {
  const reads: string[] = [];
  const writes: string[] = [];
  const other: string[] = [];
  for (const call of db.calls()) {
    const command = call.args[0];
    const input = command.input as { Key?: { pk?: unknown }; IndexName?: string };
    if (command instanceof GetCommand) reads.push(String(input.Key?.pk));
    else if (command instanceof UpdateCommand) writes.push(String(input.Key?.pk));
    else other.push(command.constructor.name);
  }
  return { reads, writes, other, indexed: db.calls().some((c) => 'IndexName' in (c.args[0].input as object)) };
}

const within = (prefixes: readonly string[]) => (key: string) => prefixes.some((prefix) => key.startsWith(prefix));

it.each([
  ['a view of a live link', () => view(live), 200, 1],
  ['a revoked link', () => view(revoked), 410, 0],
  ['an unknown token', () => view(newToken()), 410, 0],
  ['a malformed token', () => view('%00..'), 410, 0],
  ['an attachment of a live link (none yet: 404)', () => attachment(live), 404, 0],
  ['an attachment of a revoked link', () => attachment(revoked), 410, 0],
])('%s reads only its link, document and recipient, writes only the link, with the share-link headers', async (_label, call, status, writes) => {
  const result = await call();
  expect(result.statusCode).toBe(status);
  for (const [name, value] of Object.entries(SHARED_RESPONSE_HEADERS)) expect(result.headers?.[name]).toBe(value);
  const seen = touched();
  expect(seen.reads.length).toBe(3);
  expect(seen.reads.filter((key) => !within(ITEM_SCOPES.sharedReads)(key))).toEqual([]);
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
