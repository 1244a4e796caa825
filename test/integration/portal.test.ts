/**
 * The read-only portal over HTTP with real customer-pool tokens. Two companies, each with portal
 * users (made by the FIXTURE in support/portal-users.ts, not by the invitation flow), documents of all
 * ten types for each company and person, and explicit shares; every user must see exactly its own set.
 */
import { DOCUMENT_TYPES, type DocumentType } from '../../lambdas/contract/document-types';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { documentItem } from '../../lambdas/adapters/dynamodb/documents-store';
import { createContact, createPortalUser, seedDocuments, setArchived, setPortalStatus, type PortalUser } from './support/portal-users';
import { adminToken, api, uniq, withoutInstance } from './support/stack';

type Page = { items: Document[]; nextCursor?: string };

let staffToken: string;
const staff = (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token: staffToken });
const portal = (user: PortalUser, path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token: user.token });

async function publish(type: DocumentType, customerId: string, name: string, date?: string): Promise<Document> {
  const res = await staff(`/documents/${type}/${uniq(type)}`, { method: 'PUT', body: { customerId, name, ...(date ? { date } : {}) } });
  if (res.status !== 201) throw new Error(`PUT document → ${res.status} ${res.text}`);
  return res.body as Document;
}

/** Every document a portal user can list, page by page (asserting no page is empty). */
async function listAll(user: PortalUser, query = '', limit = 7): Promise<Document[]> {
  const all: Document[] = [];
  let cursor: string | undefined;
  do {
    const res = await portal(user, `/portal/documents?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    const page = res.body as Page;
    expect(page.items.length).toBeGreaterThan(0);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

const orderKey = (d: Document) => `${d.date ? new Date(d.date.length === 10 ? `${d.date}T00:00:00.000Z` : d.date).toISOString() : '0000-00-00T00:00:00.000Z'}#${d.type}#${d.id}`;
const newestFirst = (docs: Document[]) => [...docs].sort((a, b) => (orderKey(a) < orderKey(b) ? 1 : -1));
const ref = (d: Pick<Document, 'type' | 'id'>) => `${d.type}/${d.id}`;

describe('two companies in the portal', () => {
  let a1: PortalUser; // person of company A
  let a2: PortalUser; // person of company A
  let b1: PortalUser; // person of company B
  let companyA: string;
  let companyB: string;
  const docs: Record<string, Document[]> = { A: [], a1: [], a2: [], B: [], b1: [] };
  let sharedFromB: Document; // B's invoice, explicitly shared with a1
  let sharedFromA2: Document; // a2's task, explicitly shared with a1
  let sharedWithOwnCustomer: Document; // A's lead, also explicitly granted to a1 (listed once)
  const companyNames = { A: uniq('Company A'), B: uniq('Company B') };

  beforeAll(async () => {
    staffToken = await adminToken();
    companyA = (await createContact({ kind: 'company', name: companyNames.A })).id;
    companyB = (await createContact({ kind: 'company', name: companyNames.B })).id;
    [a1, a2, b1] = await Promise.all([
      createPortalUser({ name: 'Ann A1', email: `${uniq('a1')}@a.example.com`, companyId: companyA }),
      createPortalUser({ name: 'Al A2', email: `${uniq('a2')}@a.example.com`, companyId: companyA }),
      createPortalUser({ name: 'Bea B1', email: `${uniq('b1')}@b.example.com`, companyId: companyB }),
    ]);
    const owners: Record<string, string> = { A: companyA, a1: a1.contact.id, a2: a2.contact.id, B: companyB, b1: b1.contact.id };
    await Promise.all(
      Object.entries(owners).flatMap(([owner, customerId], o) =>
        DOCUMENT_TYPES.map(async (type, t) => {
          // Dates spread over the year; one undated document per owner (sorts last).
          const date = t === 3 ? undefined : `2026-${String(((t * 5 + o) % 12) + 1).padStart(2, '0')}-${String(((t * 7 + o * 3) % 28) + 1).padStart(2, '0')}`;
          docs[owner]!.push(await publish(type, customerId, `${owner} ${type}`, date));
        }),
      ),
    );
    const find = (owner: string, type: DocumentType) => docs[owner]!.find((d) => d.type === type)!;
    sharedFromB = find('B', 'invoice');
    sharedFromA2 = find('a2', 'task');
    sharedWithOwnCustomer = find('A', 'lead');
    for (const d of [sharedFromB, sharedFromA2, sharedWithOwnCustomer]) {
      const res = await staff(`/documents/${d.type}/${d.id}/grants`, { method: 'POST', body: { contactId: a1.contact.id } });
      expect(res.status).toBe(201);
    }
  }, 120_000);

  const visibleTo = (user: 'a1' | 'a2' | 'b1'): Document[] =>
    user === 'a1' ? [...docs.A!, ...docs.a1!, sharedFromB, sharedFromA2] : user === 'a2' ? [...docs.A!, ...docs.a2!] : [...docs.B!, ...docs.b1!];
  const users = () => ({ a1, a2, b1 });

  test.each(['a1', 'a2', 'b1'] as const)('%s lists exactly its own set, newest date first, each once, across all ten types', async (name) => {
    const listed = await listAll(users()[name]);
    expect(listed.map(ref)).toEqual(newestFirst(visibleTo(name)).map(ref));
    expect(new Set(listed.map((d) => d.type))).toEqual(new Set(DOCUMENT_TYPES));
  });

  test('the type filter lists only that type, from every source (company, own, shared)', async () => {
    const invoices = await listAll(a1, '&type=invoice', 2);
    expect(invoices.map(ref)).toEqual(newestFirst(visibleTo('a1').filter((d) => d.type === 'invoice')).map(ref));
    expect(invoices.map(ref)).toContain(ref(sharedFromB));
  });

  test('GET /portal/me: the contact, its company and per-type counts that match the listing', async () => {
    for (const name of ['a1', 'a2', 'b1'] as const) {
      const user = users()[name];
      const res = await portal(user, '/portal/me');
      expect(res.status).toBe(200);
      const counts = Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, visibleTo(name).filter((d) => d.type === type).length]));
      expect(res.body).toEqual({
        contact: { id: user.contact.id, name: user.contact.name, email: user.email },
        company: { id: name === 'b1' ? companyB : companyA, name: name === 'b1' ? companyNames.B : companyNames.A },
        counts,
      });
    }
  });

  test('a visible document is 200 by id; the other company’s (or a colleague’s unshared one) is 404, like a missing one', async () => {
    for (const d of visibleTo('a1')) {
      const res = await portal(a1, `/portal/documents/${d.type}/${d.id}`);
      expect(res.status).toBe(200);
      // w2: the document with its attachments (none here: test/integration/attachments.test.ts has them).
      expect(res.body).toEqual({ ...d, attachments: [] });
    }
    const hidden = [...docs.B!.filter((d) => d !== sharedFromB), ...docs.b1!, ...docs.a2!.filter((d) => d !== sharedFromA2)];
    for (const d of hidden) {
      const res = await portal(a1, `/portal/documents/${d.type}/${d.id}`);
      expect(res.status).toBe(404);
    }
    const missing = await portal(a1, `/portal/documents/invoice/${uniq('missing')}`);
    expect(missing.status).toBe(404);
    const other = await portal(b1, `/portal/documents/${docs.A![0]!.type}/${docs.A![0]!.id}`);
    expect(other.status).toBe(404);
    // Same answer whether the document exists or not: nothing leaks.
    expect(withoutInstance(other.body)).toEqual(withoutInstance(missing.body));
  });

  test('newest date first also for dates whose offset takes them past year 9999 or before year 0 in UTC; undated last', async () => {
    const company = (await createContact({ kind: 'company', name: uniq('Edge dates') })).id;
    const viewer = await createPortalUser({ name: 'Eve Edge', email: `${uniq('edge')}@e.example.com`, companyId: company });
    // Published in an order that their type and id alone would not put right (ids grow).
    const dates = ['0000-01-01', '2026-03-01', '9999-12-31T23:00:00-02:00', undefined, '0000-01-01T00:30:00+01:00', '9999-12-31T23:59:59.999Z'];
    for (const date of dates) await publish('invoice', company, `dated ${date ?? 'never'}`, date);
    const expected = ['9999-12-31T23:00:00-02:00', '9999-12-31T23:59:59.999Z', '2026-03-01', '0000-01-01', '0000-01-01T00:30:00+01:00', undefined];
    expect((await listAll(viewer, '', 1)).map((d) => d.date)).toEqual(expected);
    const listed = await staff(`/documents?customerId=${company}`);
    expect((listed.body as Page).items.map((d) => d.date)).toEqual(expected);
  });

  test('a forged cursor cannot reach another company’s documents', async () => {
    const first = (await portal(a1, '/portal/documents?limit=1')).body as Page;
    const decoded = JSON.parse(Buffer.from(first.nextCursor!, 'base64url').toString('utf8')) as { s: string; k: Record<string, string> };
    const forge = (k: Record<string, string>, s = decoded.s) => Buffer.from(JSON.stringify({ s, k })).toString('base64url');

    // A position just above each of B's documents: whatever a1 lists from there is still a1's own.
    const mine = new Set(visibleTo('a1').map(ref));
    for (const d of docs.B!.slice(0, 4)) {
      const res = await portal(a1, `/portal/documents?limit=100&cursor=${forge({ o: `${orderKey(d)}z` })}`);
      expect(res.status).toBe(200);
      for (const item of (res.body as Page).items) expect(mine.has(ref(item))).toBe(true);
    }
    // Another partition, another user's scope, or garbage: 400.
    const b1Cursor = ((await portal(b1, '/portal/documents?limit=1')).body as Page).nextCursor!;
    for (const cursor of [forge({ o: decoded.k.o!, gsi1pk: `CUSTOMER#${companyB}` }), forge({ gsi1pk: `CUSTOMER#${companyB}`, gsi1sk: '9' }), b1Cursor, 'not-a-cursor']) {
      const res = await portal(a1, `/portal/documents?cursor=${cursor}`);
      expect(res.status).toBe(400);
    }
    expect((await portal(a1, '/portal/documents?limit=0')).status).toBe(400);
  });

  test('every write under /portal is 405 with Allow', async () => {
    for (const [method, path] of [
      ['POST', '/portal/documents'],
      ['PUT', `/portal/documents/invoice/${docs.a1![0]!.id}`],
      ['DELETE', `/portal/documents/invoice/${docs.a1![0]!.id}`],
      ['PATCH', '/portal/me'],
      ['POST', '/portal/me'],
      ['DELETE', '/portal/me'],
    ] as const) {
      const res = await portal(a1, path, { method, body: {} });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 405 });
      expect(res.headers['allow']).toBe('GET');
    }
  });

  test('staff changes show at once: a deleted document disappears, a moved one changes hands, counts follow', async () => {
    const moving = await publish('ticket', a2.contact.id, 'Moving ticket', '2026-12-30');
    const count = async (user: PortalUser) => ((await portal(user, '/portal/me')).body as { counts: Record<DocumentType, number> }).counts.ticket;
    const [a2Before, b1Before] = [await count(a2), await count(b1)];
    expect((await portal(a2, `/portal/documents/ticket/${moving.id}`)).status).toBe(200);

    await staff(`/documents/ticket/${moving.id}`, { method: 'PUT', body: { customerId: b1.contact.id, name: 'Moved ticket', date: '2026-12-30' } });
    expect((await portal(a2, `/portal/documents/ticket/${moving.id}`)).status).toBe(404);
    expect((await portal(b1, `/portal/documents/ticket/${moving.id}`)).body).toMatchObject({ name: 'Moved ticket', customerId: b1.contact.id });
    expect([await count(a2), await count(b1)]).toEqual([a2Before - 1, b1Before + 1]);
    expect(((await portal(b1, '/portal/documents?limit=1')).body as Page).items[0]?.id).toBe(moving.id);

    await staff(`/documents/ticket/${moving.id}`, { method: 'DELETE' });
    expect((await portal(b1, `/portal/documents/ticket/${moving.id}`)).status).toBe(404);
    expect(await count(b1)).toBe(b1Before);

    // A share withdrawn: gone from a1's listing and by id.
    const shared = await publish('signature', companyB, 'Shared then unshared', '2026-12-31');
    await staff(`/documents/signature/${shared.id}/grants`, { method: 'POST', body: { contactId: a1.contact.id } });
    expect((await portal(a1, `/portal/documents/signature/${shared.id}`)).status).toBe(200);
    await staff(`/documents/signature/${shared.id}/grants/${a1.contact.id}`, { method: 'DELETE' });
    expect((await portal(a1, `/portal/documents/signature/${shared.id}`)).status).toBe(404);
    expect((await listAll(a1, '&type=signature')).map(ref)).not.toContain(ref(shared));
    await staff(`/documents/signature/${shared.id}`, { method: 'DELETE' });
  });
});

