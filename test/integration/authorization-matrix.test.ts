/**
 * The authorization matrix, generated from the route table: every route of `ROUTES` × every kind of
 * caller (support/principals.ts) → exactly the status API.md implies. A route of the table without a
 * case here fails the suite. Then object-level checks: company A's portal user with company B's ids
 * in the path, B's ids in the query, and cursors of B's listings.
 */
import { randomBytes } from 'node:crypto';
import { ROUTES, routeKey, type Route } from '../../lambdas/contract/routes';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { buildWorld, createContact, applyAccess, resigned, type Principal, type PrincipalClass, type World } from './support/principals';
import { adminToken, api, uniq, withoutInstance, type ApiResponse } from './support/stack';

jest.setTimeout(120_000);

interface Request {
  path: string;
  method: string;
  body?: unknown;
}

/** One route's request in the matrix; `staffAdmin`/`customerA`… override the expected status of the callers the route lets through. */
interface Case {
  request(): Request;
  expect?: Partial<Record<PrincipalClass, number>>;
}

let world: World;
let admin: string;
const staff = (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token: admin });

async function putDocument(type: string, id: string, customerId: string, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await staff(`/documents/${type}/${id}`, { method: 'PUT', body: { customerId, name: `Doc ${id}`, date: '2026-01-01', ...extra } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`PUT document → ${res.status} ${res.text}`);
}

/** Targets the routes act on, made once: the staff admin (last in the loop) is the only caller that may change them. */
interface Targets {
  scratch: Contact;
  toArchive: Contact;
  /** Archived before the matrix runs: the staff admin restores it. */
  toRestore: Contact;
  invited: Contact;
  grantee: Contact;
  docA: string;
  docB: string;
  docToDelete: string;
  /** Attachments of docA: one completed, one announced only (deleted by the matrix). */
  attachment: string;
  attachmentToDelete: string;
  /** A share link of docA (no view limit): its id, for the revocation, and its token. */
  link: { id: string; token: string };
  linkToRevoke: string;
}
let t: Targets;

const docId = () => uniq('doc');

async function announce(doc: string, size: number): Promise<{ id: string; uploadUrl: string }> {
  const res = await staff(`/documents/invoice/${doc}/attachments`, { method: 'POST', body: { fileName: 'matrix.pdf', contentType: 'application/pdf', size } });
  if (res.status !== 201) throw new Error(`announce → ${res.status} ${res.text}`);
  return res.body as { id: string; uploadUrl: string };
}

async function completedAttachment(doc: string): Promise<string> {
  const bytes = Buffer.from('%PDF-1.7 matrix');
  const { id, uploadUrl } = await announce(doc, bytes.length);
  const put = await fetch(uploadUrl, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/pdf' } });
  if (put.status !== 200) throw new Error(`upload → ${put.status}`);
  const done = await staff(`/documents/invoice/${doc}/attachments/${id}/complete`, { method: 'POST' });
  if (done.status !== 200) throw new Error(`complete → ${done.status} ${done.text}`);
  return id;
}

function cases(): Record<string, Case> {
  const { companyA, userA } = world;
  return {
    'GET /health': { request: () => ({ method: 'GET', path: '/health' }) },
    'GET /openapi.json': { request: () => ({ method: 'GET', path: '/openapi.json' }) },
    'POST /contacts': { request: () => ({ method: 'POST', path: '/contacts', body: { kind: 'person', name: 'Matrix person', companyId: companyA.id } }) },
    'GET /contacts': { request: () => ({ method: 'GET', path: `/contacts?companyId=${companyA.id}` }) },
    'GET /contacts/{id}': { request: () => ({ method: 'GET', path: `/contacts/${userA.contact.id}` }) },
    'PATCH /contacts/{id}': { request: () => ({ method: 'PATCH', path: `/contacts/${t.scratch.id}`, body: { name: 'Renamed by the matrix' } }) },
    'DELETE /contacts/{id}': { request: () => ({ method: 'DELETE', path: `/contacts/${t.toArchive.id}` }) },
    'POST /contacts/{id}/restore': { request: () => ({ method: 'POST', path: `/contacts/${t.toRestore.id}/restore` }) },
    'GET /contacts/{id}/portal-access': { request: () => ({ method: 'GET', path: `/contacts/${companyA.id}/portal-access` }) },
    'POST /contacts/{id}/portal-access': {
      request: () => ({ method: 'POST', path: `/contacts/${companyA.id}/portal-access`, body: { lines: [{ contactId: t.scratch.id, inPortal: false }] } }),
    },
    'POST /contacts/{id}/portal-access/reinvite': {
      request: () => ({ method: 'POST', path: `/contacts/${companyA.id}/portal-access/reinvite`, body: { contactId: t.invited.id } }),
    },
    'GET /contacts/{id}/audit': { request: () => ({ method: 'GET', path: `/contacts/${userA.contact.id}/audit` }) },
    'GET /contacts/{id}/portal-access/explain': { request: () => ({ method: 'GET', path: `/contacts/${userA.contact.id}/portal-access/explain?type=invoice&id=${t.docA}` }) },
    // The document exists already: publishing it again replaces it (200).
    'PUT /documents/{type}/{id}': {
      request: () => ({ method: 'PUT', path: `/documents/invoice/${t.docA}`, body: { customerId: companyA.id, name: `Doc ${t.docA}`, date: '2026-01-01' } }),
    },
    'POST /documents/batch': {
      request: () => ({ method: 'POST', path: '/documents/batch', body: { documents: [{ type: 'invoice', id: docId(), customerId: companyA.id, name: 'Batch doc' }] } }),
    },
    'GET /documents/{type}/{id}': { request: () => ({ method: 'GET', path: `/documents/invoice/${t.docA}` }) },
    'DELETE /documents/{type}/{id}': { request: () => ({ method: 'DELETE', path: `/documents/invoice/${t.docToDelete}` }) },
    'GET /documents': { request: () => ({ method: 'GET', path: `/documents?customerId=${companyA.id}` }) },
    'POST /documents/{type}/{id}/grants': { request: () => ({ method: 'POST', path: `/documents/invoice/${t.docA}/grants`, body: { contactId: t.grantee.id } }) },
    'DELETE /documents/{type}/{id}/grants/{contactId}': { request: () => ({ method: 'DELETE', path: `/documents/invoice/${t.docA}/grants/${t.scratch.id}` }) },
    'GET /documents/{type}/{id}/grants': { request: () => ({ method: 'GET', path: `/documents/invoice/${t.docA}/grants` }) },
    'POST /documents/{type}/{id}/attachments': {
      request: () => ({ method: 'POST', path: `/documents/invoice/${t.docA}/attachments`, body: { fileName: 'matrix.pdf', contentType: 'application/pdf', size: 10 } }),
    },
    // Completing a completed attachment answers it again (200).
    'POST /documents/{type}/{id}/attachments/{attachmentId}/complete': { request: () => ({ method: 'POST', path: `/documents/invoice/${t.docA}/attachments/${t.attachment}/complete` }) },
    'GET /documents/{type}/{id}/attachments': { request: () => ({ method: 'GET', path: `/documents/invoice/${t.docA}/attachments` }) },
    'DELETE /documents/{type}/{id}/attachments/{attachmentId}': { request: () => ({ method: 'DELETE', path: `/documents/invoice/${t.docA}/attachments/${t.attachmentToDelete}` }) },
    // Company A's attachment: B's portal user gets the document's 404.
    'GET /portal/documents/{type}/{id}/attachments/{attachmentId}': {
      request: () => ({ method: 'GET', path: `/portal/documents/invoice/${t.docA}/attachments/${t.attachment}` }),
      expect: { 'customer-b': 404 },
    },
    'GET /documents/{type}/{id}/access': { request: () => ({ method: 'GET', path: `/documents/invoice/${t.docA}/access` }) },
    'POST /documents/{type}/{id}/links': { request: () => ({ method: 'POST', path: `/documents/invoice/${t.docA}/links`, body: { maxViews: 2 } }) },
    'GET /documents/{type}/{id}/links': { request: () => ({ method: 'GET', path: `/documents/invoice/${t.docA}/links` }) },
    'DELETE /documents/{type}/{id}/links/{linkId}': { request: () => ({ method: 'DELETE', path: `/documents/invoice/${t.docA}/links/${t.linkToRevoke}` }) },
    // Public, authenticated by the link's token only: whatever else the caller sends, the link decides.
    'GET /shared/{token}': { request: () => ({ method: 'GET', path: `/shared/${t.link.token}` }) },
    // docA's completed attachment through docA's live link: the redirect to its download, whoever else the caller is.
    'GET /shared/{token}/attachments/{attachmentId}': { request: () => ({ method: 'GET', path: `/shared/${t.link.token}/attachments/${t.attachment}` }) },
    'GET /portal/me': { request: () => ({ method: 'GET', path: '/portal/me' }) },
    'GET /portal/documents': { request: () => ({ method: 'GET', path: '/portal/documents' }) },
    // Company A's document: B's portal user must not learn it exists.
    'GET /portal/documents/{type}/{id}': { request: () => ({ method: 'GET', path: `/portal/documents/invoice/${t.docA}` }), expect: { 'customer-b': 404 } },
    // Public, authenticated by the invitation token only: an unknown token is 410 whoever sends it.
    'POST /invitations/accept': {
      request: () => ({ method: 'POST', path: '/invitations/accept', body: { token: randomBytes(32).toString('base64url'), password: 'Whatever-Pw-1!' } }),
      expect: Object.fromEntries(
        (['unauthenticated', 'staff-admin', 'staff-member', 'customer-a', 'customer-b', 'customer-revoked'] as const).map((k) => [k, 410]),
      ),
    },
  };
}

/** What API.md implies for `who` on `route`. */
function expectedStatus(route: Route, who: Principal, routeCase: Case): number {
  const override = routeCase.expect?.[who.kind];
  if (override !== undefined) return override;
  switch (route.principal) {
    case 'public':
      return route.success.status;
    case 'staff':
      // A customer token on a staff route is "issued by the other pool": 401, like no token at all.
      return who.kind === 'staff-admin' ? route.success.status : who.kind === 'staff-member' ? 403 : 401;
    case 'customer':
      // Staff tokens are the other pool's; a revoked user's still-valid token is refused by the access record.
      return who.kind === 'customer-a' || who.kind === 'customer-b' ? route.success.status : 401;
  }
}

function call(request: Request, who: Principal): Promise<ApiResponse> {
  return api(request.path, {
    method: request.method,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(who.authorization === undefined ? {} : { headers: { authorization: who.authorization } }),
  });
}

/** Every refusal is problem+json naming its own status; nothing is a 5xx. */
function expectWellFormed(res: ApiResponse, label: string): void {
  expect({ label, status: res.status < 500 }).toEqual({ label, status: true });
  if (res.status >= 400) {
    expect({ label, type: res.headers['content-type'] }).toEqual({ label, type: expect.stringMatching(/^application\/problem\+json/) });
    expect({ label, status: res.body?.status }).toEqual({ label, status: res.status });
  }
  if (res.status === 401) expect({ label, challenge: res.headers['www-authenticate'] }).toEqual({ label, challenge: expect.stringMatching(/^Bearer/) });
}

beforeAll(async () => {
  admin = await adminToken();
  world = await buildWorld();
  const { companyA, companyB } = world;
  const [scratch, toArchive, toRestore, invited, grantee] = await Promise.all([
    createContact({ kind: 'person', name: 'Scratch', companyId: companyA.id }),
    createContact({ kind: 'person', name: 'To archive', companyId: companyA.id }),
    createContact({ kind: 'person', name: 'To restore', companyId: companyA.id }),
    createContact({ kind: 'person', name: 'Invited', email: `${uniq('invited')}@example.com`, companyId: companyA.id }),
    createContact({ kind: 'person', name: 'Grantee', companyId: companyA.id }),
  ]);
  await applyAccess(companyA.id, invited.id, true);
  const archived = await staff(`/contacts/${toRestore.id}`, { method: 'DELETE' });
  if (archived.status !== 204) throw new Error(`archive → ${archived.status} ${archived.text}`);
  const [docA, docB, docToDelete] = [docId(), docId(), docId()];
  await Promise.all([putDocument('invoice', docA, companyA.id), putDocument('invoice', docB, companyB.id), putDocument('invoice', docToDelete, companyA.id)]);
  const newLink = async () => {
    const res = await staff(`/documents/invoice/${docA}/links`, { method: 'POST', body: {} });
    if (res.status !== 201) throw new Error(`link → ${res.status} ${res.text}`);
    return { id: res.body.id as string, token: (res.body.url as string).split('/s/')[1]! };
  };
  const [link, linkToRevoke] = await Promise.all([newLink(), newLink()]);
  t = {
    scratch, toArchive, toRestore, invited, grantee, docA, docB, docToDelete, link, linkToRevoke: linkToRevoke.id,
    attachment: await completedAttachment(docA), attachmentToDelete: (await announce(docA, 10)).id,
  };
  const grant = await staff(`/documents/invoice/${t.docA}/grants`, { method: 'POST', body: { contactId: scratch.id } });
  if (grant.status !== 201) throw new Error(`grant → ${grant.status} ${grant.text}`);
});

describe('the matrix', () => {
  it('has a case for every route of the table, and none for a route the table does not have', () => {
    expect(Object.keys(cases()).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it('knows every kind of caller', () => {
    expect(new Set(world.principals.map((p) => p.kind))).toEqual(
      new Set(['unauthenticated', 'staff-admin', 'staff-member', 'customer-a', 'customer-b', 'customer-revoked']),
    );
  });

  it('re-signs tokens honestly: the same claims with a lifetime in the future pass, so an expired one fails for its expiry alone', async () => {
    const fresh = resigned(admin, { expiresInSeconds: 600 });
    expect((await api('/contacts?limit=1', { token: fresh })).status).toBe(200);
    const expired = resigned(admin, { expiresInSeconds: -3600 });
    expect((await api('/contacts?limit=1', { token: expired })).status).toBe(401);
  });

  describe.each(ROUTES.map((route) => [routeKey(route), route] as const))('%s', (key, route) => {
    it('answers each caller exactly as API.md implies', async () => {
      const routeCase = cases()[key];
      if (!routeCase) throw new Error(`no matrix case for ${key}`);
      // The staff admin last: its call is the one that may change the route's target.
      const callers = [...world.principals.filter((p) => p.kind !== 'staff-admin'), ...world.principals.filter((p) => p.kind === 'staff-admin')];
      const actual: Record<string, number> = {};
      const expected: Record<string, number> = {};
      for (const who of callers) {
        const res = await call(routeCase.request(), who);
        expectWellFormed(res, `${key} as ${who.name}`);
        actual[who.name] = res.status;
        expected[who.name] = expectedStatus(route, who, routeCase);
      }
      expect(actual).toEqual(expected);
    });
  });
});

describe('object level: company A’s portal user and company B’s data', () => {
  let tokenA: string;
  let tokenB: string;
  const asA = (path: string) => api(path, { token: tokenA });
  const leaks = (res: ApiResponse, ...needles: string[]) => needles.filter((n) => res.text.includes(n));

  beforeAll(async () => {
    tokenA = world.userA.tokens.accessToken;
    tokenB = world.userB.tokens.accessToken;
    // B needs more than one page of documents (one of them the person's own) for a cursor.
    await Promise.all([
      putDocument('invoice', `${t.docB}-2`, world.companyB.id, { date: '2026-02-01' }),
      putDocument('sale_order', `${t.docB}-so`, world.userB.contact.id, { date: '2026-03-01' }),
    ]);
  });

  it('B’s document ids in the path are 404, as for a document that does not exist, and say nothing of it', async () => {
    const missing = await asA(`/portal/documents/invoice/${uniq('nothing')}`);
    expect(missing.status).toBe(404);
    for (const path of [`/portal/documents/invoice/${t.docB}`, `/portal/documents/invoice/${t.docB}-2`, `/portal/documents/sale_order/${t.docB}-so`]) {
      const res = await asA(path);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      // The same problem but for the request it answers (`instance`): nothing about the document.
      expect(withoutInstance(res.body)).toEqual(withoutInstance(missing.body));
      expect(leaks(res, world.companyB.id, world.userB.contact.id, `Doc ${t.docB}`)).toEqual([]);
    }
    // A's own document under another type is another document: 404 too.
    expect((await asA(`/portal/documents/sale_order/${t.docA}`)).status).toBe(404);
    expect((await asA(`/portal/documents/invoice/${t.docA}`)).status).toBe(200);
  });

  it('B’s ids in the query are refused (400), never a filter that widens what A sees', async () => {
    for (const query of [`customerId=${world.companyB.id}`, `companyId=${world.companyB.id}`, `contactId=${world.userB.contact.id}`, `type=invoice&customerId=${world.companyB.id}`]) {
      const res = await asA(`/portal/documents?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(leaks(res, `Doc ${t.docB}`)).toEqual([]);
    }
    const own = await asA('/portal/documents?limit=100');
    expect(own.status).toBe(200);
    const ids = (own.body.items as { id: string; customerId: string }[]).map((d) => d.id);
    expect(ids).toContain(t.docA);
    expect(ids.filter((id) => id.startsWith(t.docB))).toEqual([]);
    expect((own.body.items as { customerId: string }[]).every((d) => d.customerId !== world.companyB.id && d.customerId !== world.userB.contact.id)).toBe(true);
    const me = await asA('/portal/me');
    expect(me.body.company).toEqual({ id: world.companyA.id, name: world.companyA.name });
  });

  it('a cursor of B’s listing is 400 for A; one forged from it stays inside A’s documents', async () => {
    const pageB = await api('/portal/documents?limit=1', { token: tokenB });
    expect(pageB.status).toBe(200);
    const cursorB = pageB.body.nextCursor as string;
    expect(cursorB).toEqual(expect.any(String));

    const reused = await asA(`/portal/documents?limit=1&cursor=${encodeURIComponent(cursorB)}`);
    expect(reused.status).toBe(400);
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(leaks(reused, t.docB)).toEqual([]);

    // B's position re-labelled with the scope of A's own cursor: a portal cursor is only a position
    // (an order key) inside the caller's own streams (lambdas/http/portal.ts), so it may skip within
    // A's documents, and must never reach B's.
    await putDocument('invoice', `${t.docA}-2`, world.companyA.id, { date: '2026-02-01' });
    const pageA = await asA('/portal/documents?limit=1');
    const cursorA = pageA.body.nextCursor as string;
    const decode = (c: string) => JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { s: unknown; k: unknown };
    const forged = Buffer.from(JSON.stringify({ s: decode(cursorA).s, k: decode(cursorB).k })).toString('base64url');
    const forgedRes = await asA(`/portal/documents?limit=100&cursor=${encodeURIComponent(forged)}`);
    expect(forgedRes.status).toBe(200);
    expect(leaks(forgedRes, t.docB, world.companyB.id, world.userB.contact.id)).toEqual([]);
    expect((forgedRes.body.items as { customerId: string }[]).every((d) => d.customerId === world.companyA.id || d.customerId === world.userA.contact.id)).toBe(true);

    // A staff listing's cursor of B's documents means nothing on the portal either.
    const staffPage = await staff(`/documents?customerId=${world.companyB.id}&limit=1`);
    expect(staffPage.status).toBe(200);
    const staffCursor = staffPage.body.nextCursor as string;
    expect(staffCursor).toEqual(expect.any(String));
    const crossed = await asA(`/portal/documents?cursor=${encodeURIComponent(staffCursor)}`);
    expect(crossed.status).toBe(400);
    expect(leaks(crossed, t.docB)).toEqual([]);
  });

  it('A’s cursor used by B is 400 as well (the check is not one-sided)', async () => {
    const pageA = await asA('/portal/documents?limit=1');
    const cursorA = pageA.body.nextCursor as string;
    expect(cursorA).toEqual(expect.any(String));
    const res = await api(`/portal/documents?cursor=${encodeURIComponent(cursorA)}`, { token: tokenB });
    expect(res.status).toBe(400);
    expect(leaks(res, t.docA)).toEqual([]);
  });
});
