/**
 * The Contacts routes of API.md, over HTTP, against the local stack (DynamoDB Local).
 */
import { AdminEnableUserCommand, AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lambdas/contract/keys';
import { OUTBOX_ABANDONED_AFTER_MS } from '../../lambdas/contract/outbox';
import { adminToken, api, cognito, eventually, outboxDone, stack, uniq } from './support/stack';

// Each test drives the stack over HTTP; some make hundreds of requests.
jest.setTimeout(60_000);

let token: string;

beforeAll(async () => {
  await stack();
  token = await adminToken();
});

type Options = { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string; contentType?: string };
const call = (path: string, options: Options = {}) => api(path, { token, ...options });

/** A response header, whatever shape the harness gives the headers in. */
function header(res: { headers: unknown }, name: string): string | undefined {
  const headers = res.headers as Headers | Record<string, string>;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const found = Object.entries(headers as Record<string, string>).find(([k]) => k.toLowerCase() === name);
  return found?.[1];
}

interface Contact {
  id: string;
  kind: string;
  name: string;
  email?: string;
  phone?: string;
  companyId?: string;
  archived: boolean;
  version: number;
  portal: { status: string };
  createdAt: string;
  updatedAt: string;
}

async function create(body: Record<string, unknown>): Promise<Contact> {
  const res = await call('/contacts', { method: 'POST', body });
  expect(res.status).toBe(201);
  return res.body as Contact;
}

const list = async (query: Record<string, string>) => {
  const res = await call(`/contacts?${new URLSearchParams(query)}`);
  return res as { status: number; body: { items: Contact[]; nextCursor?: string } };
};

/** Every page of a listing, following `nextCursor`. */
async function listAll(query: Record<string, string>): Promise<{ items: Contact[]; pages: number }> {
  const items: Contact[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await list({ ...query, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    pages++;
    if (res.body.nextCursor) expect(res.body.items).toHaveLength(Number(query.limit ?? 50));
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { items, pages };
}

/** Runs `tasks` with at most `width` at once. */
async function inBatches<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width)
    results.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => task(start + k)))));
  return results;
}