describe('the access record decides on every request', () => {
  beforeAll(async () => {
    staffToken = await adminToken();
  });

  test("a revoked user's still-valid token is 401 on the very next request", async () => {
    const user = await createPortalUser({ name: 'Soon revoked', email: `${uniq('rev')}@example.com` });
    expect((await portal(user, '/portal/me')).status).toBe(200);
    await setPortalStatus(user.contact.id, 'revoked');
    for (const path of ['/portal/me', '/portal/documents', `/portal/documents/invoice/${uniq('x')}`]) {
      const res = await portal(user, path);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/problem+json');
      // The title tells the page "your access ended" from "your session expired" (API.md, "The pages").
      expect(res.body).toMatchObject({ status: 401, title: 'Portal access ended' });
    }
  });

  test('an invited (not yet accepted) or archived contact cannot use the portal', async () => {
    const invited = await createPortalUser({ name: 'Invited', email: `${uniq('inv')}@example.com` });
    await setPortalStatus(invited.contact.id, 'invited');
    expect(await portal(invited, '/portal/me')).toMatchObject({ status: 401, body: { title: 'Portal access ended' } });

    const archived = await createPortalUser({ name: 'Archived', email: `${uniq('arc')}@example.com` });
    await setArchived(archived.contact.id, true);
    expect(await portal(archived, '/portal/documents')).toMatchObject({ status: 401, body: { title: 'Portal access ended' } });
  });

  test('a staff token, a forged or expired-looking token and no token are a plain 401, not "access ended"', async () => {
    const user = await createPortalUser({ name: 'Token owner', email: `${uniq('tok')}@example.com` });
    const [header, payload] = user.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    for (const token of [staffToken, forged, undefined]) {
      const res = await api('/portal/me', token === undefined ? {} : { token });
      expect(res).toMatchObject({ status: 401, body: { title: 'Unauthorized' } });
    }
  });
});

