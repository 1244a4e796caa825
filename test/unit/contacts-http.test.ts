import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../lambdas/http-kit/handler';
import { handler, parseIfMatch } from '../../lambdas/http/contacts';
import { useContactsDeps } from '../../lambdas/wiring/contacts';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { ContactStore } from '../../lambdas/domain/contacts';
import { Invalid } from '../../lambdas/contract/errors';
import { cognitoClient } from '../../lambdas/wiring/clients';
import { fakeCognito } from './cognito-fake';

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
const admin = { sub: 'staff-1', username: 'admin', token_use: 'access', 'cognito:groups': '[portal-admins]' };

function event(routeKey: string, init: { body?: string; headers?: Record<string, string>; params?: Record<string, string>; query?: Record<string, string> } = {}): HttpEvent {
  return {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body,
    isBase64Encoded: false,
    pathParameters: init.params,
    queryStringParameters: init.query,
    requestContext: {
      http: { method: routeKey.split(' ')[0], path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'r',
      authorizer: { jwt: { claims: admin, scopes: [] } },
    },
  } as unknown as HttpEvent;
}

const records = new Map<string, ContactRecord>();
const revoked: string[] = [];
const store: ContactStore = {
  get: async (id) => records.get(id),
  create: async (r) => void records.set(r.id, r),
  update: async (_before, after) => void records.set(after.id, after),
  archive: async ({ id }) => void records.set(id, { ...records.get(id)!, archived: true, version: records.get(id)!.version + 1 }),
  restore: async (_before, after) => void records.set(after.id, after),
  list: async () => ({ items: [...records.values()], nextCursor: 'next' }),
  listCompanyPersons: async () => ({ items: [] }),
};

// The staff pool the handler re-checks the admin against: enabled, in portal-admins.
const staffPool = fakeCognito();
beforeAll(() => {
  process.env.STAFF_USER_POOL_ID = 'staff-pool';
  staffPool.on('AdminGetUser', { Username: 'admin', Enabled: true, UserAttributes: [{ Name: 'sub', Value: 'staff-1' }] });
  staffPool.on('AdminListGroupsForUser', { Groups: [{ GroupName: 'portal-admins' }] });
  cognitoClient.use(staffPool);
});
afterAll(() => cognitoClient.use(undefined));

beforeAll(() => useContactsDeps({ store, revoker: { revokeForArchive: async (id, actor) => void revoked.push(`${id}:${actor}`) }, newId: () => 'c1' }));
afterAll(() => useContactsDeps(undefined));

const call = async (e: HttpEvent) => {
  const result = await handler(e, context);
  return { status: result.statusCode, headers: result.headers ?? {}, json: result.body ? JSON.parse(result.body) : undefined };
};

test('POST answers 201 with Location and ETag', async () => {
  const created = await call(event('POST /contacts', { body: '{"kind":"person","name":"Ada","email":" ADA@Bücher.de "}' }));
  expect(created.status).toBe(201);
  expect(created.headers).toMatchObject({ location: '/contacts/c1', etag: '"1"' });
  expect(created.json).toMatchObject({ id: 'c1', email: 'ada@xn--bcher-kva.de', version: 1, archived: false });
});

test('GET and PATCH carry the ETag; PATCH reads If-Match', async () => {
  const got = await call(event('GET /contacts/{id}', { params: { id: 'c1' } }));
  expect(got).toMatchObject({ status: 200, headers: { etag: '"1"' } });
  const stale = await call(event('PATCH /contacts/{id}', { params: { id: 'c1' }, headers: { 'if-match': '"7"' }, body: '{"name":"B"}' }));
  expect(stale.status).toBe(409);
  const patched = await call(event('PATCH /contacts/{id}', { params: { id: 'c1' }, headers: { 'if-match': 'W/"1"' }, body: '{"name":"B"}' }));
  expect(patched).toMatchObject({ status: 200, headers: { etag: '"2"' }, json: { name: 'B', version: 2 } });
  const malformed = await call(event('PATCH /contacts/{id}', { params: { id: 'c1' }, headers: { 'if-match': 'banana' }, body: '{"name":"C"}' }));
  expect(malformed).toMatchObject({ status: 400, json: { errors: [{ path: 'If-Match' }] } });
});

test('GET /contacts answers the page; DELETE answers 204 and revokes with the staff actor', async () => {
  expect(await call(event('GET /contacts', { query: { limit: '5' } }))).toMatchObject({ status: 200, json: { items: [{ id: 'c1' }], nextCursor: 'next' } });
  const deleted = await call(event('DELETE /contacts/{id}', { params: { id: 'c1' } }));
  expect(deleted.status).toBe(204);
  expect(deleted.json).toBeUndefined();
  // Revoked before the archive is written, and again after it (whoever got access meanwhile).
  expect(revoked).toEqual(['c1:staff:admin', 'c1:staff:admin']);
});

test.each([
  ['3', 3],
  ['"3"', 3],
  ['W/"3"', 3],
  [' "12" ', 12],
  ['*', undefined],
  [undefined, undefined],
])('parseIfMatch(%p) = %p', (header, version) => expect(parseIfMatch(header)).toBe(version));

test.each(['"3', '3"', 'abc', '"1", "2"', '-1', '1.5', ''])('parseIfMatch(%p) is Invalid', (header) =>
  expect(() => parseIfMatch(header)).toThrow(Invalid),
);

test('an unknown field is reported at its own path (the kit names the key)', async () => {
  const res = await call(event('POST /contacts', { body: '{"kind":"person","name":"A","admin":true,"role":1}' }));
  expect(res).toMatchObject({ status: 400, json: { errors: [{ path: 'admin' }, { path: 'role' }] } });
  const patch = await call(event('PATCH /contacts/{id}', { params: { id: 'c1' }, body: '{"kind":"company"}' }));
  expect(patch).toMatchObject({ status: 400, json: { errors: [{ path: 'kind' }] } });
});
