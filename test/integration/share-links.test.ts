/**
 * Share links in real time against the local stack (API.md, "Share links"): created by staff (the URL
 * once), opened without sign-in (each view counted), `maxViews` under concurrency, expiry, revocation
 * of one link among several, a deleted document, an archived recipient — every dead link the same
 * 410, byte for byte, for the document and its attachments — the three headers, the attachments'
 * downloads (a 302 to the S3 emulator's presigned GET: the uploaded bytes), the per-client rate
 * limit, the audit trail, and no token in any listing. Each test opens links from a client address of its own (support/shared-links.ts),
 * so that the rate limit of one test never touches another.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SHARED_RESPONSE_HEADERS, SHARED_THROTTLE } from '../../lambdas/contract/share-links';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { createContact } from './support/portal-users';
import { createLink, viewer, type CreatedLink } from './support/shared-links';
import { adminToken, api, stack, uniq, type ApiResponse } from './support/stack';

jest.setTimeout(90_000);

let token: string;
const staff = (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token });
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const DAY = 24 * 60 * 60 * 1000;

let customer: Contact;

async function publish(type = 'invoice', id = uniq('INV')): Promise<{ type: string; id: string; body: Record<string, unknown> }> {
  const res = await staff(`/documents/${type}/${id}`, { method: 'PUT', body: { customerId: customer.id, name: `Shared ${id}`, reference: 'INV/2026/1', amount: 99.5, currency: 'EUR', data: { lines: [{ sku: 'A', qty: 2 }] } } });
  expect(res.status).toBe(201);
  return { type, id, body: res.body };
}

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
type Attachment = { id: string; fileName: string; contentType: string; size: number };

/** Announce an upload of a PDF (`bytes`) on a document; completed unless told otherwise: the attachment as staff see it. */
async function attach(doc: { type: string; id: string }, fileName: string, bytes: Buffer, complete = true): Promise<Attachment> {
  const base = `/documents/${doc.type}/${doc.id}/attachments`;
  const ticket = await staff(base, { method: 'POST', body: { fileName, contentType: 'application/pdf', size: bytes.length } });
  expect(ticket.status).toBe(201);
  const put = await fetch(ticket.body.uploadUrl as string, { method: 'PUT', body: bytes, headers: ticket.body.uploadHeaders as Record<string, string> });
  expect(put.status).toBe(200);
  if (!complete) return { id: ticket.body.id as string, fileName, contentType: 'application/pdf', size: bytes.length };
  const done = await staff(`${base}/${ticket.body.id as string}/complete`, { method: 'POST' });
  expect(done.status).toBe(200);
  return done.body as Attachment;
}

const linksOf = async (type: string, id: string) => {
  const res = await staff(`/documents/${type}/${id}/links`);
  expect(res.status).toBe(200);
  return res;
};

function expectSharedHeaders(res: ApiResponse, label: string): void {
  for (const [name, value] of Object.entries(SHARED_RESPONSE_HEADERS)) expect({ label, [name]: res.headers[name] }).toEqual({ label, [name]: value });
}

/** The headers of an answer that can differ between two identical answers: the date and the connection's. */
const stableHeaders = (res: ApiResponse) => Object.entries(res.headers).filter(([name]) => !['date', 'keep-alive', 'connection'].includes(name)).sort();

/**
 * An answer with its request id (the `x-request-id` header, and the problem's `instance`
 * `urn:request:<id>`) replaced by a placeholder wherever it occurs: the one part two answers to
 * different requests may not share. Everything else — every byte of the body, every header — stays.
 */
function withoutRequestId(res: ApiResponse): { text: string; headers: [string, string][] } {
  const id = res.headers['x-request-id'];
  expect(id).toMatch(/^[\w-]{8,}$/);
  const blank = (value: string) => value.replaceAll(id!, '<request-id>');
  return { text: blank(res.text), headers: stableHeaders(res).map(([name, value]) => [name, blank(value)]) };
}

beforeAll(async () => {
  token = await adminToken();
  customer = await createContact({ kind: 'company', name: uniq('Share customer') });
});

