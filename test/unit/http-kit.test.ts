import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { httpFunction, type HttpEvent } from '../../lambdas/http-kit/handler';
import { normaliseEmail } from '../../lambdas/contract/email';
import { decodeCursor, encodeCursor } from '../../lambdas/adapters/dynamodb/cursor';
import { AccessEnded, Conflict, EmailInUse, Forbidden, Gone, IdempotencyConflict, LinkGone, NoEmail, NotFound, OutOfScope, StaleVersion, Unauthenticated } from '../../lambdas/contract/errors';
import { PROBLEM_KINDS, PROBLEM_TYPES, problemTypeOf, type ProblemKindName } from '../../lambdas/contract/problem-types';
import { toProblem } from '../../lambdas/http-kit/problem';
import { captureLogs } from './log-capture';

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

function event(routeKey: string, init: { body?: string; headers?: Record<string, string>; claims?: Record<string, unknown>; params?: Record<string, string>; query?: Record<string, string> } = {}): HttpEvent {
  const [method] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: init.headers ?? {},
    body: init.body,
    isBase64Encoded: false,
    pathParameters: init.params,
    queryStringParameters: init.query,
    requestContext: {
      http: { method: method ?? 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'r',
      authorizer: init.claims ? { jwt: { claims: init.claims, scopes: [] } } : undefined,
    },
  } as unknown as HttpEvent;
}

const admin = { sub: 'staff-1', username: 'admin', token_use: 'access', 'cognito:groups': '[portal-admins]' };
const json = { 'content-type': 'application/json' };