const errorPaths = (body: unknown) => ((body as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);

describe('POST /contacts and GET /contacts/{id}', () => {
  test('creates a person: 201, Location, ETag, the Contact; GET answers the same with its ETag', async () => {
    const name = uniq('Ada');
    const res = await call('/contacts', { method: 'POST', body: { kind: 'person', name, email: ' Ada@Bücher.DE ', phone: '+44 20 1234' } });
    expect(res.status).toBe(201);
    const contact = res.body as Contact;
    expect(contact).toMatchObject({ kind: 'person', name, email: 'ada@xn--bcher-kva.de', phone: '+44 20 1234', archived: false, version: 1, portal: { status: 'none' } });
    expect(contact.createdAt).toBe(contact.updatedAt);
    expect(header(res, 'location')).toBe(`/contacts/${contact.id}`);
    expect(header(res, 'etag')).toBe('"1"');
    const got = await call(`/contacts/${contact.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(contact);
    expect(header(got, 'etag')).toBe('"1"');
  });

  test('a person may belong to a company; a company may not; the company must exist, be a company and not be archived', async () => {
    const company = await create({ kind: 'company', name: uniq('Acme') });
    const person = await create({ kind: 'person', name: uniq('Bob'), companyId: company.id });
    expect(person.companyId).toBe(company.id);

    const archived = await create({ kind: 'company', name: uniq('Old') });
    expect((await call(`/contacts/${archived.id}`, { method: 'DELETE' })).status).toBe(204);

    for (const body of [
      { kind: 'company', name: 'Sub', companyId: company.id },
      { kind: 'person', name: 'P', companyId: 'no-such-company' },
      { kind: 'person', name: 'P', companyId: person.id },
      { kind: 'person', name: 'P', companyId: archived.id },
    ]) {
      const res = await call('/contacts', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(errorPaths(res.body)).toEqual(['companyId']);
    }
  });

  test('two contacts may share an email (a shared mailbox)', async () => {
    const email = `${uniq('shared').toLowerCase()}@example.com`;
    await create({ kind: 'person', name: 'One', email });
    await create({ kind: 'person', name: 'Two', email });
  });

  test('unknown id → 404; a malformed id → 400', async () => {
    expect((await call('/contacts/no-such-contact')).status).toBe(404);
    expect((await call(`/contacts/${'x'.repeat(65)}`)).status).toBe(400);
    expect((await call('/contacts/bad.id')).status).toBe(400);
  });

  test('no token → 401; an unsupported method → 405 with Allow', async () => {
    expect((await api('/contacts', {})).status).toBe(401);
    const put = await call('/contacts/some-id', { method: 'PUT', body: { name: 'x' } });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toMatch(/PATCH/);
  });
});

describe('bad input is a 4xx problem, never a 500', () => {
  const post = (init: Options) => call('/contacts', { method: 'POST', ...init });

  test.each([
    ['malformed JSON', { rawBody: '{"kind":"person",', contentType: 'application/json' }, 400, undefined],
    ['a body that is not JSON', { rawBody: 'kind=person', contentType: 'text/plain' }, 415, undefined],
    ['an unknown field', { body: { kind: 'person', name: 'A', admin: true } }, 400, 'admin'],
    ['a name over 200 characters', { body: { kind: 'person', name: 'x'.repeat(201) } }, 400, 'name'],
    ['an email over 254 characters', { body: { kind: 'person', name: 'A', email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` } }, 400, 'email'],
    ['an email with a non-ASCII local part', { body: { kind: 'person', name: 'A', email: 'jösé@example.com' } }, 400, 'email'],
    ['a control character', { body: { kind: 'person', name: 'A\u0007B' } }, 400, 'name'],
    ['a __proto__ key', { rawBody: '{"kind":"person","name":"A","__proto__":{"admin":true}}', contentType: 'application/json' }, 400, '__proto__'],
    ['a constructor key', { rawBody: '{"kind":"person","name":"A","constructor":{"prototype":{}}}', contentType: 'application/json' }, 400, 'constructor'],
    ['an unknown kind', { body: { kind: 'robot', name: 'A' } }, 400, 'kind'],
    ['a missing name', { body: { kind: 'person' } }, 400, 'name'],
    ['a body over 256 KiB', { body: { kind: 'person', name: 'A', phone: 'x'.repeat(270 * 1024) } }, 413, undefined],
  ] as const)('%s → %s', async (_name, init, status, path) => {
    const res = await post(init as Options);
    expect(res.status).toBe(status);
    expect(header(res, 'content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status });
    if (path !== undefined) expect(errorPaths(res.body)).toContain(path);
  });

  test('PATCH: unknown field, bad values, control characters → 400 with the path; unknown id → 404', async () => {
    const { id } = await create({ kind: 'person', name: uniq('Pat') });
    const patch = (body: unknown) => call(`/contacts/${id}`, { method: 'PATCH', body });
    expect(errorPaths((await patch({ kind: 'company' })).body)).toEqual(['kind']);
    expect(errorPaths((await patch({ name: 'a\u0000b' })).body)).toContain('name');
    expect(errorPaths((await patch({ name: null })).body)).toContain('name');
    expect(errorPaths((await patch({ phone: 'call me' })).body)).toContain('phone');
    expect((await patch({ kind: 'company' })).status).toBe(400);
    expect((await call('/contacts/no-such-contact', { method: 'PATCH', body: { name: 'x' } })).status).toBe(404);
    expect((await call('/contacts/no-such-contact', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('PATCH /contacts/{id}', () => {
  test('changes fields, null clears optional ones, version and updatedAt move, ETag follows', async () => {
    const company = await create({ kind: 'company', name: uniq('Co') });
    const created = await create({ kind: 'person', name: uniq('Carl'), email: 'carl@example.com', phone: '1', companyId: company.id });
    const res = await call(`/contacts/${created.id}`, { method: 'PATCH', body: { name: 'Carl Renamed', email: null, phone: null, companyId: null } });
    expect(res.status).toBe(200);
    const updated = res.body as Contact;
    expect(updated).toMatchObject({ id: created.id, name: 'Carl Renamed', version: 2, createdAt: created.createdAt });
    expect(updated).not.toHaveProperty('email');
    expect(updated).not.toHaveProperty('phone');
    expect(updated).not.toHaveProperty('companyId');
    expect(updated.updatedAt > created.updatedAt).toBe(true);
    expect(header(res, 'etag')).toBe('"2"');
    expect((await call(`/contacts/${created.id}`)).body).toEqual(updated);
  });

  test('If-Match accepts 3, "3" and W/"3"; a stale version is 409; a malformed one 400', async () => {
    const { id } = await create({ kind: 'person', name: uniq('Ifm') });
    const patch = (ifMatch: string, name: string) => call(`/contacts/${id}`, { method: 'PATCH', body: { name }, headers: { 'If-Match': ifMatch } });
    expect((await patch('1', 'a')).status).toBe(200);
    expect((await patch('"2"', 'b')).status).toBe(200);
    expect((await patch('W/"3"', 'c')).status).toBe(200);
    const stale = await patch('3', 'd');
    expect(stale.status).toBe(409);
    expect(header(stale, 'content-type')).toMatch(/^application\/problem\+json/);
    expect((await patch('banana', 'e')).status).toBe(400);
    expect((await call(`/contacts/${id}`)).body).toMatchObject({ name: 'c', version: 4 });
  });

  test('20 concurrent PATCHes with the same If-Match: exactly one 200, nineteen 409', async () => {
    const { id } = await create({ kind: 'person', name: uniq('Race') });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(`/contacts/${id}`, { method: 'PATCH', body: { name: `Racer ${i}` }, headers: { 'If-Match': '"1"' } })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = results.find((r) => r.status === 200)!.body as Contact;
    expect((await call(`/contacts/${id}`)).body).toMatchObject({ name: winner.name, version: 2 });
  });

  test('20 concurrent PATCHes without If-Match: none is lost', async () => {
    const { id } = await create({ kind: 'person', name: uniq('Many') });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(`/contacts/${id}`, { method: 'PATCH', body: { name: `Writer ${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => (r.body as Contact).version)).size).toBe(20);
    expect(((await call(`/contacts/${id}`)).body as Contact).version).toBe(21);
  });

  test('companyId: into a company yes, into an archived one or onto a company no; persons keep an archived company', async () => {
    const acme = await create({ kind: 'company', name: uniq('Acme') });
    const old = await create({ kind: 'company', name: uniq('Old') });
    const member = await create({ kind: 'person', name: uniq('Member'), companyId: old.id });
    const { id } = await create({ kind: 'person', name: uniq('Mover') });
    expect((await call(`/contacts/${id}`, { method: 'PATCH', body: { companyId: acme.id } })).body).toMatchObject({ companyId: acme.id, version: 2 });

    expect((await call(`/contacts/${old.id}`, { method: 'DELETE' })).status).toBe(204);
    const into = await call(`/contacts/${id}`, { method: 'PATCH', body: { companyId: old.id } });
    expect(into.status).toBe(400);
    expect(errorPaths(into.body)).toEqual(['companyId']);
    const onto = await call(`/contacts/${acme.id}`, { method: 'PATCH', body: { companyId: acme.id } });
    expect(onto.status).toBe(400);
    expect(errorPaths(onto.body)).toEqual(['companyId']);

    const kept = await call(`/contacts/${member.id}`);
    expect(kept.body).toMatchObject({ companyId: old.id, archived: false });
    expect((await call(`/contacts/${member.id}`, { method: 'PATCH', body: { name: 'Still a member' } })).body).toMatchObject({ companyId: old.id });
  });

  test('an archived contact cannot be changed (409)', async () => {
    const { id } = await create({ kind: 'person', name: uniq('Gone') });
    expect((await call(`/contacts/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/contacts/${id}`, { method: 'PATCH', body: { name: 'Back' } })).status).toBe(409);
  });
});

describe('DELETE /contacts/{id}', () => {
  test('archives: 204, GET still answers it archived with version + 1, it leaves every listing; a repeat is 204', async () => {
    const tag = uniq('Arch');
    const company = await create({ kind: 'company', name: `${tag} Co` });
    const email = `${tag.toLowerCase()}@example.com`;
    const person = await create({ kind: 'person', name: `${tag} Person`, email, companyId: company.id });
    expect((await list({ q: tag })).body.items.map((c) => c.id).sort()).toEqual([company.id, person.id].sort());

    const res = await call(`/contacts/${person.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.text ?? '').toBe('');
    expect((await call(`/contacts/${person.id}`)).body).toMatchObject({ archived: true, version: 2, email, companyId: company.id });
    expect((await list({ q: tag })).body.items.map((c) => c.id)).toEqual([company.id]);
    expect((await list({ q: email })).body.items).toEqual([]);
    expect((await list({ companyId: company.id })).body.items).toEqual([]);

    expect((await call(`/contacts/${person.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(((await call(`/contacts/${person.id}`)).body as Contact).version).toBe(2);
  });
});

describe('GET /contacts', () => {
  test('q is a case- and accent-insensitive name prefix; with an @ an email prefix; companyId narrows to its persons', async () => {
    const tag = uniq('Srch').toLowerCase();
    const acme = await create({ kind: 'company', name: `${tag} Société` });
    const zoe = await create({ kind: 'person', name: `${tag} Zoé`, email: `zoe.${tag}@example.com`, companyId: acme.id });
    const emil = await create({ kind: 'person', name: `${tag} Émile`, email: `emile.${tag}@example.com`, companyId: acme.id });
    const other = await create({ kind: 'person', name: `${tag} Zora`, email: `zora.${tag}@example.com` });

    const ids = async (query: Record<string, string>) => {
      const res = await list(query);
      expect(res.status).toBe(200);
      return res.body.items.map((c) => c.id);
    };
    expect(await ids({ q: tag.toUpperCase() })).toEqual([emil.id, acme.id, zoe.id, other.id]);
    expect(await ids({ q: `${tag} ZO` })).toEqual([zoe.id, other.id]);
    expect(await ids({ q: `${tag} emi` })).toEqual([emil.id]);
    expect(await ids({ q: `ZOE.${tag}@` })).toEqual([zoe.id]);
    expect(await ids({ q: `zo`, companyId: acme.id })).toEqual([]);
    expect(await ids({ companyId: acme.id })).toEqual([emil.id, zoe.id]);
    expect(await ids({ companyId: acme.id, q: `${tag} z` })).toEqual([zoe.id]);
    expect(await ids({ companyId: acme.id, q: `zoe.${tag}@ex` })).toEqual([zoe.id]);
    expect(await ids({ companyId: acme.id, q: `zora.${tag}@` })).toEqual([]);
    expect(await ids({ companyId: 'no-such-company' })).toEqual([]);
  });

  test('a q longer than the 100 characters of the name key finds the names that start with all of it, no others', async () => {
    const tag = uniq('Long').toLowerCase();
    const stem = `${tag} ${'Lo'.repeat(60)}`.slice(0, 110);
    const acme = await create({ kind: 'company', name: `${tag} Co` });
    const alpha = await create({ kind: 'person', name: `${stem} Alpha`, companyId: acme.id });
    const beta = await create({ kind: 'person', name: `${stem} Beta`, companyId: acme.id });
    for (const query of [{}, { companyId: acme.id }, { portalStatus: 'none' }] as Record<string, string>[]) {
      const alphas = await list({ ...query, q: `${stem} ALPHA` });
      expect(alphas.status).toBe(200);
      expect(alphas.body.items.map((c) => c.id)).toEqual([alpha.id]);
      // Both names have the same 100-character key: they sort by their ids, which are random.
      expect((await list({ ...query, q: stem })).body.items.map((c) => c.id).sort()).toEqual([alpha.id, beta.id].sort());
    }
  });

  test('limit must be 1–100; a bad cursor is 400', async () => {
    for (const limit of ['0', '101', 'x', '1.5']) expect((await list({ limit })).status).toBe(400);
    expect((await list({ cursor: 'garbage!!' })).status).toBe(400);
    expect((await list({ cursor: Buffer.from('{"s":"x","k":{}}').toString('base64url') })).status).toBe(400);
    expect((await list({ foo: 'bar' })).status).toBe(400);
  });

  test('a cursor works only for its own listing: not for another company, not re-encoded into another partition', async () => {
    const a = await create({ kind: 'company', name: uniq('A') });
    const b = await create({ kind: 'company', name: uniq('B') });
    await inBatches(3, 3, (i) => create({ kind: 'person', name: `A${i}`, companyId: a.id }));
    await inBatches(3, 3, (i) => create({ kind: 'person', name: `B${i}`, companyId: b.id }));
    const first = await list({ companyId: a.id, limit: '1' });
    const cursor = first.body.nextCursor!;
    expect(cursor).toBeDefined();
    expect((await list({ companyId: a.id, limit: '1', cursor })).status).toBe(200);

    const other = await list({ companyId: b.id, limit: '1', cursor });
    expect(other.status).toBe(400);
    expect(errorPaths(other.body)).toEqual(['cursor']);
    expect((await list({ limit: '1', cursor })).status).toBe(400);
    expect((await list({ companyId: a.id, q: 'A', limit: '1', cursor })).status).toBe(400);

    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const forged = (k: Record<string, string>) => Buffer.from(JSON.stringify({ ...decoded, k })).toString('base64url');
    const intoB = forged({ ...decoded.k, gsi1pk: `COMPANY#${b.id}` });
    expect((await list({ companyId: a.id, limit: '1', cursor: intoB })).status).toBe(400);
    expect((await list({ companyId: b.id, limit: '1', cursor: intoB })).status).toBe(400);
    expect((await list({ companyId: a.id, limit: '1', cursor: forged({ ...decoded.k, sk: '' }) })).status).toBe(400);
    expect((await list({ companyId: a.id, limit: '1', cursor: forged({ ...decoded.k, gsi1sk: 'x'.repeat(1500) }) })).status).toBe(400);
    expect((await list({ companyId: a.id, limit: '1', cursor: forged({ gsi1pk: decoded.k.gsi1pk }) })).status).toBe(400);
  });

  test('a company of 1,000 persons, a page at a time (limit 100 and 7): each exactly once, in name order', async () => {
    const company = await create({ kind: 'company', name: uniq('Big') });
    const names = Array.from({ length: 1000 }, (_, i) => `Person ${((i * 7919) % 1000).toString().padStart(4, '0')} ${i % 3 === 0 ? 'É' : 'e'}`);
    const created = await inBatches(1000, 25, (i) => create({ kind: 'person', name: names[i], companyId: company.id }));
    const expected = new Set(created.map((c) => c.id));
    expect(expected.size).toBe(1000);

    for (const limit of ['100', '7']) {
      const { items, pages } = await listAll({ companyId: company.id, limit });
      expect(pages).toBe(Math.ceil(1000 / Number(limit)));
      expect(items).toHaveLength(1000);
      expect(new Set(items.map((c) => c.id))).toEqual(expected);
      const keys = items.map((c) => c.name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase());
      expect(keys).toEqual([...keys].sort());
    }
  }, 240_000);
});

describe('archiving a contact with portal access revokes it (needs the portal-access domain wired)', () => {
  async function withPortalAccess() {
    const tag = uniq('Portal').toLowerCase();
    const person = await create({ kind: 'person', name: tag, email: `${tag}@example.com` });
    const grant = await call(`/contacts/${person.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: person.id, inPortal: true }] } });
    expect(grant.status).toBe(200);
    expect((await call(`/contacts/${person.id}`)).body).toMatchObject({ portal: { status: 'invited' } });
    return person;
  }

  test('DELETE → 204, then GET answers archived with portal status revoked', async () => {
    const person = await withPortalAccess();
    expect((await call(`/contacts/${person.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/contacts/${person.id}`)).body).toMatchObject({ archived: true, portal: { status: 'revoked' } });
  });

  test('an archived contact whose revocation was abandoned: a repeated DELETE is 204 again and completes the revocation', async () => {
    const person = await withPortalAccess();
    await outboxDone([person.id]);
    expect((await call(`/contacts/${person.id}`, { method: 'DELETE' })).status).toBe(204);
    await outboxDone([person.id]);
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: stack().region, endpoint: stack().dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    const record = async () => (await db.send(new GetCommand({ TableName: stack().tableName, Key: keys.contact(person.id), ConsistentRead: true }))).Item!;
    const username = ((await record()).login as { username: string }).username;
    expect(username).toEqual(expect.any(String));
    const loginEnabled = async () => (await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: username }))).Enabled;
    expect(await loginEnabled()).toBe(false);

    // The revocation's follow-up never finished: its outbox item is older than any worker could still hold, the login still enabled.
    await cognito().send(new AdminEnableUserCommand({ UserPoolId: stack().customerUserPoolId, Username: username }));
    await db.send(
      new UpdateCommand({
        TableName: stack().tableName,
        Key: keys.contact(person.id),
        UpdateExpression: 'SET #outbox.#at = :at REMOVE #login.disabledAt',
        ExpressionAttributeNames: { '#outbox': 'outbox', '#at': 'at', '#login': 'login' },
        ExpressionAttributeValues: { ':at': new Date(Date.now() - OUTBOX_ABANDONED_AFTER_MS - 60_000).toISOString() },
      }),
    );

    // A client repeating the DELETE gets the contract's answer, and the revocation is queued again and completes.
    expect((await call(`/contacts/${person.id}`, { method: 'DELETE' })).status).toBe(204);
    await eventually(async () => expect(await loginEnabled()).toBe(false), { timeoutMs: 60_000, intervalMs: 250 });
    await outboxDone([person.id]);
    expect(await record()).toMatchObject({ archived: true, portal: { status: 'revoked' }, login: { disabledAt: expect.any(String) } });
    expect((await call(`/contacts/${person.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/contacts/${person.id}`)).body).toMatchObject({ archived: true, portal: { status: 'revoked' } });
  });

  test('the email of a contact with a live portal login moves its login (staff-workflows.test.ts); it cannot be removed (409)', async () => {
    const person = await withPortalAccess();
    const moved = `${uniq('moved')}@example.com`;
    const res = await call(`/contacts/${person.id}`, { method: 'PATCH', body: { email: moved } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: moved, portal: { status: 'invited' } });
    const cleared = await call(`/contacts/${person.id}`, { method: 'PATCH', body: { email: null } });
    expect(cleared.body).toMatchObject({ status: 409, type: 'urn:portal-access:problem:conflict' });
    expect((await call(`/contacts/${person.id}`, { method: 'PATCH', body: { name: 'Renamed' } })).status).toBe(200);
  });
});