describe('creating and opening a link', () => {
  test('the URL once (<PORTAL_URL>/s/<token>, 256 bits), 30 days by default; each GET is the document and one view', async () => {
    const doc = await publish();
    const before = Date.now();
    const link = await createLink(doc.type, doc.id);
    expect(link).toEqual({ id: expect.any(String), url: expect.stringMatching(/\/s\/[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String), views: 0, token: expect.any(String) });
    expect(Buffer.from(link.token, 'base64url')).toHaveLength(32);
    expect(link.url.startsWith(`${stack().portalUrl}/s/`)).toBe(true); // the customer portal's page of the link
    const expires = Date.parse(link.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * DAY);

    const client = viewer();
    const staffView = (await staff(`/documents/${doc.type}/${doc.id}`)).body;
    for (let i = 0; i < 3; i++) {
      const res = await client.get(`/shared/${link.token}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ ...staffView, attachments: [] });
      expectSharedHeaders(res, 'a view');
    }
    const listed = await linksOf(doc.type, doc.id);
    expect(listed.body.items).toEqual([{ id: link.id, createdBy: 'staff:admin', createdAt: expect.any(String), expiresAt: link.expiresAt, views: 3, live: true }]);
    // The document itself did not change: a GET only counts.
    expect((await staff(`/documents/${doc.type}/${doc.id}`)).body).toEqual(staffView);
  });

  test('refusals: an unknown document 404; a past, present or > 90 days expiry, a bad maxViews, an unknown or archived recipient 400 with the path', async () => {
    expect((await staff(`/documents/invoice/${uniq('none')}/links`, { method: 'POST', body: {} })).status).toBe(404);
    expect((await staff(`/documents/invoice/${uniq('none')}/links`)).status).toBe(404);
    const doc = await publish();
    const archived = await createContact({ kind: 'person', name: 'Archived recipient' });
    expect((await staff(`/contacts/${archived.id}`, { method: 'DELETE' })).status).toBe(204);
    const cases: [Record<string, unknown>, string][] = [
      [{ expiresAt: new Date(Date.now() - 1000).toISOString() }, 'expiresAt'],
      [{ expiresAt: new Date(Date.now() + 91 * DAY).toISOString() }, 'expiresAt'],
      [{ expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ maxViews: 0 }, 'maxViews'],
      [{ maxViews: 1.5 }, 'maxViews'],
      [{ maxViews: 10_001 }, 'maxViews'],
      [{ contactId: uniq('nobody') }, 'contactId'],
      [{ contactId: archived.id }, 'contactId'],
      [{ token: 'chosen-by-me' }, 'token'],
    ];
    for (const [body, path] of cases) {
      const res = await staff(`/documents/${doc.type}/${doc.id}/links`, { method: 'POST', body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect({ body, paths: (res.body.errors as { path: string }[]).map((e) => e.path) }).toEqual({ body, paths: [path] });
    }
    expect((await linksOf(doc.type, doc.id)).body.items).toEqual([]);
    const longest = await createLink(doc.type, doc.id, { expiresAt: new Date(Date.now() + 89 * DAY).toISOString(), maxViews: 10_000 });
    expect(longest.maxViews).toBe(10_000);
  });
});

describe('dead links', () => {
  test('maxViews 1: of 10 concurrent GETs exactly one is 200, the others and every later one 410', async () => {
    const doc = await publish();
    const link = await createLink(doc.type, doc.id, { maxViews: 1 });
    const client = viewer();
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.get(`/shared/${link.token}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(410)]);
    expect((await client.get(`/shared/${link.token}`)).status).toBe(410);
    expect((await linksOf(doc.type, doc.id)).body.items[0]).toMatchObject({ id: link.id, maxViews: 1, views: 1 });
  });

  test('maxViews 3: three views, then 410', async () => {
    const doc = await publish();
    const link = await createLink(doc.type, doc.id, { maxViews: 3 });
    const client = viewer();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await client.get(`/shared/${link.token}`)).status);
    expect(statuses).toEqual([200, 200, 200, 410, 410]);
  });

  test('expiry: a link a few seconds ahead opens until then and is 410 from then on', async () => {
    const doc = await publish();
    const expiresAt = new Date(Date.now() + 6000).toISOString();
    const link = await createLink(doc.type, doc.id, { expiresAt });
    expect(link.expiresAt).toBe(expiresAt);
    const client = viewer();
    const first = await client.get(`/shared/${link.token}`);
    expect(first.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiresAt) - Date.now()) + 200));
    expect((await client.get(`/shared/${link.token}`)).status).toBe(410);
    // Still listed (ended links are kept a week), with its one view.
    expect((await linksOf(doc.type, doc.id)).body.items[0]).toMatchObject({ id: link.id, views: 1 });
  });

  test('revoking one of several: it is 410 at once, the others live on; a second DELETE is 204 too; an unknown link is 404', async () => {
    const doc = await publish();
    const [a, b, c] = [await createLink(doc.type, doc.id), await createLink(doc.type, doc.id), await createLink(doc.type, doc.id)];
    const client = viewer();
    for (const link of [a!, b!, c!]) expect((await client.get(`/shared/${link.token}`)).status).toBe(200);
    expect((await staff(`/documents/${doc.type}/${doc.id}/links/${b!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await client.get(`/shared/${b!.token}`)).status).toBe(410);
    expect((await client.get(`/shared/${a!.token}`)).status).toBe(200);
    expect((await client.get(`/shared/${c!.token}`)).status).toBe(200);
    expect((await staff(`/documents/${doc.type}/${doc.id}/links/${b!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`/documents/${doc.type}/${doc.id}/links/${uniq('nolink')}`, { method: 'DELETE' })).status).toBe(404);
    // Another document's link id is not this document's.
    const other = await publish();
    expect((await staff(`/documents/${other.type}/${other.id}/links/${a!.id}`, { method: 'DELETE' })).status).toBe(404);
    const items = (await linksOf(doc.type, doc.id)).body.items as { id: string; revokedAt?: string; views: number }[];
    expect(items.map((l) => l.id)).toEqual([c!.id, b!.id, a!.id]); // newest first
    expect(items.map((l) => [l.id, l.views, typeof l.revokedAt])).toEqual([
      [c!.id, 2, 'undefined'],
      [b!.id, 1, 'string'],
      [a!.id, 2, 'undefined'],
    ]);
  });

  test('a deleted document kills its links, also once it is published again under the same id', async () => {
    const doc = await publish();
    const link = await createLink(doc.type, doc.id);
    const client = viewer();
    expect((await client.get(`/shared/${link.token}`)).status).toBe(200);
    expect((await staff(`/documents/${doc.type}/${doc.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await client.get(`/shared/${link.token}`)).status).toBe(410);
    expect((await staff(`/documents/${doc.type}/${doc.id}/links`)).status).toBe(404);
    await publish(doc.type, doc.id);
    expect((await client.get(`/shared/${link.token}`)).status).toBe(410);
    expect((await linksOf(doc.type, doc.id)).body.items).toEqual([]);
  });

  test('a document moved to another customer kills its links (what was shared was the first customer’s); a replace for the same customer does not, nor does moving it back', async () => {
    const doc = await publish();
    const link = await createLink(doc.type, doc.id);
    const client = viewer();
    const replaced = await staff(`/documents/${doc.type}/${doc.id}`, { method: 'PUT', body: { customerId: customer.id, name: 'Renamed' } });
    expect(replaced.status).toBe(200);
    expect((await client.get(`/shared/${link.token}`)).body).toMatchObject({ id: doc.id, name: 'Renamed' });
    const other = await createContact({ kind: 'company', name: uniq('Other customer') });
    expect((await staff(`/documents/${doc.type}/${doc.id}`, { method: 'PUT', body: { customerId: other.id, name: 'Now another customer’s' } })).status).toBe(200);
    const after = await client.get(`/shared/${link.token}`);
    expect(after.status).toBe(410);
    expect(after.text).not.toContain('another customer');
    // Staff's listing says so: nothing on the link changed, yet it no longer opens the document.
    expect((await linksOf(doc.type, doc.id)).body.items).toMatchObject([{ id: link.id, live: false }]);
    // Moved back (a correction undone): the link opens the document while it is the first customer's.
    expect((await staff(`/documents/${doc.type}/${doc.id}`, { method: 'PUT', body: { customerId: customer.id, name: 'Back' } })).status).toBe(200);
    expect((await client.get(`/shared/${link.token}`)).body).toMatchObject({ id: doc.id, name: 'Back' });
    expect((await linksOf(doc.type, doc.id)).body.items).toMatchObject([{ id: link.id, live: true }]);
  });

  test('an archived recipient kills the link; the link without recipient lives on', async () => {
    const doc = await publish();
    const recipient = await createContact({ kind: 'person', name: 'Recipient', email: `${uniq('recipient')}@example.com` });
    const toRecipient = await createLink(doc.type, doc.id, { contactId: recipient.id });
    const open = await createLink(doc.type, doc.id);
    const client = viewer();
    expect((await client.get(`/shared/${toRecipient.token}`)).status).toBe(200);
    expect((await staff(`/contacts/${recipient.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await client.get(`/shared/${toRecipient.token}`)).status).toBe(410);
    expect((await client.get(`/shared/${open.token}`)).status).toBe(200);
    const listed = (await linksOf(doc.type, doc.id)).body.items;
    expect(listed.find((l: { id: string }) => l.id === toRecipient.id)).toMatchObject({ contactId: recipient.id, views: 1, live: false });
    expect(listed.find((l: { id: string }) => l.id === open.id)).toMatchObject({ live: true });
  });

  test('a link killed by archiving its recipient stays dead when the contact is restored; a link made after the restore lives', async () => {
    const doc = await publish();
    const file = await attach(doc, 'kept.pdf', pdf(512));
    const recipient = await createContact({ kind: 'person', name: 'Restored recipient', email: `${uniq('restored')}@example.com` });
    const before = await createLink(doc.type, doc.id, { contactId: recipient.id });
    const client = viewer();
    expect((await staff(`/contacts/${recipient.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await client.get(`/shared/${before.token}`)).status).toBe(410);
    expect((await staff(`/contacts/${recipient.id}/restore`, { method: 'POST' })).status).toBe(200);
    // Like its portal access, which a restore does not bring back: staff who archived the contact ended its links.
    expect((await client.get(`/shared/${before.token}`)).status).toBe(410);
    expect((await linksOf(doc.type, doc.id)).body.items).toMatchObject([{ id: before.id, live: false }]);
    expect((await client.get(`/shared/${before.token}/attachments/${file.id}`)).status).toBe(410);
    const after = await createLink(doc.type, doc.id, { contactId: recipient.id });
    expect((await client.get(`/shared/${after.token}`)).status).toBe(200);
  });

  test('every dead link answers the same 410, byte for byte, with the same headers — and the three headers; for its attachments too', async () => {
    const doc = await publish();
    const file = await attach(doc, 'dead.pdf', pdf(512));
    const [usedUp, expiring, revoked, deleted, toArchived] = await Promise.all([
      createLink(doc.type, doc.id, { maxViews: 1 }),
      createLink(doc.type, doc.id, { expiresAt: new Date(Date.now() + 5000).toISOString() }),
      createLink(doc.type, doc.id),
      publish().then((d) => createLink(d.type, d.id).then((l) => ({ ...l, doc: d }))),
      createContact({ kind: 'person', name: 'To archive' }).then((c) => createLink(doc.type, doc.id, { contactId: c.id }).then((l) => ({ ...l, contactId: c.id }))),
    ]);
    const client = viewer();
    expect((await client.get(`/shared/${usedUp!.token}`)).status).toBe(200);
    await staff(`/documents/${doc.type}/${doc.id}/links/${revoked!.id}`, { method: 'DELETE' });
    await staff(`/documents/${deleted!.doc.type}/${deleted!.doc.id}`, { method: 'DELETE' });
    await staff(`/contacts/${toArchived!.contactId}`, { method: 'DELETE' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiring!.expiresAt) - Date.now()) + 200));

    const dead: [string, string][] = [
      ['unknown', randomBytes(32).toString('base64url')],
      ['malformed', 'not-a-token'],
      ['hostile', '%E2%80%AE%00..'],
      ['used up', usedUp!.token],
      ['expired', expiring!.token],
      ['revoked', revoked!.token],
      ['document deleted', deleted!.token],
      ['recipient archived', toArchived!.token],
    ];
    const answers: [string, ApiResponse][] = [];
    for (const [label, t] of dead) answers.push([label, await client.get(`/shared/${t}`)]);
    for (const [label, res] of answers) {
      expect({ label, status: res.status }).toEqual({ label, status: 410 });
      expect({ label, type: res.headers['content-type'] }).toEqual({ label, type: 'application/problem+json' });
      expectSharedHeaders(res, label);
    }
    // Byte for byte the same body and headers, but for the request each answers: its id, in
    // `x-request-id` and in the problem's `instance` (compared with the id blanked out, nothing else).
    const [first] = answers;
    const reference = withoutRequestId(first![1]);
    expect(reference.text).toContain('"instance":"urn:request:<request-id>"');
    for (const [label, res] of answers) {
      expect({ label, instance: res.body.instance }).toEqual({ label, instance: `urn:request:${res.headers['x-request-id']}` });
      expect({ label, answer: withoutRequestId(res) }).toEqual({ label, answer: reference });
    }
    expect(new Set(answers.map(([, res]) => res.headers['x-request-id'])).size).toBe(answers.length);
    expect(first![1].body).toEqual({ type: 'urn:portal-access:problem:link-unusable', title: 'Link unusable', status: 410, detail: expect.any(String), instance: expect.any(String) });
    // A dead link's attachment is the same 410 too, before any lookup of the attachment (an existing one, an unknown one).
    for (const [label, t] of dead) {
      for (const attachmentId of [file.id, 'a1']) {
        const res = await client.get(`/shared/${t}/attachments/${attachmentId}`);
        expect({ label, attachmentId, status: res.status, answer: withoutRequestId(res) }).toEqual({ label, attachmentId, status: 410, answer: reference });
        expectSharedHeaders(res, `${label}: attachment`);
      }
    }
  });
});

describe('attachments of a shared document', () => {
  test('the view lists the completed ones; each is a 302 to a presigned GET (≤ 60 s, attachment) of exactly the uploaded bytes, counted as no view; revoked: 410', async () => {
    const doc = await publish();
    const other = await publish();
    const bytes = pdf(200 * 1024);
    const file = await attach(doc, 'Facture été №7.pdf', bytes);
    const pending = await attach(doc, 'pending.pdf', pdf(64), false);
    const foreign = await attach(other, 'other.pdf', pdf(64));
    const link = await createLink(doc.type, doc.id);
    const client = viewer();

    const view = await client.get(`/shared/${link.token}`);
    expect(view.status).toBe(200);
    expect(view.body.attachments).toEqual([file]);

    const res = await client.get(`/shared/${link.token}/attachments/${file.id}`);
    expect(res.status).toBe(302);
    expectSharedHeaders(res, 'the redirect');
    const location = new URL(res.headers.location!);
    expect(location.origin).toBe(new URL(stack().s3Endpoint).origin);
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(60);
    // The key is opaque (the attachment's id), the name only in the signed Content-Disposition.
    expect(location.pathname).toBe(`/${stack().attachmentsBucket}/files/${file.id}`);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="Facture ete No7.pdf"; filename*=UTF-8''Facture%20%C3%A9t%C3%A9%20%E2%84%967.pdf`);
    // Downloads count no view: the view above is the only one.
    expect((await linksOf(doc.type, doc.id)).body.items[0]).toMatchObject({ id: link.id, views: 1 });

    // Only the link's own document, only completed files: the same 404 for another document's attachment, a pending one, an unknown one.
    const missing = await Promise.all([foreign.id, pending.id, uniq('att')].map((id) => client.get(`/shared/${link.token}/attachments/${id}`)));
    for (const miss of missing) {
      expect(miss.status).toBe(404);
      expect(miss.headers['content-type']).toBe('application/problem+json');
      expectSharedHeaders(miss, 'attachment 404');
    }
    expect(new Set(missing.map((m) => withoutRequestId(m).text)).size).toBe(1);

    expect((await staff(`/documents/${doc.type}/${doc.id}/links/${link.id}`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await client.get(`/shared/${link.token}/attachments/${file.id}`);
    expect(revoked.status).toBe(410);
    expect(withoutRequestId(revoked)).toEqual(withoutRequestId(await client.get(`/shared/${link.token}`)));
  });

  test('a live link: an unknown attachment is 404 and counts no view; a used-up link (maxViews) is 410 for its attachments too', async () => {
    const doc = await publish();
    const file = await attach(doc, 'used.pdf', pdf(64));
    const link = await createLink(doc.type, doc.id, { maxViews: 1 });
    const client = viewer();
    expect((await client.get(`/shared/${link.token}/attachments/${uniq('att')}`)).status).toBe(404);
    expect((await client.get(`/shared/${link.token}/attachments/${file.id}`)).status).toBe(302);
    expect((await linksOf(doc.type, doc.id)).body.items[0]).toMatchObject({ views: 0 });
    expect((await client.get(`/shared/${link.token}`)).status).toBe(200);
    expect((await client.get(`/shared/${link.token}/attachments/${file.id}`)).status).toBe(410);
  });
});

describe('rate limit', () => {
  test(`one client gets 429 (problem+json, Retry-After) beyond a burst of ${SHARED_THROTTLE.burstLimit}; another client is not slowed down`, async () => {
    const greedy = viewer();
    const path = `/shared/${randomBytes(32).toString('base64url')}`;
    const answers = await Promise.all(Array.from({ length: SHARED_THROTTLE.burstLimit + 30 }, () => greedy.get(path)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 410 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 410).length).toBeGreaterThanOrEqual(SHARED_THROTTLE.burstLimit);
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const res of throttled) {
      expect(res.headers['content-type']).toBe('application/problem+json');
      // The local stack's answer (API Gateway's own 429 in AWS has no problem body: problem-types.ts).
      expect(res.body).toMatchObject({ type: 'urn:portal-access:problem:throttled', status: 429, title: 'Too many requests', instance: `urn:request:${res.headers['x-request-id']}` });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // The OpenAPI document declares the three headers on the 429 too: the local stack's throttle sends them.
      expectSharedHeaders(res, '429');
    }
    // The published OpenAPI document declares the header the answer carries, so a client generated from it knows to wait.
    const openapi = (await api('/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>> };
    expect(Object.keys(openapi.paths['/shared/{token}']!.get!.responses['429']!.headers ?? {})).toContain('Retry-After');
    expect((await viewer().get(path)).status).toBe(410);
    // The staff's own routes are not throttled per client.
    expect((await staff('/health')).status).toBe(200);
    // Waiting as told is enough.
    await new Promise((resolve) => setTimeout(resolve, Number(throttled[0]!.headers['retry-after']) * 1000));
    expect((await greedy.get(path)).status).toBe(410);
  });
});

describe('answers made before the function', () => {
  test('a method the routes do not support is 405 with Allow and the three headers (the OpenAPI document declares them on every answer)', async () => {
    const token = randomBytes(32).toString('base64url');
    for (const [method, path] of [['POST', `/shared/${token}`], ['DELETE', `/shared/${token}`], ['PUT', `/shared/${token}/attachments/${uniq('att')}`]] as const) {
      const res = await api(path, { method });
      expect({ method, path, status: res.status, allow: res.headers.allow, type: res.body?.type }).toEqual({ method, path, status: 405, allow: 'GET', type: 'urn:portal-access:problem:method-not-allowed' });
      expectSharedHeaders(res, `${method} ${path}`);
    }
  });
});

describe('audit and secrecy', () => {
  let link: CreatedLink;
  let doc: { type: string; id: string };

  beforeAll(async () => {
    doc = await publish();
    link = await createLink(doc.type, doc.id, { maxViews: 5 });
    await viewer().get(`/shared/${link.token}`);
    expect((await staff(`/documents/${doc.type}/${doc.id}/links/${link.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`/documents/${doc.type}/${doc.id}/links/${link.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  test('creating and revoking are audited on the document’s customer, with actor and link id, once each', async () => {
    const audit = await staff(`/contacts/${customer.id}/audit?limit=100`);
    expect(audit.status).toBe(200);
    const entries = (audit.body.items as { action: string; actor: string; contactId: string; details: { linkId?: string } }[]).filter((e) => e.details.linkId === link.id);
    expect(entries.map((e) => e.action)).toEqual(['link.revoked', 'link.created']);
    for (const entry of entries) expect(entry).toMatchObject({ actor: 'staff:admin', contactId: customer.id, details: { linkId: link.id, documentType: doc.type, documentId: doc.id } });
    expect(entries[1]!.details).toMatchObject({ maxViews: 5, expiresAt: link.expiresAt });
  });

  test('no listing, audit entry or staff answer holds the token or its hash', async () => {
    const texts = [
      (await linksOf(doc.type, doc.id)).text,
      (await staff(`/contacts/${customer.id}/audit?limit=100`)).text,
      (await staff(`/documents/${doc.type}/${doc.id}`)).text,
      (await staff(`/documents?customerId=${customer.id}`)).text,
      (await staff(`/documents/${doc.type}/${doc.id}/grants`)).text,
    ];
    for (const text of texts) {
      expect(text).not.toContain(link.token);
      expect(text).not.toContain(sha256(link.token));
    }
    expect(texts[0]).toContain(link.id);
  });
});
