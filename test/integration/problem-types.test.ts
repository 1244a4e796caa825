/**
 * Every kind of problem a client can provoke, over HTTP: its stable `type` URI, its status, and the
 * request id that names the answer (`x-request-id`, and the problem's `instance`). `unavailable` is
 * provoked by faults.test.ts (a failing dependency); `throttled` by share-links.test.ts (the local
 * stack's per-client limit of /shared; API Gateway's own answer in AWS), and `internal` and
 * `not-implemented` are what no request of a client should ever meet.
 */
import { randomBytes } from 'node:crypto';
import { PROBLEM_KINDS, problemTypeOf, type ProblemKindName } from '../../lambdas/contract/problem-types';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { applyAccess, createContact, portalUser } from './support/principals';
import { adminToken, api, createStaffUser, signIn, uniq, type ApiResponse } from './support/stack';

let admin: string;
let company: Contact;
beforeAll(async () => {
  admin = await adminToken();
  company = await createContact({ kind: 'company', name: uniq('Problems co') });
});

const staff = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string; contentType?: string } = {}) => api(path, { ...init, token: admin });

/** A problem answer of that kind: its type, title and status from the table, and the request that it answers. */
function expectKind(res: ApiResponse, kind: ProblemKindName): void {
  const { status, title } = PROBLEM_KINDS[kind];
  expect({ status: res.status, contentType: res.headers['content-type'] }).toEqual({ status, contentType: expect.stringMatching(/^application\/problem\+json/) });
  expect(res.body).toMatchObject({ type: problemTypeOf(kind), title, status });
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.body.instance).toBe(`urn:request:${res.headers['x-request-id']}`);
}

/** A wizard line's problem of that kind (the answer is 200; the line carries the problem). */
function expectLineKind(res: ApiResponse, index: number, kind: ProblemKindName): void {
  expect(res.status).toBe(200);
  expect(res.body.results[index]).toMatchObject({ outcome: 'failed', error: { type: problemTypeOf(kind), status: PROBLEM_KINDS[kind].status, instance: `urn:request:${res.headers['x-request-id']}` } });
}

