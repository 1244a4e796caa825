/**
 * Hostile input over HTTP against every route of the table with a body, a path parameter or a query:
 * malformed and truncated JSON, wrong and missing content types, oversized bodies, prototype
 * pollution keys, 100k-character strings, NUL, U+202E, lone surrogates (JSON escapes and raw bytes),
 * and hostile emails. Each answer must be the right 4xx as application/problem+json; no answer of the
 * whole suite may be a 5xx.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { ROUTES, routeKey, type Route } from '../../lambdas/contract/routes';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { buildWorld, createContact, type World } from './support/principals';
import { adminToken, api, emails, mailsTo, settled, stack, uniq, type ApiResponse } from './support/stack';

jest.setTimeout(120_000);

let world: World;
let admin: string;
let person: Contact;
let docId: string;
let shareToken: string;
/** A completed attachment of the document: the share link's valid download, whose parameters are then attacked. */
let sharedAttachmentId: string;
const every: { label: string; status: number }[] = [];

/** A valid request of a route, and how the route refuses a bad value in each of its body's string fields. */
interface Target {
  path: () => string;
  body?: () => Record<string, unknown>;
  /** Body fields (dot paths) holding strings, and the status a hostile value there gets. */
  fields?: Record<string, number | 'line-failed'>;
  /** The body's schema bounds no string of a line: a 100k-character value fails its line, not the request. */
  linesUnbounded?: boolean;
  /** Path parameters, for the hostile-parameter checks: the path with `{name}` replaced. */
  query?: boolean;
}

function targets(): Record<string, Target> {
  const c = world.companyA.id;
  return {
    'POST /contacts': { path: () => '/contacts', body: () => ({ kind: 'person', name: 'Hostile', email: `${uniq('h')}@example.com`, phone: '+32 2 555 01 01', companyId: c }), fields: { name: 400, email: 400, phone: 400, companyId: 400, kind: 400 } },
    'GET /contacts': { path: () => '/contacts', query: true },
    'GET /contacts/{id}': { path: () => `/contacts/${person.id}` },
    'PATCH /contacts/{id}': { path: () => `/contacts/${person.id}`, body: () => ({ name: 'Renamed' }), fields: { name: 400 } },
    'DELETE /contacts/{id}': { path: () => `/contacts/${person.id}` },
    'POST /contacts/{id}/restore': { path: () => `/contacts/${person.id}/restore` },
    'GET /contacts/{id}/portal-access': { path: () => `/contacts/${c}/portal-access` },
    'POST /contacts/{id}/portal-access': {
      path: () => `/contacts/${c}/portal-access`,
      body: () => ({ message: 'Welcome', lines: [{ contactId: person.id, email: `${uniq('line')}@example.com`, inPortal: false }] }),
      // A line is checked on its own: a bad line fails alone (200, outcome failed, with a problem), whatever its size.
      fields: { message: 400, 'lines.0.contactId': 'line-failed', 'lines.0.email': 'line-failed' },
      linesUnbounded: true,
    },
    'POST /contacts/{id}/portal-access/reinvite': { path: () => `/contacts/${c}/portal-access/reinvite`, body: () => ({ contactId: person.id, message: 'Again' }), fields: { contactId: 400, message: 400 } },
    'GET /contacts/{id}/audit': { path: () => `/contacts/${person.id}/audit`, query: true },
    // The document to explain is the query (both parts required): the path alone is a 400 already.
    'GET /contacts/{id}/portal-access/explain': { path: () => `/contacts/${person.id}/portal-access/explain?type=invoice&id=${docId}`, query: true },
    'PUT /documents/{type}/{id}': {
      path: () => `/documents/invoice/${docId}`,
      body: () => ({ customerId: c, name: 'Invoice', reference: 'INV/1', state: 'posted', date: '2026-01-01', currency: 'EUR', data: { note: 'x' } }),
      fields: { customerId: 400, name: 400, reference: 400, state: 400, date: 400, currency: 400 },
    },
    'POST /documents/batch': {
      path: () => '/documents/batch',
      body: () => ({ documents: [{ type: 'invoice', id: uniq('hostile-batch'), customerId: c, name: 'Invoice', reference: 'INV/1', state: 'posted', date: '2026-01-01', currency: 'EUR' }] }),
      // Each document is checked on its own, as its PUT: a bad value fails its line, whatever its size.
      fields: Object.fromEntries(['type', 'id', 'customerId', 'name', 'reference', 'state', 'date', 'currency'].map((f) => [`documents.0.${f}`, 'line-failed'])),
      linesUnbounded: true,
    },
    'GET /documents/{type}/{id}': { path: () => `/documents/invoice/${docId}` },
    'DELETE /documents/{type}/{id}': { path: () => `/documents/invoice/${docId}` },
    'GET /documents': { path: () => '/documents', query: true },
    'POST /documents/{type}/{id}/grants': { path: () => `/documents/invoice/${docId}/grants`, body: () => ({ contactId: person.id }), fields: { contactId: 400 } },
    'DELETE /documents/{type}/{id}/grants/{contactId}': { path: () => `/documents/invoice/${docId}/grants/${person.id}` },
    'GET /documents/{type}/{id}/grants': { path: () => `/documents/invoice/${docId}/grants` },
    'POST /documents/{type}/{id}/attachments': {
      path: () => `/documents/invoice/${docId}/attachments`,
      body: () => ({ fileName: 'hostile.pdf', contentType: 'application/pdf', size: 10 }),
      fields: { fileName: 400, contentType: 400 },
    },
    'POST /documents/{type}/{id}/attachments/{attachmentId}/complete': { path: () => `/documents/invoice/${docId}/attachments/${person.id}/complete` },
    'GET /documents/{type}/{id}/attachments': { path: () => `/documents/invoice/${docId}/attachments` },
    'DELETE /documents/{type}/{id}/attachments/{attachmentId}': { path: () => `/documents/invoice/${docId}/attachments/${person.id}` },
    'GET /portal/documents/{type}/{id}/attachments/{attachmentId}': { path: () => `/portal/documents/invoice/${docId}/attachments/${person.id}` },
    'GET /documents/{type}/{id}/access': { path: () => `/documents/invoice/${docId}/access`, query: true },
    'GET /portal/documents': { path: () => '/portal/documents', query: true },
    'GET /portal/documents/{type}/{id}': { path: () => `/portal/documents/invoice/${docId}` },
    'POST /documents/{type}/{id}/links': {
      path: () => `/documents/invoice/${docId}/links`,
      body: () => ({ contactId: person.id, expiresAt: new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString(), maxViews: 5 }),
      fields: { contactId: 400, expiresAt: 400 },
    },
    'GET /documents/{type}/{id}/links': { path: () => `/documents/invoice/${docId}/links` },
    'DELETE /documents/{type}/{id}/links/{linkId}': { path: () => `/documents/invoice/${docId}/links/${uniq('link')}` },
    // A share link's token, like an invitation's, is looked up, not parsed: any unusable value is the one 410.
    'GET /shared/{token}': { path: () => `/shared/${shareToken}` },
    'GET /shared/{token}/attachments/{attachmentId}': { path: () => `/shared/${shareToken}/attachments/${sharedAttachmentId}` },
    // The token is looked up, not parsed: any unusable value is the one 410 (API.md, Invitations).
    'POST /invitations/accept': { path: () => '/invitations/accept', body: () => ({ token: 'a'.repeat(43), password: 'Hostile-Pw-1!' }), fields: { token: 410, password: 410 } },
  };
}