describe('httpFunction', () => {
  const calls: unknown[] = [];
  /** The staff users the pool still has in portal-admins; the kit asks before anything else. */
  const staffInPool = new Set(['admin']);
  const checked: string[] = [];
  const handler = httpFunction(
    'contacts',
    {
      createContact: async (request) => {
        calls.push(request.body);
        return { status: 201, body: { ok: true } };
      },
      updateContact: async (request) => {
        calls.push(request.body);
        return { status: 200, body: { ok: true } };
      },
      restoreContact: async (request) => {
        calls.push(`restored ${request.params.id}`);
        return { status: 200, body: { id: request.params.id } };
      },
      getContact: async (request) => {
        if (request.params.id === 'gone') throw new NotFound('No such contact.');
        if (request.params.id === 'busy') throw new Conflict('Stale version.');
        if (request.params.id === 'boom') throw new Error('DynamoDB table arn:aws:dynamodb:secret exploded');
        if (request.params.id === 'throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return { status: 200, body: { id: request.params.id } };
      },
    },
    {
      staffRights: async (username, sub) => {
        checked.push(`${username}/${sub}`);
        if (!staffInPool.has(username)) throw new Forbidden('Staff must be in the portal-admins group.');
      },
    },
  );
  const call = async (e: HttpEvent) => {
    const result = await handler(e, context);
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };

  beforeEach(() => {
    calls.length = 0;
    checked.length = 0;
    staffInPool.add('admin');
  });

  test('a staff function must re-check staff rights: without the option it does not even build', () => {
    expect(() => httpFunction('documents', {})).toThrow(/staffRights/);
    expect(() => httpFunction('portal', {})).not.toThrow();
  });

  test('re-checks the staff user before the input is read: one removed from the group is 403, even with a bad parameter', async () => {
    expect((await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'a' } }))).statusCode).toBe(200);
    expect(checked).toEqual(['admin/staff-1']);
    staffInPool.delete('admin');
    const refused = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'not/an id' } }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json).toMatchObject({ status: 403, title: 'Forbidden' });
  });

  test('a route that declares no query refuses any query field, as a route with one refuses an unknown one (400, the field named)', async () => {
    const refused = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'a' }, query: { limit: '1' } }));
    expect(refused.statusCode).toBe(400);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.stringify(refused.json.errors)).toContain('limit');
    expect((await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'a' }, query: {} }))).statusCode).toBe(200);
    expect((await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'a' } }))).statusCode).toBe(200);
  });

  test('passes a valid, authorised request to the operation', async () => {
    const result = await call(event('POST /contacts', { claims: admin, headers: json, body: '{"kind":"person","name":" Ada "}' }));
    expect(result.statusCode).toBe(201);
    expect(calls).toEqual([{ kind: 'person', name: 'Ada' }]);
  });

  test('refuses staff without the portal-admins group with 403, and a missing token with 401', async () => {
    const forbidden = await call(event('GET /contacts/{id}', { claims: { sub: 'x', username: 'bob', token_use: 'access' }, params: { id: 'a' } }));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers?.['content-type']).toBe('application/problem+json');
    const anonymous = await call(event('GET /contacts/{id}', { params: { id: 'a' } }));
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  test('an ID token is 401 even where the authorizer let it through (its claims are an admin\'s)', async () => {
    const { token_use: _access, ...rest } = admin;
    for (const claims of [{ ...rest, token_use: 'id', aud: 'client-1', email: 'admin@example.com' }, rest]) {
      const result = await call(event('GET /contacts/{id}', { claims, params: { id: 'a' } }));
      expect(result.statusCode).toBe(401);
      expect(result.headers?.['www-authenticate']).toBe('Bearer');
    }
  });

  test.each([
    ['[portal-admins,evil]', 403],
    ['[evil,portal-admins]', 403],
    ['[portal-admins, evil]', 403],
    ['[[portal-admins]]', 403],
    ['portal-admins', 200],
    ['[other portal-admins]', 200],
    ['[other portal-admins-x]', 403],
    [['portal-admins,evil'], 403],
    [['evil', 'portal-admins'], 200],
  ])('the group claim %j is matched exactly: %i', async (groups, status) => {
    const result = await call(event('GET /contacts/{id}', { claims: { ...admin, 'cognito:groups': groups }, params: { id: 'ok' } }));
    expect(result.statusCode).toBe(status);
  });

  test.each([
    ['malformed JSON', 400, { headers: json, body: '{"kind":' }],
    ['a body that is not JSON', 415, { headers: { 'content-type': 'text/plain' }, body: 'hello' }],
    ['a body over 256 KiB', 413, { headers: json, body: JSON.stringify({ kind: 'person', name: 'x'.repeat(300 * 1024) }) }],
    ['an unknown field', 400, { headers: json, body: '{"kind":"person","name":"A","admin":true}' }],
    ['a __proto__ key', 400, { headers: json, body: '{"kind":"person","name":"A","__proto__":{"polluted":1}}' }],
    ['a missing body', 400, { headers: json }],
    ['a gzip-coded body (sent plain: neither decoded nor read as plain)', 415, { headers: { ...json, 'content-encoding': 'gzip' }, body: '{"kind":"person","name":"A"}' }],
    ['a body coded twice', 415, { headers: { ...json, 'content-encoding': 'identity, br' }, body: '{"kind":"person","name":"A"}' }],
    // Bytes that read the same in either charset: a label other than UTF-8 is refused, not overruled.
    ['a body labelled ISO-8859-1', 415, { headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: '{"kind":"person","name":"A"}' }],
    ['a body labelled UTF-16 (quoted)', 415, { headers: { 'content-type': 'application/json;charset="UTF-16"' }, body: '{"kind":"person","name":"A"}' }],
    ['a body labelled twice, UTF-8 then Latin-1', 415, { headers: { 'content-type': 'application/json; charset=utf-8; charset=latin1' }, body: '{"kind":"person","name":"A"}' }],
  ])('answers %s with %i problem+json, never reaching the operation', async (_name, status, init) => {
    const result = await call(event('POST /contacts', { claims: admin, ...init }));
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.json.status).toBe(status);
    expect(calls).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('no body, or an empty one whatever its Content-Type, is `{}` where the body has no required field (PATCH); what is not JSON is still refused', async () => {
    for (const init of [{}, { headers: json, body: '' }, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }]) {
      const result = await call(event('PATCH /contacts/{id}', { claims: admin, params: { id: 'a' }, ...init }));
      expect({ init, status: result.statusCode }).toEqual({ init, status: 200 });
    }
    expect(calls).toEqual([{}, {}, {}]);
    for (const [status, init] of [
      [415, { headers: { 'content-type': 'text/plain' }, body: 'x' }],
      [400, { headers: json, body: 'null' }],
      [400, { headers: json, body: ' ' }],
    ] as const) {
      const result = await call(event('PATCH /contacts/{id}', { claims: admin, params: { id: 'a' }, ...init }));
      expect({ init, status: result.statusCode }).toEqual({ init, status });
    }
    expect(calls).toHaveLength(3);
  });

  test('a route that takes no body (restore, a GET) takes none, or `{}`: anything else is refused as any body is, and nothing is done', async () => {
    for (const init of [{}, { headers: json, body: '' }, { headers: json, body: '{}' }, { headers: json, body: ' { } ' }]) {
      expect({ init, status: (await call(event('POST /contacts/{id}/restore', { claims: admin, params: { id: 'a' }, ...init }))).statusCode }).toEqual({ init, status: 200 });
    }
    expect(calls).toEqual(['restored a', 'restored a', 'restored a', 'restored a']);
    for (const [status, path, init] of [
      [400, 'force', { headers: json, body: '{"force":true}' }],
      [400, undefined, { headers: json, body: '{"force":' }],
      [400, undefined, { headers: json, body: 'null' }],
      [400, undefined, { headers: json, body: '[]' }],
      [400, '__proto__', { headers: json, body: '{"__proto__":{"x":1}}' }],
      [415, undefined, { headers: { 'content-type': 'text/plain' }, body: 'restore please' }],
      [415, undefined, { body: '{}' }],
      [413, undefined, { headers: json, body: `{"pad":"${'x'.repeat(300 * 1024)}"}` }],
    ] as const) {
      for (const [routeKey, params] of [['POST /contacts/{id}/restore', { id: 'a' }], ['GET /contacts/{id}', { id: 'b' }]] as const) {
        const result = await call(event(routeKey, { claims: admin, params, ...init }));
        expect({ routeKey, init: init.body.slice(0, 30), status: result.statusCode, type: result.headers?.['content-type'] }).toEqual({ routeKey, init: init.body.slice(0, 30), status, type: 'application/problem+json' });
        if (path) expect(result.json.errors).toEqual([expect.objectContaining({ path })]);
      }
    }
    expect(calls).toHaveLength(4);
  });

  test('a body labelled UTF-8, in any case, quoted or not, misspelt utf8, or with no charset, is read', async () => {
    for (const contentType of ['application/json; charset=UTF-8', 'application/json; charset=utf8', 'application/json;charset="utf-8"', 'application/json ; charset = utf-8', 'application/json; version=1', 'application/merge-patch+json']) {
      const result = await call(event('POST /contacts', { claims: admin, headers: { 'content-type': contentType }, body: '{"kind":"person","name":"Zoë"}' }));
      expect({ contentType, status: result.statusCode }).toEqual({ contentType, status: 201 });
    }
    expect(calls).toHaveLength(6);
  });

  test('a content-coded body is 415 with the one coding taken (Accept-Encoding: identity); `identity` itself is no coding', async () => {
    const coded = await call(event('POST /contacts', { claims: admin, headers: { ...json, 'content-encoding': 'gzip' }, body: '{"kind":"person","name":"A"}' }));
    expect(coded.statusCode).toBe(415);
    expect(coded.headers?.['accept-encoding']).toBe('identity');
    expect(calls).toHaveLength(0);
    const plain = await call(event('POST /contacts', { claims: admin, headers: { ...json, 'content-encoding': 'Identity' }, body: '{"kind":"person","name":"A"}' }));
    expect(plain.statusCode).toBe(201);
    expect(calls).toHaveLength(1);
  });

  test('no body where fields are required is 400 naming the missing body and each required field', async () => {
    const result = await call(event('POST /contacts', { claims: admin }));
    expect(result.statusCode).toBe(400);
    expect(result.json).toMatchObject({ detail: 'The request needs a JSON body.' });
    expect(result.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['kind', 'name']);
    expect(calls).toHaveLength(0);
  });

  test('reports the path of each invalid field', async () => {
    const result = await call(event('POST /contacts', { claims: admin, headers: json, body: '{"kind":"robot","name":""}' }));
    expect(result.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['kind', 'name']);
  });

  test('maps domain errors once: 404, 409, each with its type', async () => {
    const gone = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'gone' } }));
    expect(gone.json).toMatchObject({ status: 404, type: problemTypeOf('not-found') });
    const busy = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'busy' } }));
    expect(busy.json).toMatchObject({ status: 409, type: problemTypeOf('conflict') });
  });

  test('every answer names its request: the x-request-id header, a problem\'s instance, and the log line', async () => {
    const logs = captureLogs();
    try {
      const ok = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'a' } }));
      expect(ok.headers?.['x-request-id']).toBe('req-1');
      const crash = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'boom' }, headers: { 'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678;Sampled=1' } }));
      expect(crash.headers?.['x-request-id']).toBe('req-1');
      expect(crash.json).toEqual({ type: problemTypeOf('internal'), title: 'Internal error', status: 500, detail: 'An unexpected error occurred.', instance: 'urn:request:req-1' });
      const failed = logs.level('ERROR');
      expect(failed).toEqual([expect.objectContaining({ message: 'request failed', requestId: 'req-1', apiRequestId: 'r', traceId: '1-67891233-abcdef012345678912345678', coldStart: false })]);
      // The cause is in the log line, not in the answer.
      expect(JSON.stringify(failed[0])).toMatch(/exploded/);
      expect(logs.level('INFO').map((l) => [l.message, l.requestId, l.status])).toEqual([
        ['request', 'req-1', 200],
        ['request', 'req-1', 500],
      ]);
    } finally {
      logs.restore();
    }
  });

  test('a 500 says nothing internal; a throttled dependency is 503 with Retry-After', async () => {
    const crash = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'boom' } }));
    expect(crash.statusCode).toBe(500);
    expect(crash.body).not.toMatch(/arn|DynamoDB|exploded|stack/i);
    const throttled = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'throttled' } }));
    expect(throttled.statusCode).toBe(503);
    expect(throttled.headers?.['retry-after']).toBe('1');
  });

  test('a bad path parameter is 400', async () => {
    const result = await call(event('GET /contacts/{id}', { claims: admin, params: { id: 'not/an id' } }));
    expect(result.statusCode).toBe(400);
  });

  test('an operation that is not implemented yet is 501; a route of another area falls back', async () => {
    expect((await call(event('GET /contacts', { claims: admin }))).statusCode).toBe(501);
    const other = await call(event('ANY /contacts/{id}', { claims: admin }));
    expect(other.statusCode).toBe(405);
    expect(other.headers?.allow).toBe('GET, PATCH, DELETE');
  });
});