describe('each kind a client can provoke has its type', () => {
  test('validation: malformed JSON, a schema violation (with each path)', async () => {
    expectKind(await staff('/contacts', { method: 'POST', rawBody: '{"kind":', contentType: 'application/json' }), 'validation');
    const invalid = await staff('/contacts', { method: 'POST', body: { kind: 'robot', name: '' } });
    expectKind(invalid, 'validation');
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['kind', 'name']);
  });

  test('no-email and out-of-scope: lines of the wizard', async () => {
    const noEmail = await createContact({ kind: 'person', name: 'No email', companyId: company.id });
    const outsider = await createContact({ kind: 'person', name: 'Outsider', email: `${uniq('out')}@example.com` });
    const res = await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: noEmail.id, inPortal: true }, { contactId: outsider.id, inPortal: true }] } });
    expectLineKind(res, 0, 'no-email');
    expectLineKind(res, 1, 'out-of-scope');
    // Re-inviting a contact outside the wizard is the whole answer's problem.
    expectKind(await staff(`/contacts/${company.id}/portal-access/reinvite`, { method: 'POST', body: { contactId: outsider.id } }), 'out-of-scope');
  });

  test('unauthenticated: no token, a token of the other pool', async () => {
    expectKind(await api('/contacts'), 'unauthenticated');
    expectKind(await api('/portal/me', { token: admin }), 'unauthenticated');
  });

  test('access-ended: a portal token whose access was revoked', async () => {
    const user = await portalUser(company.id, 'ended');
    await applyAccess(company.id, user.contact.id, false);
    const res = await api('/portal/me', { token: user.tokens.accessToken });
    expectKind(res, 'access-ended');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  test('forbidden: a staff user outside portal-admins', async () => {
    const username = uniq('member');
    await createStaffUser(username, 'Member-Staff-Pw-1!', { admin: false });
    const { accessToken } = await signIn('staff', username, 'Member-Staff-Pw-1!');
    expectKind(await api('/contacts', { token: accessToken }), 'forbidden');
  });

  test('not-found and method-not-allowed (with Allow)', async () => {
    expectKind(await staff(`/contacts/${uniq('missing')}`), 'not-found');
    expectKind(await api('/nowhere'), 'not-found');
    const writeToPortal = await api('/portal/me', { method: 'POST', body: {} });
    expectKind(writeToPortal, 'method-not-allowed');
    expect(writeToPortal.headers.allow).toBe('GET');
  });

  test("email-in-use: another contact's portal login, on a wizard line and on a PATCH", async () => {
    const holder = await portalUser(company.id, 'holder');
    const other = await createContact({ kind: 'person', name: 'Other', companyId: company.id });
    expectLineKind(await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: other.id, email: holder.email, inPortal: true }] } }), 0, 'email-in-use');
    const mover = await portalUser(company.id, 'mover');
    expectKind(await staff(`/contacts/${mover.contact.id}`, { method: 'PATCH', body: { email: holder.email } }), 'email-in-use');
  });

  test('stale-version: a PATCH with an old If-Match', async () => {
    const person = await createContact({ kind: 'person', name: 'Versioned' });
    expect((await staff(`/contacts/${person.id}`, { method: 'PATCH', body: { name: 'V2' }, headers: { 'if-match': '"1"' } })).status).toBe(200);
    expectKind(await staff(`/contacts/${person.id}`, { method: 'PATCH', body: { name: 'V3' }, headers: { 'if-match': '"1"' } }), 'stale-version');
  });

  test('idempotency-conflict: a key reused with another body', async () => {
    const person = await createContact({ kind: 'person', name: 'Idempotent', companyId: company.id });
    const key = { 'idempotency-key': uniq('key') };
    const first = await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', headers: key, body: { lines: [{ contactId: person.id, inPortal: false }] } });
    expect(first.status).toBe(200);
    expectKind(await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', headers: key, body: { lines: [{ contactId: person.id, inPortal: false }], message: 'other' } }), 'idempotency-conflict');
  });

  test('conflict: a change of an archived contact', async () => {
    const person = await createContact({ kind: 'person', name: 'Archived' });
    await staff(`/contacts/${person.id}`, { method: 'DELETE' });
    expectKind(await staff(`/contacts/${person.id}`, { method: 'PATCH', body: { name: 'Back' } }), 'conflict');
  });

  test('invitation-unusable: an unknown token', async () => {
    expectKind(await api('/invitations/accept', { method: 'POST', body: { token: randomBytes(32).toString('base64url'), password: 'Whatever-Pw-1!' } }), 'invitation-unusable');
  });

  test('link-unusable: an unknown share link, its attachment too (throttled: share-links.test.ts)', async () => {
    const token = randomBytes(32).toString('base64url');
    expectKind(await api(`/shared/${token}`), 'link-unusable');
    expectKind(await api(`/shared/${token}/attachments/a1`), 'link-unusable');
  });

  test('too-large and unsupported-media-type', async () => {
    expectKind(await staff('/contacts', { method: 'POST', rawBody: JSON.stringify({ kind: 'person', name: 'x'.repeat(300 * 1024) }), contentType: 'application/json' }), 'too-large');
    expectKind(await staff('/contacts', { method: 'POST', rawBody: 'hello', contentType: 'text/plain' }), 'unsupported-media-type');
  });
});

describe('the request id', () => {
  test('every answer carries one, a fresh one each, and browsers of the admin origins may read it', async () => {
    const [a, b] = [await api('/health'), await api('/health', { headers: { origin: 'http://localhost:5173' } })];
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
    expect(b.headers['access-control-expose-headers']?.toLowerCase().split(',')).toContain('x-request-id');
    // Also on the answers the gateway gives itself locally (the authorizer's 401).
    expect((await api('/contacts')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('the OpenAPI document lists every type, the request id header on every response, and the problem examples', async () => {
    const doc = (await api('/openapi.json')).body;
    expect(doc.components.schemas.Problem.properties.type.enum).toEqual(Object.keys(PROBLEM_KINDS).map((kind) => problemTypeOf(kind as ProblemKindName)));
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>))
      for (const [method, operation] of Object.entries(item))
        for (const [status, response] of Object.entries(operation.responses))
          expect({ at: `${method} ${path} ${status}`, header: response.headers?.['X-Request-Id'] }).toEqual({ at: `${method} ${path} ${status}`, header: { $ref: '#/components/headers/XRequestId' } });
    expect(doc.paths['/contacts/{id}'].patch.responses['409'].content['application/problem+json'].examples['stale-version'].value.type).toBe(problemTypeOf('stale-version'));
  });
});