describe('concurrent staff writes', () => {
  test('a document moved back and forth by concurrent publishers is counted exactly once, where it ended', async () => {
    staffToken = await adminToken();
    const [u1, u2] = await Promise.all([
      createPortalUser({ name: 'Owner one', email: `${uniq('own1')}@example.com` }),
      createPortalUser({ name: 'Owner two', email: `${uniq('own2')}@example.com` }),
    ]);
    const id = uniq('race');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        staff(`/documents/timesheet/${id}`, { method: 'PUT', body: { customerId: (i % 2 ? u1 : u2).contact.id, name: `Round ${i}` } }),
      ),
    );
    expect(answers.map((a) => a.status).sort((a, b) => a - b)).toEqual([...Array(11).fill(200), 201]);
    const final = (await staff(`/documents/timesheet/${id}`)).body as Document;
    const owner = final.customerId === u1.contact.id ? u1 : u2;
    const other = owner === u1 ? u2 : u1;
    const timesheets = async (user: PortalUser) => ((await portal(user, '/portal/me')).body as { counts: Record<DocumentType, number> }).counts.timesheet;
    expect([await timesheets(owner), await timesheets(other)]).toEqual([1, 0]);
    expect((await portal(owner, `/portal/documents/timesheet/${id}`)).status).toBe(200);
    expect((await portal(other, `/portal/documents/timesheet/${id}`)).status).toBe(404);
  });

  test('concurrent shares of one document all land, and its copies follow a concurrent update', async () => {
    staffToken = await adminToken();
    const customer = await createContact({ kind: 'company', name: uniq('Sharer') });
    const friends = await Promise.all(Array.from({ length: 6 }, (_, i) => createPortalUser({ name: `Friend ${i}`, email: `${uniq(`fr${i}`)}@example.com` })));
    const doc = await publish('purchase_order', customer.id, 'Shared PO', '2026-06-01');
    const [renamed] = await Promise.all([
      staff(`/documents/purchase_order/${doc.id}`, { method: 'PUT', body: { customerId: customer.id, name: 'Renamed PO', date: '2026-06-01' } }),
      ...friends.map((f) => staff(`/documents/purchase_order/${doc.id}/grants`, { method: 'POST', body: { contactId: f.contact.id } })),
    ]);
    expect(renamed!.status).toBe(200);
    const grants = ((await staff(`/documents/purchase_order/${doc.id}/grants`)).body as { items: { contactId: string }[] }).items.map((g) => g.contactId);
    expect(grants.sort()).toEqual([customer.id, ...friends.map((f) => f.contact.id)].sort());
    for (const friend of friends) {
      const listed = ((await portal(friend, '/portal/documents')).body as Page).items;
      expect(listed).toEqual([expect.objectContaining({ id: doc.id, name: 'Renamed PO' })]);
    }
  });
});