const needsInput = (route: Route) => Boolean(route.body || route.params || route.query);
const tokenFor = (route: Route) => (route.principal === 'staff' ? admin : route.principal === 'customer' ? world.userA.tokens.accessToken : undefined);

function record(res: ApiResponse, label: string): ApiResponse {
  every.push({ label, status: res.status });
  return res;
}

/** The right refusal: `status`, as problem+json that names it. */
function expectProblem(res: ApiResponse, status: number, label: string): void {
  expect({ label, status: res.status }).toEqual({ label, status });
  expect({ label, type: res.headers['content-type'] }).toEqual({ label, type: expect.stringMatching(/^application\/problem\+json/) });
  expect({ label, problem: res.body?.status }).toEqual({ label, problem: status });
}

async function send(route: Route, path: string, label: string, init: { rawBody?: string | Buffer; contentType?: string | null; contentEncoding?: string } = {}): Promise<ApiResponse> {
  const token = tokenFor(route);
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.contentType) headers['content-type'] = init.contentType;
  if (init.contentEncoding) headers['content-encoding'] = init.contentEncoding;
  // fetch adds no content type to a Uint8Array body: `contentType: null` sends none at all.
  const body = init.rawBody === undefined ? undefined : typeof init.rawBody === 'string' && init.contentType === null ? new TextEncoder().encode(init.rawBody) : init.rawBody;
  const response = await fetch(stack().apiUrl + path, { method: route.method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return record({ status: response.status, headers: Object.fromEntries(response.headers), body: parsed, text }, `${routeKey(route)} ${label}`);
}

const json = 'application/json';
const setAt = (body: Record<string, unknown>, dotPath: string, value: unknown): Record<string, unknown> => {
  const copy = structuredClone(body);
  const parts = dotPath.split('.');
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
  return copy;
};

beforeAll(async () => {
  admin = await adminToken();
  world = await buildWorld();
  person = await createContact({ kind: 'person', name: 'Target', companyId: world.companyA.id });
  docId = uniq('hostile-doc');
  const put = await api(`/documents/invoice/${docId}`, { method: 'PUT', token: admin, body: { customerId: world.companyA.id, name: 'Invoice' } });
  expect(put.status).toBe(201);
  const link = await api(`/documents/invoice/${docId}/links`, { method: 'POST', token: admin, body: {} });
  expect(link.status).toBe(201);
  shareToken = (link.body.url as string).split('/s/')[1]!;
  const bytes = Buffer.from('%PDF-1.7 hostile');
  const ticket = await api(`/documents/invoice/${docId}/attachments`, { method: 'POST', token: admin, body: { fileName: 'hostile.pdf', contentType: 'application/pdf', size: bytes.length } });
  expect(ticket.status).toBe(201);
  expect((await fetch(ticket.body.uploadUrl as string, { method: 'PUT', body: bytes, headers: ticket.body.uploadHeaders as Record<string, string> })).status).toBe(200);
  sharedAttachmentId = ticket.body.id as string;
  expect((await api(`/documents/invoice/${docId}/attachments/${sharedAttachmentId}/complete`, { method: 'POST', token: admin })).status).toBe(200);
  // The valid request the parameters' attacks start from is the download's redirect.
  expect((await api(`/shared/${shareToken}/attachments/${sharedAttachmentId}`)).status).toBe(302);
});

afterAll(() => {
  // The whole suite, every answer: never a 5xx.
  expect(every.filter((r) => r.status >= 500)).toEqual([]);
  expect(every.length).toBeGreaterThan(300);
});

describe('coverage', () => {
  it('has a target for every route with a body, a path parameter or a query, and no other', () => {
    expect(Object.keys(targets()).sort()).toEqual(ROUTES.filter(needsInput).map(routeKey).sort());
  });
  it('names every string field of every body schema it attacks', () => {
    for (const route of ROUTES.filter((r) => r.body)) {
      const target = targets()[routeKey(route)]!;
      expect({ route: routeKey(route), parses: route.body!.safeParse(target.body!()).success }).toEqual({ route: routeKey(route), parses: true });
    }
  });
});

describe.each(ROUTES.filter((r) => r.body).map((r) => [routeKey(r), r] as const))('body of %s', (key, route) => {
  const target = () => targets()[key]!;
  const valid = () => JSON.stringify(target().body!());

  it('malformed, truncated and non-object JSON are 400', async () => {
    for (const [label, raw] of [
      ['malformed', '{"name": '],
      ['truncated', valid().slice(0, -2)],
      ['trailing garbage', `${valid()} x`],
      ['single quotes', valid().replace(/"/g, "'")],
      ['an array', '[]'],
      ['null', 'null'],
      ['a number', '42'],
      ['a string', '"text"'],
    ] as const)
      expectProblem(await send(route, target().path(), label, { rawBody: raw, contentType: json }), 400, `${key} ${label}`);
  });

  it('a body that is not application/json, or is labelled in a charset other than UTF-8, is 415, with or without a content type', async () => {
    // The JSON text is ASCII, the same bytes in either charset: the label is refused, not overruled.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json', 'application/json; charset=iso-8859-1', 'application/json; charset="utf-16"', null])
      expectProblem(await send(route, target().path(), `content-type ${contentType}`, { rawBody: valid(), contentType }), 415, `${key} content-type ${contentType}`);
  });

  it('a content-coded body is 415 with Accept-Encoding: identity: gzip is not decoded, nor plain JSON labelled gzip read as plain', async () => {
    for (const [label, rawBody, contentEncoding] of [
      ['gzip', gzipSync(valid()), 'gzip'],
      ['plain JSON labelled gzip', valid(), 'gzip'],
      ['deflate', deflateSync(valid()), 'deflate'],
    ] as const) {
      const answer = await send(route, target().path(), label, { rawBody, contentType: json, contentEncoding });
      expectProblem(answer, 415, `${key} ${label}`);
      expect({ label, acceptEncoding: answer.headers['accept-encoding'] }).toEqual({ label, acceptEncoding: 'identity' });
    }
  });

  it('a 300 KiB and a 7 MiB body are 413', async () => {
    for (const size of [300 * 1024, 7 * 1024 * 1024]) {
      const raw = JSON.stringify({ ...target().body!(), padding: 'x'.repeat(size) });
      expectProblem(await send(route, target().path(), `${size} bytes`, { rawBody: raw, contentType: json }), 413, `${key} ${size} bytes`);
    }
  });

  it('__proto__ and constructor.prototype keys are 400, pollute nothing, and the server goes on', async () => {
    const base = target().body!();
    const inner = Object.keys(base).find((k) => typeof base[k] === 'object' && base[k] !== null && !Array.isArray(base[k]));
    const raws = [
      `{"__proto__": {"polluted": "yes"}, ${valid().slice(1)}`,
      `{"constructor": {"prototype": {"polluted": "yes"}}, ${valid().slice(1)}`,
      `{"prototype": {"polluted": "yes"}, ${valid().slice(1)}`,
      ...(inner ? [JSON.stringify(base).replace(`"${inner}":{`, `"${inner}":{"__proto__":{"polluted":"yes"},`)] : []),
    ];
    for (const raw of raws) {
      const res = await send(route, target().path(), 'prototype keys', { rawBody: raw, contentType: json });
      expectProblem(res, 400, `${key} ${raw.slice(0, 40)}`);
      expect(res.text).not.toContain('polluted":"yes');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    const health = await api('/health');
    expect(health.status).toBe(200);
    const fresh = await api(`/contacts/${person.id}`, { token: admin });
    expect(fresh.status).toBe(200);
    expect(fresh.body.polluted).toBeUndefined();
  });

  it('hostile strings in each string field: 100k characters, NUL, U+202E, lone surrogates (escaped and raw bytes)', async () => {
    const hostile: [string, string][] = [
      ['100k characters', 'a'.repeat(100_000)],
      ['NUL', 'a\u0000b'],
      ['U+202E', 'abc\u202Etxt.exe'],
      ['CRLF', 'a\r\nBcc: evil@example.com'],
    ];
    for (const [field, expected] of Object.entries(target().fields ?? {})) {
      // Line breaks are what a multi-line message is made of (it is sent as a mail body, never a header).
      const applicable = field === 'message' ? hostile.filter(([label]) => label !== 'CRLF') : hostile;
      const cases: [string, string | Buffer][] = applicable.map(([label, value]) => [label, JSON.stringify(setAt(target().body!(), field, value))]);
      // `\ud800` as a JSON escape: JSON.parse makes a lone surrogate of it.
      cases.push(['lone surrogate escape', JSON.stringify(setAt(target().body!(), field, 'MARK')).replace('MARK', 'a\\ud800b')]);
      cases.push(['lone low surrogate escape', JSON.stringify(setAt(target().body!(), field, 'MARK')).replace('MARK', '\\udc00')]);
      // The same as raw bytes: ED A0 80 is a surrogate encoded in (invalid) UTF-8.
      const [before, after] = JSON.stringify(setAt(target().body!(), field, 'MARK')).split('MARK') as [string, string];
      cases.push(['lone surrogate bytes', Buffer.concat([Buffer.from(`${before}a`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(`b${after}`)])]);
      cases.push(['invalid UTF-8 bytes', Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)])]);
      for (const [label, raw] of cases) {
        const res = await send(route, target().path(), `${field} ${label}`, { rawBody: raw, contentType: json });
        const where = `${key} ${field} ${label}`;
        if (label === 'invalid UTF-8 bytes' || label === 'lone surrogate bytes' || (label === '100k characters' && !target().linesUnbounded)) {
          // Not UTF-8 is not JSON (RFC 8259 §8.1), refused before any field is read; and every string
          // field is bounded far below 100k characters, so the body's schema refuses those too.
          expectProblem(res, 400, where);
        } else if (expected === 'line-failed') {
          expect({ where, status: res.status }).toEqual({ where, status: 200 });
          expect({ where, result: res.body.results[0] }).toEqual({ where, result: expect.objectContaining({ outcome: 'failed', error: expect.objectContaining({ status: expect.any(Number) }) }) });
          expect(res.body.results[0].error.status).toBeGreaterThanOrEqual(400);
          expect(res.body.results[0].error.status).toBeLessThan(500);
        } else {
          expectProblem(res, expected, where);
        }
      }
    }
  });
});

describe.each(ROUTES.filter((r) => r.body).map((r) => [routeKey(r), r] as const))('deeply nested body of %s', (key, route) => {
  const path = () => targets()[key]!.path();
  const arrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it.each([4_000, 100_000])('%i levels (at most 256 KiB) are 400 with the path where the nesting went too deep', async (levels) => {
    // The nesting inside a field the route knows, and the whole body made of it.
    const inside = JSON.stringify(targets()[key]!.body!()).replace(/^\{/, `{"deep":${arrays(levels)},`);
    for (const [label, raw] of [
      ['inside the body', inside],
      ['the whole body', arrays(levels)],
    ] as const) {
      expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(256 * 1024);
      const res = await send(route, path(), `${levels} levels ${label}`, { rawBody: raw, contentType: json });
      expectProblem(res, 400, `${key} ${levels} levels ${label}`);
      const expectedPath = label === 'inside the body' ? ['deep', ...Array(31).fill('0')].join('.') : Array(32).fill('0').join('.');
      expect(res.body.errors).toEqual([{ path: expectedPath, message: 'The JSON is nested deeper than 32 levels.' }]);
    }
  });

  it('an unclosed 256 KiB run of brackets is 400', async () => {
    expectProblem(await send(route, path(), '256 KiB of [', { rawBody: '['.repeat(256 * 1024), contentType: json }), 400, `${key} 256 KiB of [`);
  });
});

describe('hostile emails', () => {
  const post = (email: string) => api('/contacts', { method: 'POST', token: admin, body: { kind: 'person', name: 'Mail', email } });
  const bad = () => [
    `${uniq('crlf')}@example.com\r\nBcc: evil@example.com`,
    `${uniq('lf')}@example.com\nSubject: hi`,
    `a@b@example.com`,
    `${uniq('two')}@@example.com`,
    `jöhn-${uniq('x')}@example.com`,
    `用户@例子.广告`,
    `${uniq('nul')}\u0000@example.com`,
    `${uniq('rlo')}\u202E@example.com`,
    `${uniq('x')}@exa\u202Emple.com`,
    `${uniq('x')}@\ud800.com`,
    `${uniq('x')}@`,
    `@example.com`,
    `${uniq('x')}@localhost`,
    `${uniq('x')}@-example.com`,
    `"${uniq('q')}"@example.com`,
    `${'a'.repeat(65)}@example.com`,
    `${uniq('x')}@${'a'.repeat(100_000)}.com`,
  ];

  it('creating or changing a contact with one of them is 400 with the email’s path', async () => {
    for (const email of bad()) {
      const res = record(await post(email), 'POST /contacts hostile email');
      expectProblem(res, 400, JSON.stringify(email.slice(0, 60)));
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'email' })]);
      const patch = record(await api(`/contacts/${person.id}`, { method: 'PATCH', token: admin, body: { email } }), 'PATCH hostile email');
      expectProblem(patch, 400, `PATCH ${JSON.stringify(email.slice(0, 60))}`);
    }
  });

  it('an apply line with one of them fails alone with a problem; the good line is granted', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Mail Co') });
    // Too long is one more way of not being an email (over 254 characters, 100k here): the line fails, not the request.
    const emails = bad();
    const targetsOf = await Promise.all(emails.map(() => createContact({ kind: 'person', name: 'Line', companyId: company.id })));
    const good = await createContact({ kind: 'person', name: 'Good', email: `${uniq('good')}@example.com`, companyId: company.id });
    const lines = [...emails.map((email, i) => ({ contactId: targetsOf[i]!.id, email, inPortal: true })), { contactId: good.id, inPortal: true }];
    const res = record(await api(`/contacts/${company.id}/portal-access`, { method: 'POST', token: admin, body: { lines } }), 'apply hostile emails');
    expect(res.status).toBe(200);
    const results = res.body.results as { contactId: string; outcome: string; error?: { status: number; errors?: { path: string }[] } }[];
    expect(results.slice(0, -1).map((r) => [r.outcome, r.error?.status])).toEqual(emails.map(() => ['failed', 400]));
    expect(results.at(-1)).toMatchObject({ contactId: good.id, outcome: 'granted' });
  });

  it('a look-alike domain (Latin mixed with Cyrillic) is flagged on the wizard line, not refused', async () => {
    const local = uniq('lookalike');
    const created = record(await post(`${local}@p\u0430ypal.com`), 'POST /contacts look-alike');
    expect(created.status).toBe(201);
    const plain = record(await post(`${uniq('plain')}@b\u00fccher.example`), 'POST /contacts IDN, one script');
    const wizardOf = async (id: string) => (await api(`/contacts/${id}/portal-access`, { token: admin })).body.lines[0];
    expect(await wizardOf(created.body.id)).toMatchObject({ email: `${local}@xn--pypal-4ve.com`, warning: expect.stringContaining('mixes alphabets') });
    expect(await wizardOf(plain.body.id)).not.toHaveProperty('warning');
  });

  it('an IDN domain is stored as punycode, and the invitation goes to the punycode address', async () => {
    const local = uniq('idn');
    const res = record(await post(`${local.toUpperCase()}@Bücher.Example`), 'POST /contacts IDN');
    expect(res.status).toBe(201);
    expect(res.body.email).toBe(`${local}@xn--bcher-kva.example`);
    const found = await api(`/contacts?q=${encodeURIComponent(`${local}@xn--bcher`)}`, { token: admin });
    expect(found.body.items.map((c: Contact) => c.id)).toContain(res.body.id);

    const granted = record(await api(`/contacts/${res.body.id}/portal-access`, { method: 'POST', token: admin, body: { lines: [{ contactId: res.body.id, inPortal: true }] } }), 'grant IDN');
    expect(granted.body.results).toEqual([expect.objectContaining({ outcome: 'granted' })]);
    const mails = await mailsTo(`${local}@xn--bcher-kva.example`);
    await settled(res.body.id);
    expect(mails.map((m) => m.destination.to)).toEqual([[`${local}@xn--bcher-kva.example`]]);
    expect((await emails()).filter((m) => m.destination.to.some((to) => to.includes(local)))).toHaveLength(1);
  });
});

