/**
 * The API's edges as a client following API.md meets them, over HTTP against the local stack: a
 * request without a body where every field is optional, `limit` as a query string writes it, a
 * cursor that must lead somewhere, and requests Node cannot read as HTTP at all.
 */
import net from 'node:net';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { createContact } from './support/portal-users';
import { adminToken, api, emails, outboxDone, settled, stack, uniq } from './support/stack';

jest.setTimeout(60_000);

let token: string;
const staff = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string; contentType?: string } = {}) => api(path, { ...init, token });
/** A request exactly as given: no body at all unless one is passed, no Content-Type unless one is passed. */
const bare = (path: string, method: string, headers: Record<string, string> = {}) =>
  fetch(stack().apiUrl + path, { method, headers: { authorization: `Bearer ${token}`, ...headers } });

beforeAll(async () => {
  token = await adminToken();
});

/** A person granted portal access, its invitation sent. */
async function invited(): Promise<Contact> {
  const person = await createContact({ kind: 'person', name: uniq('Edge'), email: `${uniq('edge')}@example.com` });
  const applied = await staff(`/contacts/${person.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: person.id, inPortal: true }] } });
  expect(applied.body.results[0].outcome).toBe('granted');
  await settled(person.id);
  return person;
}

describe('a body of optional fields may be left out', () => {
  test('a re-invite without a body (no Content-Type), or with an empty JSON one, is the default: 202, mailed', async () => {
    const person = await invited();
    expect((await bare(`/contacts/${person.id}/portal-access/reinvite`, 'POST')).status).toBe(202);
    await settled(person.id);
    expect((await bare(`/contacts/${person.id}/portal-access/reinvite`, 'POST', { 'content-type': 'application/json' })).status).toBe(202);
  });

  test('a share link without a body: 201, 30 days', async () => {
    const customer = await createContact({ kind: 'company', name: uniq('Edge customer') });
    const id = uniq('INV');
    expect((await staff(`/documents/invoice/${id}`, { method: 'PUT', body: { customerId: customer.id, name: id } })).status).toBe(201);
    const res = await bare(`/documents/invoice/${id}/links`, 'POST');
    expect(res.status).toBe(201);
    const link = (await res.json()) as { expiresAt: string; views: number };
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    expect(link.views).toBe(0);
  });

  test('where fields are required, no body is 400 naming the body and each required field; a body that is not JSON stays 415', async () => {
    const res = await bare('/contacts', 'POST');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { detail: string; errors: { path: string }[] };
    expect(problem.detail).toBe('The request needs a JSON body.');
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['kind', 'name']);
    const person = await invited();
    expect((await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', rawBody: 'x', contentType: 'text/plain' })).status).toBe(415);
  });
});

describe('a route that takes no body takes none', () => {
  test('a restore or a delete sent a body is refused as any body is (400 on what it does not know or cannot parse, 415, 413), and does nothing; none, or {}, is fine', async () => {
    const company = await createContact({ kind: 'company', name: uniq('No body') });
    const archived = async () => ((await staff(`/contacts/${company.id}`)).body as Contact).archived;
    for (const [status, init] of [
      [400, { body: { force: true } }],
      [400, { rawBody: '{"force":', contentType: 'application/json' }],
      [415, { rawBody: 'archive it', contentType: 'text/plain' }],
      [413, { body: { pad: 'x'.repeat(300 * 1024) } }],
    ] as const) {
      const res = await staff(`/contacts/${company.id}`, { method: 'DELETE', ...init });
      expect({ init: Object.keys(init), status: res.status, type: res.headers['content-type'] }).toEqual({ init: Object.keys(init), status, type: expect.stringMatching(/^application\/problem\+json/) });
    }
    expect(await archived()).toBe(false);
    expect((await staff(`/contacts/${company.id}`, { method: 'DELETE', body: {} })).status).toBe(204);
    expect(await archived()).toBe(true);

    const restore = await staff(`/contacts/${company.id}/restore`, { method: 'POST', body: { andPortalAccess: true } });
    expect([restore.status, restore.body.errors]).toEqual([400, [expect.objectContaining({ path: 'andPortalAccess' })]]);
    expect(await archived()).toBe(true);
    expect((await bare(`/contacts/${company.id}/restore`, 'POST')).status).toBe(200);
    expect(await archived()).toBe(false);
  });
});

describe('a path is taken as sent', () => {
  test('one that begins with // is a path, not a host: //evil.example/health is no route (404), not /health', async () => {
    for (const path of ['//evil.example/health', '//health/health', '//x/contacts']) {
      const res = await bare(path, 'GET');
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 404, type: 'application/problem+json' });
    }
  });
});

describe('limit', () => {
  let person: Contact;
  beforeAll(async () => {
    person = await createContact({ kind: 'person', name: uniq('Limit'), email: `${uniq('limit')}@example.com` });
  });

  test('on each list route, limit is plain digits (05 is 5); 0x10, 1e1, +5, " 5", 5.0, 0, 101, an empty one or a repeated one are 400 on limit', async () => {
    expect((await staff(`/contacts?limit=05&q=${encodeURIComponent(person.name)}`)).body.items).toHaveLength(1);
    for (const limit of ['0x10', '1e1', '%2B5', '%205', '5.0', '0', '101', '', '5&limit=6']) {
      for (const path of ['/contacts', '/documents', `/contacts/${person.id}/audit`]) {
        const res = await staff(`${path}?limit=${limit}`);
        expect({ path, limit, status: res.status, errors: res.body.errors }).toEqual({ path, limit, status: 400, errors: [{ path: 'limit', message: 'must be a whole number from 1 to 100' }] });
      }
    }
  });
});

describe('what docs/api.md says of an empty query parameter, HEAD and an attachment type', () => {
  test('an empty filter, cursor or limit is 400 on that field (not "no filter"); leaving it out lists', async () => {
    for (const field of ['q', 'companyId', 'portalStatus', 'archived', 'cursor', 'limit']) {
      const res = await staff(`/contacts?${field}=`);
      expect({ field, status: res.status, paths: (res.body.errors as { path: string }[]).map((e) => e.path) }).toEqual({ field, status: 400, paths: [field] });
    }
    expect((await staff('/contacts?limit=1')).status).toBe(200);
  });

  test('HEAD on a path the table serves with GET is 405, its Allow naming the methods served', async () => {
    const res = await bare('/contacts', 'HEAD');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'POST']);
  });

  test("an attachment's contentType is one of the five spelled exactly: another case or a parameter is 400 on contentType", async () => {
    const customer = await createContact({ kind: 'company', name: uniq('Attachment type') });
    const id = uniq('INV');
    expect((await staff(`/documents/invoice/${id}`, { method: 'PUT', body: { customerId: customer.id, name: id } })).status).toBe(201);
    for (const [fileName, contentType] of [['a.pdf', 'Application/PDF'], ['a.txt', 'text/plain; charset=utf-8']]) {
      const res = await staff(`/documents/invoice/${id}/attachments`, { method: 'POST', body: { fileName, contentType, size: 5 } });
      expect({ contentType, status: res.status, paths: (res.body.errors as { path: string }[]).map((e) => e.path) }).toEqual({ contentType, status: 400, paths: ['contentType'] });
    }
    expect((await staff(`/documents/invoice/${id}/attachments`, { method: 'POST', body: { fileName: 'a.txt', contentType: 'text/plain', size: 5 } })).status).toBe(201);
  });
});

describe('a cursor leads to at least one more item', () => {
  test('who has access, limit=1, to the document of a company with access and nobody else: one page, no cursor', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Alone co'), email: `${uniq('alone')}@example.com` });
    expect((await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: company.id, inPortal: true }] } })).status).toBe(200);
    const id = uniq('INV');
    expect((await staff(`/documents/invoice/${id}`, { method: 'PUT', body: { customerId: company.id, name: id } })).status).toBe(201);
    const page = await staff(`/documents/invoice/${id}/access?limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((i: { contactId: string }) => i.contactId)).toEqual([company.id]);
    expect(page.body.nextCursor).toBeUndefined();
  });

  test('the audit trail, a page of exactly its last entries: no cursor', async () => {
    const person = await invited();
    const all = (await staff(`/contacts/${person.id}/audit?limit=100`)).body.items as unknown[];
    expect(all.length).toBeGreaterThan(0);
    const page = await staff(`/contacts/${person.id}/audit?limit=${all.length}`);
    expect(page.body.items).toHaveLength(all.length);
    expect(page.body.nextCursor).toBeUndefined();
  });
});