describe('a company with 5,000 documents', () => {
  const TOTAL = 5000;

  test(
    'is listed page by page, each document exactly once, newest date first',
    async () => {
      staffToken = await adminToken();
      const company = await createContact({ kind: 'company', name: uniq('Big company') });
      const user = await createPortalUser({ name: 'Big reader', email: `${uniq('big')}@example.com`, companyId: company.id });

      // Dates repeat (many ties, broken by type and id), every 97th is undated.
      const prefix = uniq('bulk');
      const at = new Date().toISOString();
      const documents: Document[] = Array.from({ length: TOTAL }, (_, i) => {
        const date = i % 97 === 0 ? undefined : `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
        return { type: DOCUMENT_TYPES[i % DOCUMENT_TYPES.length]!, id: `${prefix}-${i}`, customerId: company.id, name: `Bulk ${i}`, ...(date ? { date } : {}), createdAt: at, updatedAt: at };
      });
      // Seeded straight into DynamoDB Local (BatchWriteItem of the store's own items), because DynamoDB
      // Local runs transactions one at a time (~35 ms each, ~3 min for 5,000 through the API). A sample
      // goes through the API, so the listing mixes both, and the other tests cover the writes themselves.
      const viaApi = documents.filter((_, i) => i % 250 === 0);
      await seedDocuments(documents.filter((_, i) => i % 250 !== 0).map((d) => documentItem(d, 1)));
      for (const d of viaApi) {
        const res = await staff(`/documents/${d.type}/${d.id}`, { method: 'PUT', body: { customerId: d.customerId, name: d.name, ...(d.date ? { date: d.date } : {}) } });
        expect(res.status).toBe(201);
      }

      const listed = await listAll(user, '', 100);
      expect(listed).toHaveLength(TOTAL);
      expect(new Set(listed.map(ref)).size).toBe(TOTAL);
      expect(listed.map(ref)).toEqual(newestFirst(documents).map(ref));

      const invoices = await listAll(user, '&type=invoice', 100);
      expect(invoices.map(ref)).toEqual(newestFirst(documents.filter((d) => d.type === 'invoice')).map(ref));
    },
    300_000,
  );
});