describe("the wizard's lines, each on its own whatever it holds", () => {
  it('a 100k-character contactId is a contact outside the wizard: its line fails alone (404, echoed as its first 128 characters), a line repeating it fails as a repeat, the good line is granted', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Long id Co') });
    const good = await createContact({ kind: 'person', name: 'Good', email: `${uniq('good')}@example.com`, companyId: company.id });
    const long = `${'\u{1F600}'.repeat(100)}${'x'.repeat(100_000)}`;
    const lines = [{ contactId: long, inPortal: true }, { contactId: long, inPortal: false }, { contactId: good.id, inPortal: true }];
    const res = record(await api(`/contacts/${company.id}/portal-access`, { method: 'POST', token: admin, body: { lines } }), 'apply 100k contactId');
    expect(res.status).toBe(200);
    const echoed = `${'\u{1F600}'.repeat(100)}${'x'.repeat(28)}`;
    expect(res.body.results).toEqual([
      { contactId: echoed, outcome: 'failed', status: 'none', error: expect.objectContaining({ status: 404, type: 'urn:portal-access:problem:out-of-scope' }) },
      { contactId: echoed, outcome: 'failed', status: 'none', error: expect.objectContaining({ status: 400, errors: [{ path: 'lines.1.contactId', message: 'This contact appears on an earlier line.' }] }) },
      { contactId: good.id, outcome: 'granted', status: 'invited' },
    ]);
    // The company's history keeps the same bounded echo.
    const history = await api(`/contacts/${company.id}/audit`, { token: admin });
    const applied = history.body.items.find((item: { action: string }) => item.action === 'portal.applied');
    expect(applied.details.lines.map((line: { contactId: string }) => line.contactId)).toEqual([echoed, echoed, good.id]);
  });
});

