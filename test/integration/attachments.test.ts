/**
 * Attachments over HTTP against the local S3 emulator (local/s3.ts, which verifies SigV4): staff
 * announce, upload through the presigned PUT and complete; portal users download through presigned
 * GETs, only for documents they see. The emulator's bucket is read back with the AWS SDK's own S3
 * client, so what is checked there does not depend on the code under test.
 */
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { UPLOAD_CORS } from '../../lambdas/contract/cors';
import { createContact, createPortalUser, setPortalStatus, type PortalUser } from './support/portal-users';
import { adminToken, api, stack, uniq, withoutInstance } from './support/stack';

jest.setTimeout(120_000);

let staffToken: string;
const staff = (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token: staffToken });
const portal = (user: PortalUser, path: string) => api(path, { token: user.token });

let s3: S3Client;
/** Every key of the attachments bucket that names `attachmentId`. */
async function objectKeys(...attachmentIds: string[]): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: stack().attachmentsBucket }));
  return (out.Contents ?? []).map((o) => o.Key!).filter((key) => attachmentIds.some((id) => key.endsWith(`/${id}`)));
}

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

interface Ticket {
  id: string;
  uploadUrl: string;
  expiresAt: string;
  uploadHeaders: Record<string, string>;
}

async function publish(customerId: string): Promise<string> {
  const path = `/documents/invoice/${uniq('inv')}`;
  const res = await staff(path, { method: 'PUT', body: { customerId, name: 'Invoice', date: '2026-11-30' } });
  expect(res.status).toBe(201);
  return path;
}

async function announce(doc: string, fileName: string, contentType: string, size: number): Promise<Ticket> {
  const res = await staff(`${doc}/attachments`, { method: 'POST', body: { fileName, contentType, size } });
  expect({ status: res.status, text: res.text }).toEqual({ status: 201, text: expect.any(String) });
  return res.body as Ticket;
}

const upload = (url: string, bytes: Buffer, contentType: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'PUT', body: bytes, headers: { 'content-type': contentType, ...headers } });

/** Announce, upload and complete a PDF: the attachment as the API answers it. */
async function attach(doc: string, fileName: string, bytes = pdf(2048)) {
  const ticket = await announce(doc, fileName, 'application/pdf', bytes.length);
  expect((await upload(ticket.uploadUrl, bytes, 'application/pdf')).status).toBe(200);
  const done = await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' });
  expect(done.status).toBe(200);
  return { ...(done.body as { id: string; fileName: string; contentType: string; size: number }), bytes };
}

let companyA: string;
let companyB: string;
let userA: PortalUser;
let userB: PortalUser;