describe('normaliseEmail', () => {
  test.each([
    ['  Ada@Example.COM ', 'ada@example.com'],
    ['jan@bücher.de', 'jan@xn--bcher-kva.de'],
  ])('%s → %s', (raw, expected) => expect(normaliseEmail(raw)).toBe(expected));

  test.each(['josé@example.com', '\u212aelvin@example.com', 'a@b@example.com', 'a@example.com\r\nBcc: x@evil.test', 'no-at-sign', 'a@localhost', `${'a'.repeat(65)}@example.com`])(
    // The Kelvin sign (U+212A) lower-cases to an ASCII `k`: the local part is ASCII before any case is changed, or it is refused.
    'refuses %j',
    (raw) => expect(normaliseEmail(raw)).toBeUndefined(),
  );
});

describe('cursors', () => {
  const key = { pk: 'COMPANY#a', sk: 'ada#1' };

  test('round-trip within the listing they were issued for', () => {
    expect(decodeCursor(encodeCursor('company:a', key), 'company:a', ['pk', 'sk'], { pk: 'COMPANY#a' })).toEqual(key);
  });

  test.each([
    ['garbage', 'not-base64-json'],
    ['another listing', encodeCursor('company:b', key)],
    ['another partition', encodeCursor('company:a', { pk: 'COMPANY#b', sk: 'x' })],
    ['unknown attributes', encodeCursor('company:a', { pk: 'COMPANY#a', evil: 'x' })],
  ])('refuse %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor, 'company:a', ['pk', 'sk'], { pk: 'COMPANY#a' })).toThrow('cursor');
  });
});