describe.each(ROUTES.filter((r) => r.params).map((r) => [routeKey(r), r] as const))('path parameters of %s', (key, route) => {
  it('hostile values in each parameter are 400 (or 404 where the path itself no longer matches)', async () => {
    const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const valid = targets()[key]!.path().split('/');
    const templ = route.path.split('/');
    for (const name of names) {
      const at = templ.indexOf(`{${name}}`);
      for (const [label, value] of [
        ['129 characters', 'a'.repeat(129)],
        ['4000 characters', 'a'.repeat(4000)],
        ['NUL', 'a%00b'],
        ['U+202E', 'a%E2%80%AEb'],
        ['lone surrogate bytes', 'a%ED%A0%80b'],
        ['bad percent escape', 'a%zzb'],
        ['encoded slash', '..%2F..%2Fhealth'],
        ['space', 'a%20b'],
        ['unicode letters', '%C3%A9t%C3%A9'],
        ['prototype', '__proto__'],
        ['constructor', 'constructor'],
      ] as const) {
        const parts = [...valid];
        parts[at] = value;
        const res = await send(route, parts.join('/'), `${name}=${label}`);
        // `__proto__` and `constructor` are valid ids (A-Za-z0-9_-) that name nothing; a type must be one of the list.
        // A share link's token names no link whatever it holds: 410, like every dead link.
        const expected = name === 'token' ? [410] : (label === 'prototype' || label === 'constructor') && name !== 'type' ? [404, 400] : [400];
        expect({ key, name, label, status: expected.includes(res.status) }).toEqual({ key, name, label, status: true });
        expect({ key, name, label, type: res.headers['content-type'] }).toEqual({ key, name, label, type: expect.stringMatching(/^application\/problem\+json/) });
      }
    }
  });
});