describe('delivery says what became of the invitation email', () => {
  test('a grant revoked at once: once the outbox is done, the line says sent if a mail went out, and nothing (not queued) if none did', async () => {
    const person = await createContact({ kind: 'person', name: uniq('Revoked at once'), email: `${uniq('revoked')}@example.com` });
    const apply = (inPortal: boolean) => staff(`/contacts/${person.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: person.id, inPortal }] } });
    expect((await apply(true)).body.results[0].outcome).toBe('granted');
    expect((await apply(false)).body.results[0].outcome).toBe('revoked');
    await outboxDone([person.id]);
    const [line] = (await staff(`/contacts/${person.id}/portal-access`)).body.lines as { status: string; delivery?: string }[];
    const mailed = (await emails()).some((mail) => mail.destination.to.includes(person.email!));
    expect({ status: line?.status, delivery: line?.delivery }).toEqual({ status: 'revoked', delivery: mailed ? 'sent' : undefined });
  });
});

describe('a request Node cannot read as HTTP is problem+json too', () => {
  /** What the API answers to these bytes, as a raw HTTP/1.1 exchange. */
  function raw(bytes: string): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
    const { hostname, port } = new URL(stack().apiUrl);
    return new Promise((resolve, reject) => {
      let text = '';
      const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = text.split('\r\n\r\n');
        const [statusLine = '', ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body === '' ? undefined : JSON.parse(body) });
      });
    });
  }

  const expectProblem = (res: { status: number; headers: Record<string, string>; body: unknown }, status: number, title: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toEqual({ type: 'about:blank', title, status, detail: expect.any(String), instance: `urn:request:${res.headers['x-request-id']}` });
  };

  test('a malformed request line: 400', async () => {
    expectProblem(await raw('GARBAGE\r\n\r\n'), 400, 'Bad Request');
  });

  test('headers over 16 KiB: 431', async () => {
    expectProblem(await raw(`GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`), 431, 'Request Header Fields Too Large');
  });

  // Requests Node would answer by itself: with an empty 400 or 417, or by closing the connection.
  test('an HTTP/1.1 request without a Host header: 400', async () => {
    expectProblem(await raw('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'Bad Request');
  });

  test('an Expect other than 100-continue: 417', async () => {
    const accept = 'POST /invitations/accept HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n';
    expectProblem(await raw(`${accept}Expect: something-else\r\n\r\n{}`), 417, 'Expectation Failed');
  });

  test('CONNECT: 405 with Allow on a path of the table, 404 elsewhere, problem+json either way', async () => {
    const onPath = await raw('CONNECT /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect({ status: onPath.status, allow: onPath.headers.allow, type: onPath.headers['content-type'] }).toEqual({ status: 405, allow: 'GET', type: 'application/problem+json' });
    expect(onPath.body).toMatchObject({ status: 405, title: expect.any(String), type: expect.stringMatching(/method-not-allowed$/) });
    const tunnel = await raw('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
    expect({ status: tunnel.status, type: tunnel.headers['content-type'] }).toEqual({ status: 404, type: 'application/problem+json' });
    expect(tunnel.body).toMatchObject({ status: 404 });
  });
});