describe('httpFunction with an authorize hook', () => {
  const customer = { sub: 'user-1', username: 'user-1', token_use: 'access', iat: '1796229057' };
  const handler = httpFunction(
    'portal',
    { getPortalDocument: async (request) => ({ status: 200, body: { caller: request.caller } }) },
    {
      authorize: async (principal) => {
        if (principal.kind !== 'customer' || principal.sub !== 'user-1') throw new Unauthenticated('revoked');
        return { contactId: 'c-1' };
      },
    },
  );

  test('hands what it established to the operation', async () => {
    const result = await handler(event('GET /portal/documents/{type}/{id}', { claims: customer, params: { type: 'invoice', id: 'INV-1' } }), context);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '{}')).toEqual({ caller: { contactId: 'c-1' } });
  });

  test.each([
    ['no iat', {}],
    ['an empty one', { iat: '' }],
    ['one that is no number', { iat: 'soon' }],
  ])('a portal token with %s is 401: the portal refuses tokens issued before a re-grant or an email change by it', async (_name, iat) => {
    const { iat: _iat, ...rest } = customer;
    const result = await handler(event('GET /portal/documents/{type}/{id}', { claims: { ...rest, ...iat }, params: { type: 'invoice', id: 'INV-1' } }), context);
    expect(result.statusCode).toBe(401);
  });

  test('refuses before the input is parsed: a refused caller with a bad parameter is 401, not 400', async () => {
    const result = await handler(event('GET /portal/documents/{type}/{id}', { claims: { sub: 'user-2', token_use: 'access' }, params: { type: 'nonsense', id: '../x' } }), context);
    expect(result.statusCode).toBe(401);
  });
});