beforeAll(async () => {
  staffToken = await adminToken();
  s3 = new S3Client({
    region: stack().region,
    endpoint: stack().s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  companyA = (await createContact({ kind: 'company', name: uniq('Attach A') })).id;
  companyB = (await createContact({ kind: 'company', name: uniq('Attach B') })).id;
  [userA, userB] = await Promise.all([
    createPortalUser({ name: 'Ann', email: `${uniq('att-a')}@a.example.com`, companyId: companyA }),
    createPortalUser({ name: 'Bob', email: `${uniq('att-b')}@b.example.com`, companyId: companyB }),
  ]);
});

afterAll(() => s3.destroy());

describe('upload, complete, download', () => {
  it('the portal user downloads exactly the uploaded bytes, under its name, through a presigned GET of at most 60 s', async () => {
    const doc = await publish(companyA);
    const fileName = 'Facture été 2026 №1 (copy).pdf';
    const bytes = pdf(300 * 1024);
    const ticket = await announce(doc, fileName, 'application/pdf', bytes.length);
    expect(ticket.uploadHeaders).toEqual({ 'Content-Type': 'application/pdf' });
    const validFor = Date.parse(ticket.expiresAt) - Date.now();
    expect(validFor).toBeGreaterThan(14 * 60 * 1000);
    expect(validFor).toBeLessThanOrEqual(15 * 60 * 1000);
    // The key is opaque: no file name, no customer in the URL.
    expect(ticket.uploadUrl).not.toMatch(/Facture|%C3%A9t|invoice/i);
    expect(ticket.uploadUrl).not.toContain(companyA);

    expect((await upload(ticket.uploadUrl, bytes, 'application/pdf')).status).toBe(200);
    // Uploaded, not completed: staff see it pending, the portal not at all.
    const before = await staff(`${doc}/attachments`);
    expect(before.body).toEqual({ items: [], pending: [{ id: ticket.id, fileName, contentType: 'application/pdf', size: bytes.length, expiresAt: ticket.expiresAt }] });
    expect((await portal(userA, `/portal${doc}`)).body.attachments).toEqual([]);
    expect((await portal(userA, `/portal${doc}/attachments/${ticket.id}`)).status).toBe(404);

    const done = await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' });
    expect(done.status).toBe(200);
    const attachment = { id: ticket.id, fileName, contentType: 'application/pdf', size: bytes.length };
    expect(done.body).toEqual(attachment);
    // Completing again answers the same.
    expect((await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' })).body).toEqual(attachment);
    expect((await staff(`${doc}/attachments`)).body).toEqual({ items: [attachment], pending: [] });

    const shown = await portal(userA, `/portal${doc}`);
    expect(shown.status).toBe(200);
    expect(shown.body.attachments).toEqual([attachment]);

    const link = await portal(userA, `/portal${doc}/attachments/${ticket.id}`);
    expect(link.status).toBe(200);
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const file = await fetch(link.body.url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="Facture ete 2026 No1 (copy).pdf"; filename*=UTF-8''Facture%20%C3%A9t%C3%A9%202026%20%E2%84%961%20%28copy%29.pdf`,
    );

    // In the bucket: the completed file only, under an opaque key.
    expect(await objectKeys(ticket.id)).toEqual([`files/${ticket.id}`]);
  });

  it('no cache may keep a downloaded file: the presigned GET answers Cache-Control: private, no-store', async () => {
    // A shared proxy must not serve the file again, nor the browser keep a customer's invoice on disk after sign-out.
    const doc = await publish(companyA);
    const bytes = pdf(1024);
    const ticket = await announce(doc, 'invoice.pdf', 'application/pdf', bytes.length);
    expect((await upload(ticket.uploadUrl, bytes, 'application/pdf')).status).toBe(200);
    expect((await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' })).status).toBe(200);

    const link = await portal(userA, `/portal${doc}/attachments/${ticket.id}`);
    const file = await fetch(link.body.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('private, no-store');
  });

  it('a portal user of another company gets 404 for the document and for its attachment, like for one that does not exist', async () => {
    const doc = await publish(companyA);
    const { id } = await attach(doc, 'a.pdf');
    const missing = await portal(userB, `/portal${doc}/attachments/${uniq('nothing').replace(/-/g, '_')}`);
    expect(missing.status).toBe(404);
    const res = await portal(userB, `/portal${doc}/attachments/${id}`);
    expect(res.status).toBe(404);
    expect(withoutInstance(res.body)).toEqual(withoutInstance(missing.body));
    expect(res.text).not.toContain('a.pdf');
    expect((await portal(userB, `/portal${doc}`)).status).toBe(404);
  });

  it('an attachment id of one document is 404 under another document the user sees', async () => {
    const [doc1, doc2] = [await publish(companyA), await publish(companyA)];
    const { id } = await attach(doc1, 'one.pdf');
    expect((await portal(userA, `/portal${doc2}/attachments/${id}`)).status).toBe(404);
    expect((await portal(userA, `/portal${doc1}/attachments/${id}`)).status).toBe(200);
  });

  it('a revoked portal user gets 401, although its token is still valid', async () => {
    const doomed = await createPortalUser({ name: 'Revoked', email: `${uniq('att-r')}@a.example.com`, companyId: companyA });
    const doc = await publish(companyA);
    const { id } = await attach(doc, 'r.pdf');
    expect((await portal(doomed, `/portal${doc}/attachments/${id}`)).status).toBe(200);
    await setPortalStatus(doomed.contact.id, 'revoked');
    const res = await portal(doomed, `/portal${doc}/attachments/${id}`);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toContain('X-Amz');
  });

  it('a presigned download fails after its expiry, with a changed signature, and without one', async () => {
    const doc = await publish(companyA);
    const { id } = await attach(doc, 'e.pdf');
    const link = await portal(userA, `/portal${doc}/attachments/${id}`);
    const url = new URL(link.body.url);
    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect((await fetch(tampered)).status).toBe(403);
    const anonymous = `${url.origin}${url.pathname}`;
    expect((await fetch(anonymous)).status).toBe(403);
    // A longer lifetime in the query is a different request: the signature no longer matches.
    const stretched = new URL(url);
    stretched.searchParams.set('X-Amz-Expires', '3600');
    expect((await fetch(stretched)).status).toBe(403);

    expect((await fetch(url)).status).toBe(200);
    // The local stack of the tests shortens the lifetime (ATTACHMENT_DOWNLOAD_URL_SECONDS); AWS keeps 60 s.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(link.body.expiresAt) - Date.now()) + 1500));
    const late = await fetch(url);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
  });
});

describe('completing at once', () => {
  it('several completes of one upload at once all answer the attachment (a retry racing the first is no 409); one file, one record', async () => {
    const doc = await publish(companyA);
    const bytes = pdf(64 * 1024);
    const ticket = await announce(doc, 'twice.pdf', 'application/pdf', bytes.length);
    expect((await upload(ticket.uploadUrl, bytes, 'application/pdf')).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 6 }, () => staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' })));
    const attachment = { id: ticket.id, fileName: 'twice.pdf', contentType: 'application/pdf', size: bytes.length };
    expect(answers.map((a) => ({ status: a.status, body: a.body }))).toEqual(answers.map(() => ({ status: 200, body: attachment })));
    expect((await staff(`${doc}/attachments`)).body).toEqual({ items: [attachment], pending: [] });
    expect(await objectKeys(ticket.id)).toEqual([`files/${ticket.id}`]);
    const link = await portal(userA, `/portal${doc}/attachments/${ticket.id}`);
    expect(Buffer.from(await (await fetch(link.body.url)).arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('what complete refuses', () => {
  it('a declared PDF that is not one is 409 at complete and never shows; the right file to the same URL then completes', async () => {
    const doc = await publish(companyA);
    const fake = Buffer.from('<html><script>alert(1)</script></html>');
    const ticket = await announce(doc, 'invoice.pdf', 'application/pdf', fake.length);
    expect((await upload(ticket.uploadUrl, fake, 'application/pdf')).status).toBe(200);
    const refused = await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toMatch(/not a PDF/);
    expect((await portal(userA, `/portal${doc}`)).body.attachments).toEqual([]);
    expect((await portal(userA, `/portal${doc}/attachments/${ticket.id}`)).status).toBe(404);

    const real = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(fake.length - 9)]);
    expect((await upload(ticket.uploadUrl, real, 'application/pdf')).status).toBe(200);
    expect((await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' })).status).toBe(200);
    expect((await portal(userA, `/portal${doc}`)).body.attachments).toEqual([expect.objectContaining({ id: ticket.id })]);
  });

  it('the upload URL is bound to the declared size and type: another length or type is refused by S3, and complete finds nothing', async () => {
    const doc = await publish(companyA);
    const bytes = pdf(1000);
    const ticket = await announce(doc, 'sized.pdf', 'application/pdf', bytes.length);
    const longer = await upload(ticket.uploadUrl, Buffer.concat([bytes, Buffer.from('x')]), 'application/pdf');
    expect(longer.status).toBe(403);
    expect(await longer.text()).toContain('SignatureDoesNotMatch');
    expect((await upload(ticket.uploadUrl, bytes.subarray(1), 'application/pdf')).status).toBe(403);
    expect((await upload(ticket.uploadUrl, bytes, 'text/html')).status).toBe(403);
    const nothing = await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' });
    expect(nothing.status).toBe(409);
    expect(nothing.body.detail).toMatch(/Nothing has been uploaded/);
    expect(await objectKeys(ticket.id)).toEqual([]);
  });

  it('a binary file declared as text is 409; a PNG must start like one', async () => {
    const doc = await publish(companyA);
    const binary = Buffer.from([0x41, 0x00, 0x42, 0x43]);
    const text = await announce(doc, 'notes.txt', 'text/plain', binary.length);
    await upload(text.uploadUrl, binary, 'text/plain');
    expect((await staff(`${doc}/attachments/${text.id}/complete`, { method: 'POST' })).status).toBe(409);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    const png = await announce(doc, 'scan.png', 'image/png', jpeg.length);
    await upload(png.uploadUrl, jpeg, 'image/png');
    const res = await staff(`${doc}/attachments/${png.id}/complete`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/not a PNG/);
  });
});

describe('announcing', () => {
  it('refuses unsafe or mismatched file names, other types and sizes beyond 25 MiB (400 with the path)', async () => {
    const doc = await publish(companyA);
    const bad: [Record<string, unknown>, string][] = [
      [{ fileName: '../../etc/passwd.pdf', contentType: 'application/pdf', size: 10 }, 'fileName'],
      [{ fileName: 'a\\b.pdf', contentType: 'application/pdf', size: 10 }, 'fileName'],
      [{ fileName: 'invoice\u202Efdp.exe', contentType: 'application/pdf', size: 10 }, 'fileName'],
      [{ fileName: 'in\u0000voice.pdf', contentType: 'application/pdf', size: 10 }, 'fileName'],
      [{ fileName: 'invoice.html', contentType: 'text/plain', size: 10 }, 'fileName'],
      [{ fileName: 'x'.repeat(197) + '.pdf', contentType: 'application/pdf', size: 10 }, 'fileName'],
      [{ fileName: 'a.svg', contentType: 'image/svg+xml', size: 10 }, 'contentType'],
      [{ fileName: 'a.pdf', contentType: 'application/pdf', size: 25 * 1024 * 1024 + 1 }, 'size'],
      [{ fileName: 'a.pdf', contentType: 'application/pdf', size: 0 }, 'size'],
      [{ fileName: 'a.pdf', contentType: 'application/pdf', size: 10, key: 'files/x' }, 'key'],
    ];
    for (const [body, path] of bad) {
      const res = await staff(`${doc}/attachments`, { method: 'POST', body });
      expect({ body, status: res.status, paths: (res.body.errors as { path: string }[]).map((e) => e.path) }).toEqual({ body, status: 400, paths: [path] });
    }
    const largest = await staff(`${doc}/attachments`, { method: 'POST', body: { fileName: 'big.pdf', contentType: 'application/pdf', size: 25 * 1024 * 1024 } });
    expect(largest.status).toBe(201);
  });

  it('on a document that does not exist, every attachment route is 404', async () => {
    const doc = `/documents/invoice/${uniq('missing')}`;
    expect((await staff(`${doc}/attachments`, { method: 'POST', body: { fileName: 'a.pdf', contentType: 'application/pdf', size: 10 } })).status).toBe(404);
    expect((await staff(`${doc}/attachments`)).status).toBe(404);
    expect((await staff(`${doc}/attachments/abc/complete`, { method: 'POST' })).status).toBe(404);
    expect((await staff(`${doc}/attachments/abc`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('deleting', () => {
  it('DELETE of an attachment is 204, removes its object, and the portal no longer shows or serves it', async () => {
    const doc = await publish(companyA);
    const kept = await attach(doc, 'kept.pdf');
    const gone = await attach(doc, 'gone.pdf');
    const link = await portal(userA, `/portal${doc}/attachments/${gone.id}`);
    expect(await objectKeys(gone.id)).toEqual([`files/${gone.id}`]);

    expect((await staff(`${doc}/attachments/${gone.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await objectKeys(gone.id)).toEqual([]);
    // 404 here; 403 in AWS, where the portal's role may not list the bucket.
    expect((await fetch(link.body.url)).ok).toBe(false);
    expect((await portal(userA, `/portal${doc}`)).body.attachments).toEqual([{ id: kept.id, fileName: 'kept.pdf', contentType: 'application/pdf', size: kept.size }]);
    expect((await portal(userA, `/portal${doc}/attachments/${gone.id}`)).status).toBe(404);
    expect((await staff(`${doc}/attachments/${gone.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('deleting the document removes the objects of its attachments, completed and pending alike', async () => {
    const doc = await publish(companyA);
    const done = await attach(doc, 'done.pdf');
    const bytes = pdf(500);
    const pending = await announce(doc, 'pending.pdf', 'application/pdf', bytes.length);
    await upload(pending.uploadUrl, bytes, 'application/pdf');
    expect((await objectKeys(done.id, pending.id)).sort()).toEqual([`files/${done.id}`, `pending/${pending.id}`]);

    expect((await staff(doc, { method: 'DELETE' })).status).toBe(204);
    expect(await objectKeys(done.id, pending.id)).toEqual([]);
    expect((await staff(`${doc}/attachments`)).status).toBe(404);
    // Published again under the same id, it starts without attachments.
    expect((await staff(doc, { method: 'PUT', body: { customerId: companyA, name: 'Again' } })).status).toBe(201);
    expect((await staff(`${doc}/attachments`)).body).toEqual({ items: [], pending: [] });
    expect((await portal(userA, `/portal${doc}`)).body.attachments).toEqual([]);
  });
});

describe('the browser upload from the admin console (CORS)', () => {
  it('each admin origin may PUT with Content-Type; another origin, or another method, is refused', async () => {
    // The stack's admin origins (ADMIN_ORIGINS) and the bucket's rule (contract/cors.ts), as the bucket in AWS gets them.
    const [adminOrigin, ...otherAdminOrigins] = stack().adminOrigins;
    expect(adminOrigin).toBeDefined();
    const doc = await publish(companyA);
    const bytes = pdf(100);
    const ticket = await announce(doc, 'browser.pdf', 'application/pdf', bytes.length);
    const preflight = (origin: string, method: string, headers = 'content-type') =>
      fetch(ticket.uploadUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

    for (const origin of [adminOrigin!, ...otherAdminOrigins]) {
      const allowed = await preflight(origin, 'PUT');
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('access-control-allow-methods')).toBe(UPLOAD_CORS.allowMethods.join(', '));
      expect(allowed.headers.get('access-control-allow-headers')).toBe('content-type');
    }
    expect((await preflight('https://evil.example', 'PUT')).status).toBe(403);
    expect((await preflight(`${adminOrigin}.evil.example`, 'PUT')).status).toBe(403);
    expect((await preflight(adminOrigin!, 'DELETE')).status).toBe(403);
    expect((await preflight(adminOrigin!, 'PUT', 'content-type,x-amz-acl')).status).toBe(403);

    const put = await upload(ticket.uploadUrl, bytes, 'application/pdf', { origin: adminOrigin! });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(adminOrigin);
    expect((await staff(`${doc}/attachments/${ticket.id}/complete`, { method: 'POST' })).status).toBe(200);
  });
});