describe.each(ROUTES.filter((r) => r.query).map((r) => [routeKey(r), r] as const))('query of %s', (key, route) => {
  it('hostile query strings are 400', async () => {
    const path = targets()[key]!.path();
    for (const query of [
      'unknown=1',
      'limit=0',
      'limit=101',
      'limit=-1',
      'limit=1.5',
      'limit=abc',
      'limit=1e2x',
      'limit=1&limit=2',
      'cursor=not-a-cursor',
      `cursor=${'A'.repeat(3000)}`,
      `cursor=${Buffer.from('{"s":"x","k":{"PK":"CONTACT#x"}}').toString('base64url')}`,
      'cursor=%00',
      '__proto__=x',
      '__proto__[polluted]=yes',
      'constructor=x',
      'constructor.prototype.polluted=yes',
      'type=nope',
      'customerId=%00',
      `q=${'a'.repeat(8000)}`,
    ]) {
      // A route whose valid request has a query already (explain) gets the hostile part beside it.
      const res = await send(route, `${path}${path.includes('?') ? '&' : '?'}${query}`, `?${query.slice(0, 40)}`);
      expectProblem(res, 400, `${key} ?${query.slice(0, 60)}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a name that shows nothing', () => {
  const invisible = ['\u200b', ' \u200b\u200d ', '\u3164', '\u{E0041}\u{E0042}', '\u00ad', '\u0301', '\ufe0f', '\u2800'];

  it('is 400 on name, for a contact, a renamed one, a document and a search, and nothing is stored', async () => {
    const before = (await api(`/contacts/${person.id}`, { token: admin })).body;
    for (const name of invisible) {
      const label = JSON.stringify(name);
      const created = record(await api('/contacts', { method: 'POST', token: admin, body: { kind: 'company', name } }), 'POST /contacts invisible name');
      expectProblem(created, 400, `create ${label}`);
      expect({ label, errors: created.body.errors }).toEqual({ label, errors: [{ path: 'name', message: 'must contain a visible character' }] });
      expectProblem(record(await api(`/contacts/${person.id}`, { method: 'PATCH', token: admin, body: { name } }), 'PATCH invisible name'), 400, `rename ${label}`);
      const id = uniq('invisible');
      expectProblem(record(await api(`/documents/invoice/${id}`, { method: 'PUT', token: admin, body: { customerId: world.companyA.id, name } }), 'PUT invisible name'), 400, `document ${label}`);
      expect((await api(`/documents/invoice/${id}`, { token: admin })).status).toBe(404);
      expectProblem(record(await api(`/contacts?q=${encodeURIComponent(name)}`, { token: admin }), 'GET /contacts invisible q'), 400, `search ${label}`);
    }
    expect((await api(`/contacts/${person.id}`, { token: admin })).body).toMatchObject({ name: before.name, version: before.version });
  });

  it('with one visible character beside them it is taken as sent', async () => {
    for (const name of [`${uniq('Acme')}\u200b`, 'می\u200cخواهم', '👩\u200d💻']) {
      const res = record(await api('/contacts', { method: 'POST', token: admin, body: { kind: 'company', name } }), 'POST /contacts visible name');
      expect({ name, status: res.status, stored: res.body.name }).toEqual({ name, status: 201, stored: name });
    }
  });
});

describe('a name with characters drawn as nothing', () => {
  it('is found by the name it shows: a leading zero-width space or a soft hyphen inside does not hide it from a search', async () => {
    const [first, second] = [uniq('Zwsp'), uniq('Shy')];
    const created = [];
    for (const name of [`\u200b${first} Ltd`, `${second}\u00adTwo`]) {
      const res = record(await api('/contacts', { method: 'POST', token: admin, body: { kind: 'company', name } }), 'POST /contacts invisible inside');
      expect(res.status).toBe(201);
      created.push(res.body as Contact);
    }
    for (const [q, contact] of [[first, created[0]!], [`${second}two`, created[1]!]] as const) {
      const found = record(await api(`/contacts?q=${encodeURIComponent(q)}`, { token: admin }), 'GET /contacts q visible part');
      expect({ q, ids: found.body.items.map((c: Contact) => c.id) }).toEqual({ q, ids: [contact.id] });
    }
  });
});

describe("a document's data: kept as sent, so only valid Unicode", () => {
  const put = (id: string, data: string) =>
    send(ROUTES.find((r) => routeKey(r) === 'PUT /documents/{type}/{id}')!, `/documents/invoice/${id}`, 'data', {
      rawBody: `{"customerId":"${world.companyA.id}","name":"Data","data":${data}}`,
      contentType: json,
    });

  it('half a surrogate pair in a key or a string is 400 at its path, and nothing is stored', async () => {
    for (const [data, path, message] of [
      ['{"ok":1,"\\ud800":1}', 'data', 'must not have a key that is not valid Unicode'],
      ['{"outer":{"a\\udc00b":"x"}}', 'data.outer', 'must not have a key that is not valid Unicode'],
      ['{"note":"a\\ud800b"}', 'data.note', 'must be valid Unicode'],
      ['{"lines":[{"text":"ok"},{"text":"\\udfff"}]}', 'data.lines.1.text', 'must be valid Unicode'],
    ] as const) {
      const id = uniq('surrogate');
      const res = await put(id, data);
      expectProblem(res, 400, data);
      expect({ data, errors: res.body.errors }).toEqual({ data, errors: [{ path, message }] });
      expect((await api(`/documents/invoice/${id}`, { token: admin })).status).toBe(404);
    }
  });

  it('a whole pair, escaped or not, a NUL and a bidi control are kept as sent', async () => {
    const id = uniq('pairs');
    const res = await put(id, '{"\\ud83d\\ude00":"\\ud83d\\ude00 😀","nul":"a\\u0000b","rlo":"a\\u202eb"}');
    expect(res.status).toBe(201);
    expect((await api(`/documents/invoice/${id}`, { token: admin })).body.data).toEqual({ '😀': '😀 😀', nul: 'a\u0000b', rlo: 'a\u202eb' });
  });

  it('keys named constructor or prototype are the back office’s own (a project’s constructor, a prototype flag): kept as sent; __proto__ stays refused', async () => {
    const id = uniq('keys');
    const res = await put(id, '{"constructor":"Acme Builders","prototype":true,"parts":[{"constructor":{"prototype":1}}]}');
    expect(res.status).toBe(201);
    const read = await api(`/documents/invoice/${id}`, { token: admin });
    expect(JSON.stringify(read.body.data)).toBe('{"constructor":"Acme Builders","prototype":true,"parts":[{"constructor":{"prototype":1}}]}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const proto = await put(uniq('proto'), '{"__proto__":{"polluted":"yes"}}');
    expectProblem(proto, 400, 'data.__proto__');
    expect(proto.body.errors).toEqual([{ path: 'data.__proto__', message: 'The key "__proto__" is not allowed.' }]);
  });

  it('in a batch, the document with it fails alone, as its PUT would', async () => {
    const [bad, good] = [uniq('batch-surrogate'), uniq('batch-fine')];
    const raw = `{"documents":[{"type":"invoice","id":"${bad}","customerId":"${world.companyA.id}","name":"Bad","data":{"\\ud800":1}},{"type":"invoice","id":"${good}","customerId":"${world.companyA.id}","name":"Good"}]}`;
    const res = await send(ROUTES.find((r) => routeKey(r) === 'POST /documents/batch')!, '/documents/batch', 'batch data surrogate', { rawBody: raw, contentType: json });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      expect.objectContaining({ id: bad, outcome: 'failed', error: expect.objectContaining({ status: 400, errors: [{ path: 'documents.0.data', message: 'must not have a key that is not valid Unicode' }] }) }),
      { type: 'invoice', id: good, outcome: 'created' },
    ]);
  });
});

describe('what the largest inputs cost', () => {
  it('a 64 KiB data of 32,000 numbers on a document with 30 grants is published again in seconds, not 14 (a copy per grant), and reads back as sent', async () => {
    const id = uniq('heavy-data');
    const data = { lines: Array<number>(32_000).fill(1) };
    const body = { customerId: world.companyA.id, name: 'Heavy', data };
    expect((await api(`/documents/invoice/${id}`, { method: 'PUT', token: admin, body })).status).toBe(201);
    for (let i = 0; i < 30; i++) {
      const grantee = await createContact({ kind: 'person', name: `Grantee ${i}` });
      expect((await api(`/documents/invoice/${id}/grants`, { method: 'POST', token: admin, body: { contactId: grantee.id } })).status).toBe(201);
    }
    const started = performance.now();
    const again = await api(`/documents/invoice/${id}`, { method: 'PUT', token: admin, body: { ...body, name: 'Heavy again' } });
    const took = performance.now() - started;
    expect(again.status).toBe(200);
    // 14–16 s on this machine while each of the 31 copies held data as a DynamoDB map; under a second since.
    expect(took).toBeLessThan(6_000);
    const read = await api(`/documents/invoice/${id}`, { token: admin });
    expect(JSON.stringify(read.body.data)).toBe(JSON.stringify(data));
    expect(read.body.name).toBe('Heavy again');
  });

  it('a file name of 100 emoji and a right-to-left override is refused like a short one: characters, not UTF-16 units, are counted', async () => {
    const route = ROUTES.find((r) => routeKey(r) === 'POST /documents/{type}/{id}/attachments')!;
    for (const fileName of ['\u{1F600}'.repeat(100) + '\u202Efdp.exe', '\u{1F600}'.repeat(100) + '/../x.pdf', '\u{1F600}'.repeat(101)]) {
      const res = await send(route, `/documents/invoice/${docId}/attachments`, `emoji file name ${fileName.length}`, { rawBody: JSON.stringify({ fileName, contentType: 'application/pdf', size: 10 }), contentType: json });
      expectProblem(res, 400, fileName);
      expect(res.body.errors).toEqual([{ path: 'fileName', message: expect.any(String) }]);
    }
    const fine = await send(route, `/documents/invoice/${docId}/attachments`, 'emoji file name fine', { rawBody: JSON.stringify({ fileName: '\u{1F600}'.repeat(196) + '.pdf', contentType: 'application/pdf', size: 10 }), contentType: json });
    expect(fine.status).toBe(201);
  });
});

describe('the server after all of it', () => {
  it('still answers, and a normal request still works', async () => {
    expect((await api('/health')).status).toBe(200);
    const res = await api('/contacts', { method: 'POST', token: admin, body: { kind: 'person', name: `After \u00e9 ${uniq('x')}` } });
    expect(res.status).toBe(201);
    expect(res.body.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