describe('typed problems', () => {
  test.each<[string, unknown, ProblemKindName]>([
    ['a missing email', new NoEmail('no email', 'lines.0.email'), 'no-email'],
    ['another contact\'s login', new EmailInUse('in use'), 'email-in-use'],
    ['a stale If-Match', new StaleVersion('stale'), 'stale-version'],
    ['a reused Idempotency-Key', new IdempotencyConflict('reused'), 'idempotency-conflict'],
    ['any other conflict', new Conflict('changed'), 'conflict'],
    ['a contact outside the wizard', new OutOfScope('not here'), 'out-of-scope'],
    ['an unknown resource', new NotFound('none'), 'not-found'],
    ['portal access that ended', new AccessEnded('ended'), 'access-ended'],
    ['an unknown token', new Unauthenticated('who'), 'unauthenticated'],
    ['a staff user out of the group', new Forbidden('no'), 'forbidden'],
    ['an unusable invitation token', new Gone('gone'), 'invitation-unusable'],
    ['a dead share link', new LinkGone('gone'), 'link-unusable'],
    ['a dependency down', Object.assign(new Error('x'), { name: 'ServiceUnavailableException' }), 'unavailable'],
    ['a bug', new TypeError('undefined is not a function'), 'internal'],
  ])('%s is %s', (_name, error, kind) => {
    const { status, problem } = toProblem(error, 'id-1');
    expect(problem).toMatchObject({ type: problemTypeOf(kind), title: PROBLEM_KINDS[kind].title, status: PROBLEM_KINDS[kind].status, instance: 'urn:request:id-1' });
    expect(status).toBe(PROBLEM_KINDS[kind].status);
  });

  test('the type URIs are distinct and stable in form', () => {
    expect(new Set(PROBLEM_TYPES).size).toBe(Object.keys(PROBLEM_KINDS).length);
    for (const type of PROBLEM_TYPES) expect(type).toMatch(/^urn:portal-access:problem:[a-z-]+$/);
  });

  test('docs/api.md lists each kind as the table has it (type, status, title, when)', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `(urn:portal-access:problem:[a-z-]+)` \| (\d+) \| ([^|]+) \| (.+) \|$/gm)].map((m) => [m[1], Number(m[2]), m[3]!.trim(), m[4]!.trim()]);
    expect(listed).toEqual((Object.keys(PROBLEM_KINDS) as ProblemKindName[]).map((kind) => [problemTypeOf(kind), PROBLEM_KINDS[kind].status, PROBLEM_KINDS[kind].title, PROBLEM_KINDS[kind].when]));
  });
});

describe('httpFunction with an authorize hook that answers before its check is done', () => {
  const customer = (sub: string) => ({ sub, username: sub, token_use: 'access', iat: '1796229057' });
  const handler = httpFunction(
    'portal',
    {
      getPortalDocument: async (request) => {
        const caller = request.caller as { checked: Promise<unknown> };
        return { status: 200, body: { viewer: await caller.checked } };
      },
    },
    {
      authorize: async (principal) => {
        const sub = principal.kind === 'customer' ? principal.sub : '';
        const checked = new Promise((resolve, reject) => setTimeout(() => (sub === 'user-1' ? resolve('c-1') : reject(new Unauthenticated('revoked'))), 5));
        checked.catch(() => undefined);
        return { checked };
      },
    },
  );
  const get = (sub: string, params: Record<string, string>) => handler(event('GET /portal/documents/{type}/{id}', { claims: customer(sub), params }), context);

  test('the operation awaits the check itself', async () => {
    const result = await get('user-1', { type: 'invoice', id: 'INV-1' });
    expect(JSON.parse(result.body ?? '{}')).toEqual({ viewer: 'c-1' });
  });

  test('a bad parameter waits for the check: refused is 401, not 400; let in, the 400 stands', async () => {
    expect((await get('user-2', { type: 'nonsense', id: '../x' })).statusCode).toBe(401);
    expect((await get('user-1', { type: 'nonsense', id: '../x' })).statusCode).toBe(400);
    expect((await get('user-2', { type: 'invoice', id: 'INV-1' })).statusCode).toBe(401);
  });
});

describe('the portal\'s two 401s', () => {
  test('access that ended is titled "Portal access ended"; any other refusal keeps the plain title', () => {
    expect(toProblem(new AccessEnded('not active'))).toMatchObject({ status: 401, problem: { title: 'Portal access ended', status: 401 }, headers: { 'www-authenticate': 'Bearer' } });
    expect(toProblem(new Unauthenticated('sign in again'))).toMatchObject({ status: 401, problem: { title: 'Unauthorized' } });
  });
});
