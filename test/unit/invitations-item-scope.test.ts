/**
 * The public invitation function may touch only the items of ITEM_SCOPES.invitations (its IAM policy
 * says so with `dynamodb:LeadingKeys`, and grants no index): this drives its real handler, wiring and
 * DynamoDB stores over a mocked client — an accepted invitation, a refused password, an unusable
 * token — and checks every key it reads or writes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { hashToken, newToken } from '../../lambdas/domain/portal-access/invitations';
import type { HttpEvent } from '../../lambdas/http-kit/handler';
import { handler } from '../../lambdas/http/invitations';
import { cognitoClient, tableClient } from '../../lambdas/wiring/clients';
import { ITEM_SCOPES } from '../../lib/item-scopes';
import { fakeCognito } from './cognito-fake';

const db = mockClient(DynamoDBDocumentClient);
const cognito = fakeCognito();
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

const token = newToken();
const hash = hashToken(token);

beforeAll(() => {
  // The wiring's table client is our light one (wiring/clients.ts): the SDK's document client instead, mocked above.
  tableClient.use(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })));
  Object.assign(process.env, { TABLE_NAME: 'table', CUSTOMER_USER_POOL_ID: 'pool', PORTAL_URL: 'https://portal.example.com', LOG_LEVEL: 'silent' });
});

beforeEach(() => {
  db.reset();
  cognito.reset();
  db.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
    if (input.Key.pk === `INVITATION#${hash}`) return { Item: { pk: input.Key.pk, sk: 'INVITATION', entity: 'invitation', contactId: 'c1', expiresAt: '2999-01-01T00:00:00.000Z' } };
    if (input.Key.pk === 'CONTACT#c1')
      return {
        Item: {
          pk: 'CONTACT#c1', sk: 'CONTACT', entity: 'contact', id: 'c1', kind: 'person', name: 'Pat', archived: false, version: 3,
          createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
          portal: { status: 'invited' }, login: { email: 'pat@example.com', username: 'user-1', sub: 'sub-1' }, invitation: { tokenHash: hash, expiresAt: '2999-01-01T00:00:00.000Z' },
        },
      };
    return {};
  });
  db.on(UpdateCommand).resolves({});
  db.on(TransactWriteCommand).resolves({});
  cognitoClient.use(cognito);
});
afterAll(() => {
  db.restore();
  cognitoClient.use(undefined);
  tableClient.use(undefined);
});

const accept = (body: unknown) =>
  handler(
    {
      version: '2.0',
      routeKey: 'POST /invitations/accept',
      rawPath: '/invitations/accept',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/invitations/accept', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' }, requestId: 'r' },
    } as unknown as HttpEvent,
    context,
  );

/** Every partition key the function sent to DynamoDB, and whether it asked an index or queried at all. */
function touched(): { keys: string[]; indexed: boolean } {
  type Keyed = { Key?: { pk?: unknown }; Item?: { pk?: unknown }; TransactItems?: Record<string, Keyed>[] };
  const keys: string[] = [];
  const pk = (item: Keyed | undefined) => keys.push(String(item?.Key?.pk ?? item?.Item?.pk));
  for (const call of db.calls()) {
    const input = call.args[0].input as Keyed;
    if (input.TransactItems) for (const item of input.TransactItems) for (const op of Object.values(item)) pk(op);
    else pk(input);
  }
  const indexed = db.calls().some((c) => 'IndexName' in (c.args[0].input as object)) || db.commandCalls(QueryCommand).length > 0;
  return { keys, indexed };
}

const allowed = (key: string) => ITEM_SCOPES.invitations.some((prefix) => key.startsWith(prefix));

it.each([
  ['an accepted invitation', { token, password: 'Correct-Horse-7-battery' }, 204],
  ['a password the policy refuses', { token, password: 'short' }, 400],
  ['an unknown token', { token: newToken(), password: 'Correct-Horse-7-battery' }, 410],
])('%s touches only the invitation, its contact and its audit trail', async (_label, body, status) => {
  const result = await accept(body);
  expect(result.statusCode).toBe(status);
  const { keys, indexed } = touched();
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((key) => !allowed(key))).toEqual([]);
  expect(indexed).toBe(false);
  expect(db.commandCalls(PutCommand).length + db.commandCalls(DeleteCommand).length).toBe(0);
});

it('the accepted invitation did write its three kinds of items', async () => {
  await accept({ token, password: 'Correct-Horse-7-battery' });
  const prefixes = new Set(touched().keys.map((key) => key.replace(/#.*$/, '#')));
  expect([...prefixes].sort()).toEqual([...ITEM_SCOPES.invitations].sort());
});
