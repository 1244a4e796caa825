/**
 * Staff documents and grants over HTTP, against the local stack. Each test makes its own contacts
 * and documents (unique ids), so the shared table's other data never matters.
 */
import { createContact } from './support/portal-users';
import { adminToken, api, uniq } from './support/stack';

let token: string;
const staff = async (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token });

beforeAll(async () => {
  token = await adminToken();
});

const put = (type: string, id: string, body: Record<string, unknown>) => staff(`/documents/${type}/${id}`, { method: 'PUT', body });

describe('PUT/GET/DELETE /documents/{type}/{id}', () => {
  test('publishes with 201, replaces with 200 keeping createdAt, reads back, deletes with 204, then 404', async () => {
    const customer = await createContact({ kind: 'company', name: uniq('Customer') });
    const id = uniq('SO');
    const body = { customerId: customer.id, name: 'SO 1', reference: 'S00001', state: 'sale', date: '2026-10-01', amount: 120.5, currency: 'EUR', data: { lines: [{ sku: 'A', qty: 2 }] } };

    const created = await put('sale_order', id, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'sale_order', id, ...body });
    const { createdAt } = created.body as { createdAt: string };
    expect(new Date(createdAt).toISOString()).toBe(createdAt);

    const replaced = await put('sale_order', id, { ...body, name: 'SO 1 (confirmed)', state: 'done' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'SO 1 (confirmed)', state: 'done', createdAt });

    const read = await staff(`/documents/sale_order/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(replaced.body);
    expect(read.body).not.toHaveProperty('version');

    expect((await staff(`/documents/sale_order/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`/documents/sale_order/${id}`)).status).toBe(404);
    expect((await staff(`/documents/sale_order/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  describe('numbers and nesting DynamoDB cannot store exactly are 400 with the field’s path, never 500', () => {
    const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });
    const raw = (customerId: string, fields: string) => `{"customerId":"${customerId}","name":"N",${fields}}`;

    test.each([
      ['amount 1e20', '"amount":1e20', 'amount'],
      ['amount 9007199254740993', '"amount":9007199254740993', 'amount'],
      ['amount -9007199254740992', '"amount":-9007199254740992', 'amount'],
      ['amount 1e126', '"amount":1e126', 'amount'],
      ['amount 1e-131', '"amount":1e-131', 'amount'],
      ['amount 5e-324', '"amount":5e-324', 'amount'],
      ['amount 1e-400 (JSON.parse makes it 0)', '"amount":1e-400', 'amount'],
      ['data.n with 22 significant digits (JSON.parse makes it 0.1)', '"data":{"n":0.1000000000000000000001}', 'data.n'],
      ['data.n 1e20', '"data":{"n":1e20}', 'data.n'],
      ['a number deep in data', '"data":{"lines":[{"qty":1},{"qty":1e-200}]}', 'data.lines.1.qty'],
      ['an empty key in data', '"data":{"":1}', 'data.'],
      ['an empty key deeper', '"data":{"a":[{"":"x"}]}', 'data.a.0.'],
      ['data nested 32 levels (the body 33)', `"data":${JSON.stringify(nested(32))}`, `data.${Array(31).fill('a').join('.')}`],
    ])('%s', async (_label, fields, path) => {
      const customer = await createContact({ kind: 'company', name: uniq('Numbers') });
      const res = await api(`/documents/invoice/${uniq('INV')}`, { method: 'PUT', token, rawBody: raw(customer.id, fields), contentType: 'application/json' });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
    });

    test('the edges of what can be stored are stored and read back exactly', async () => {
      const customer = await createContact({ kind: 'company', name: uniq('Edges') });
      const id = uniq('INV');
      const body = {
        customerId: customer.id,
        name: 'Edges',
        amount: Number.MAX_SAFE_INTEGER,
        data: { min: -Number.MAX_SAFE_INTEGER, tiny: 1e-130, precise: 0.1 + 0.2, zero: 0, empty: '', list: [], map: {}, nothing: null, deep: nested(30) },
      };
      const created = await put('invoice', id, body);
      expect(created.status).toBe(201);
      const read = await staff(`/documents/invoice/${id}`);
      expect(read.body).toMatchObject(body);
    });

    test('the message says to send a string only where a string is taken instead (data): taking its advice works', async () => {
      const customer = await createContact({ kind: 'company', name: uniq('Advice') });
      const doc = { type: 'invoice', id: uniq('INV') };
      expect((await put(doc.type, doc.id, { customerId: customer.id, name: 'Advice' })).status).toBe(201);
      const refusals = [
        { label: 'amount 1e20', path: `/documents/${doc.type}/${doc.id}`, method: 'PUT', raw: raw(customer.id, '"amount":1e20'), field: 'amount' },
        { label: 'amount with 22 digits', path: `/documents/${doc.type}/${doc.id}`, method: 'PUT', raw: raw(customer.id, '"amount":0.1000000000000000000001'), field: 'amount' },
        { label: 'data.n 1e20', path: `/documents/${doc.type}/${doc.id}`, method: 'PUT', raw: raw(customer.id, '"data":{"n":1e20}'), field: 'data.n' },
        { label: 'data.n with 22 digits', path: `/documents/${doc.type}/${doc.id}`, method: 'PUT', raw: raw(customer.id, '"data":{"n":0.1000000000000000000001}'), field: 'data.n' },
        { label: 'a link’s maxViews', path: `/documents/${doc.type}/${doc.id}/links`, method: 'POST', raw: '{"maxViews":2.0000000000000000000001}', field: 'maxViews' },
        { label: 'an attachment’s size', path: `/documents/${doc.type}/${doc.id}/attachments`, method: 'POST', raw: '{"fileName":"a.pdf","contentType":"application/pdf","size":1e-400}', field: 'size' },
      ];
      for (const { label, path, method, raw: rawBody, field } of refusals) {
        const res = await api(path, { method, token, rawBody, contentType: 'application/json' });
        expect({ label, status: res.status, paths: (res.body.errors as { path: string }[]).map((e) => e.path) }).toEqual({ label, status: 400, paths: [field] });
        const { message } = (res.body.errors as { message: string }[])[0]!;
        // The same request with the number as a string: taken where the message advises it, and only there.
        const asString = await api(path, { method, token, rawBody: rawBody.replace(/(:)(-?[\d.e+-]+)(}+)$/i, '$1"$2"$3'), contentType: 'application/json' });
        expect({ label, advisesString: /string/.test(message), stringTaken: asString.status < 300 }).toEqual({ label, advisesString: field.startsWith('data.'), stringTaken: field.startsWith('data.') });
      }
    });
  });

  test('refuses an unknown or archived customer with 400 on customerId, and bad input with 400', async () => {
    const unknown = await put('invoice', uniq('INV'), { customerId: uniq('nobody'), name: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ status: 400, errors: [{ path: 'customerId' }] });

    const archived = await createContact({ kind: 'person', name: uniq('Gone') });
    expect((await staff(`/contacts/${archived.id}`, { method: 'DELETE' })).status).toBe(204);
    const refused = await put('invoice', uniq('INV'), { customerId: archived.id, name: 'x' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ errors: [{ path: 'customerId' }] });

    const customer = await createContact({ kind: 'person', name: uniq('Ok') });
    expect((await put('receipt', uniq('R'), { customerId: customer.id, name: 'x' })).status).toBe(400);
    expect((await put('invoice', 'bad%21id', { customerId: customer.id, name: 'x' })).status).toBe(400);
    expect((await put('invoice', uniq('INV'), { customerId: customer.id, name: 'x', extra: 1 })).status).toBe(400);
    expect((await put('invoice', uniq('INV'), { customerId: customer.id, name: 'x', data: { blob: 'x'.repeat(65 * 1024) } })).status).toBe(400);
    expect((await staff(`/documents/invoice/${uniq('missing')}`)).status).toBe(404);
  });
});

describe('GET /documents', () => {
  test("lists a customer's documents newest date first, by type, a page at a time, each once", async () => {
    const customer = await createContact({ kind: 'company', name: uniq('Lister') });
    const ids: { type: string; id: string; date?: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const type = i % 3 === 0 ? 'invoice' : 'task';
      const date = i === 5 ? undefined : `2026-0${(i % 9) + 1}-1${i % 10}`;
      const id = uniq(`D${i}`);
      ids.push({ type, id, ...(date ? { date } : {}) });
      expect((await put(type, id, { customerId: customer.id, name: `Doc ${i}`, ...(date ? { date } : {}) })).status).toBe(201);
    }
    const key = (d: { type: string; id: string; date?: string }) => `${d.date ? new Date(d.date).toISOString() : '0000'}#${d.type}#${d.id}`;
    const expected = [...ids].sort((a, b) => (key(a) < key(b) ? 1 : -1)).map((d) => d.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await staff(`/documents?customerId=${customer.id}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = res.body as { items: { id: string }[]; nextCursor?: string };
      expect(page.items.length).toBeGreaterThan(0);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const invoices = await staff(`/documents?customerId=${customer.id}&type=invoice`);
    expect((invoices.body as { items: { id: string }[] }).items.map((d) => d.id)).toEqual(expected.filter((id) => ids.find((d) => d.id === id)!.type === 'invoice'));

    // A cursor of this listing is refused by another one.
    const first = await staff(`/documents?customerId=${customer.id}&limit=2`);
    const other = await staff(`/documents?type=task&limit=2&cursor=${(first.body as { nextCursor: string }).nextCursor}`);
    expect(other.status).toBe(400);
    expect((await staff('/documents?cursor=garbage')).status).toBe(400);
  });

  test('without a customer, lists every document newest first', async () => {
    const customer = await createContact({ kind: 'person', name: uniq('Future') });
    const id = uniq('FUT');
    await put('ticket', id, { customerId: customer.id, name: 'From the future', date: '2999-01-01' });
    const res = await staff('/documents?type=ticket&limit=1');
    expect(res.status).toBe(200);
    expect((res.body as { items: { id: string }[] }).items.map((d) => d.id)).toEqual([id]);
    await staff(`/documents/ticket/${id}`, { method: 'DELETE' });
  });
});

describe('grants', () => {
  test('implicit grant to the customer, explicit shares added once, removed; the implicit one cannot be removed', async () => {
    const customer = await createContact({ kind: 'company', name: uniq('Owner') });
    const friend = await createContact({ kind: 'person', name: uniq('Friend') });
    const id = uniq('PRJ');
    await put('project', id, { customerId: customer.id, name: 'Project' });
    const grants = async () => (await staff(`/documents/project/${id}/grants`)).body;

    expect(await grants()).toEqual({ items: [{ contactId: customer.id, implicit: true }] });
    const shared = await staff(`/documents/project/${id}/grants`, { method: 'POST', body: { contactId: friend.id } });
    expect(shared.status).toBe(201);
    const again = await staff(`/documents/project/${id}/grants`, { method: 'POST', body: { contactId: friend.id } });
    expect(again.status).toBe(201);
    const toCustomer = await staff(`/documents/project/${id}/grants`, { method: 'POST', body: { contactId: customer.id } });
    expect(toCustomer.status).toBe(201);
    // Each answer is the grant as the list shows it: the customer's stays the implicit one.
    const listed = (await grants()) as { items: unknown[] };
    expect([shared.body, again.body, toCustomer.body]).toEqual([listed.items[1], listed.items[1], listed.items[0]]);
    // …and /openapi.json says so.
    const openapi = (await api('/openapi.json')).body as { paths: Record<string, { post: { responses: Record<string, { content?: unknown }> } }> };
    expect(openapi.paths['/documents/{type}/{id}/grants']!.post.responses['201']!.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Grant' } } });
    expect(await grants()).toEqual({
      items: [
        { contactId: customer.id, implicit: true },
        // An explicit grant names who gave it and when.
        { contactId: friend.id, implicit: false, grantedBy: 'staff:admin', grantedAt: expect.any(String) },
      ],
    });

    const implicit = await staff(`/documents/project/${id}/grants/${customer.id}`, { method: 'DELETE' });
    expect(implicit.status).toBe(409);
    expect((await staff(`/documents/project/${id}/grants/${friend.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`/documents/project/${id}/grants/${friend.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await grants()).toEqual({ items: [{ contactId: customer.id, implicit: true }] });
    // The friend's history: shared once (the repeat changed nothing, the customer's is no grant), then removed.
    const history = (await staff(`/contacts/${friend.id}/audit`)).body.items as { action: string; actor: string; details: Record<string, unknown> }[];
    expect(history.filter((a) => a.action.startsWith('grant.'))).toEqual([
      expect.objectContaining({ action: 'grant.removed', actor: 'staff:admin', details: { type: 'project', id, grantedBy: 'staff:admin' } }),
      expect.objectContaining({ action: 'grant.given', actor: 'staff:admin', details: { type: 'project', id } }),
    ]);
    expect((await staff(`/contacts/${customer.id}/audit`)).body.items.filter((a: { action: string }) => a.action.startsWith('grant.'))).toEqual([]);

    const unknownContact = await staff(`/documents/project/${id}/grants`, { method: 'POST', body: { contactId: uniq('nobody') } });
    expect(unknownContact.status).toBe(400);
    expect(unknownContact.body).toMatchObject({ errors: [{ path: 'contactId' }] });
    expect((await staff(`/documents/project/${uniq('none')}/grants`, { method: 'POST', body: { contactId: friend.id } })).status).toBe(404);
    expect((await staff(`/documents/project/${uniq('none')}/grants`)).status).toBe(404);
  });

  test('moving a document moves its implicit grant; deleting it removes every grant', async () => {
    const first = await createContact({ kind: 'company', name: uniq('First') });
    const second = await createContact({ kind: 'company', name: uniq('Second') });
    const friend = await createContact({ kind: 'person', name: uniq('Friend') });
    const id = uniq('SUB');
    await put('subscription', id, { customerId: first.id, name: 'Subscription' });
    await staff(`/documents/subscription/${id}/grants`, { method: 'POST', body: { contactId: friend.id } });

    expect((await put('subscription', id, { customerId: second.id, name: 'Subscription' })).status).toBe(200);
    expect((await staff(`/documents/subscription/${id}/grants`)).body).toEqual({
      items: [
        { contactId: second.id, implicit: true },
        { contactId: friend.id, implicit: false, grantedBy: 'staff:admin', grantedAt: expect.any(String) },
      ],
    });
    const list = async (customerId: string) => ((await staff(`/documents?customerId=${customerId}`)).body as { items: { id: string }[] }).items.map((d) => d.id);
    expect(await list(first.id)).toEqual([]);
    expect(await list(second.id)).toEqual([id]);

    expect((await staff(`/documents/subscription/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`/documents/subscription/${id}/grants`)).status).toBe(404);
    expect(await list(second.id)).toEqual([]);
    // Published again under the same id: no grant survived the deletion.
    await put('subscription', id, { customerId: second.id, name: 'Again' });
    expect((await staff(`/documents/subscription/${id}/grants`)).body).toEqual({ items: [{ contactId: second.id, implicit: true }] });
  });
});

describe('an archived contact named by a document, a grant or a share link', () => {
  test('is 400 on its field saying it is archived (restore it first), not that it does not exist', async () => {
    const archived = await createContact({ kind: 'person', name: uniq('Archived') });
    const owner = await createContact({ kind: 'company', name: uniq('Owner') });
    expect((await staff(`/contacts/${archived.id}`, { method: 'DELETE' })).status).toBe(204);
    // The contact is there, archived: staff see it in the archived listing and can restore it.
    expect((await staff(`/contacts/${archived.id}`)).body).toMatchObject({ id: archived.id, archived: true });
    const id = uniq('INV');
    await put('invoice', id, { customerId: owner.id, name: 'Invoice' });
    const refusals = [
      [await put('invoice', uniq('INV'), { customerId: archived.id, name: 'Invoice' }), 'customerId'],
      [await staff(`/documents/invoice/${id}/grants`, { method: 'POST', body: { contactId: archived.id } }), 'contactId'],
      [await staff(`/documents/invoice/${id}/links`, { method: 'POST', body: { contactId: archived.id } }), 'contactId'],
    ] as const;
    for (const [res, path] of refusals) {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path, message: `Contact ${archived.id} is archived: restore it first.` }]);
    }
    // One that never existed still says so.
    const unknown = await put('invoice', uniq('INV'), { customerId: 'no-such-contact', name: 'Invoice' });
    expect(unknown.body.errors).toEqual([{ path: 'customerId', message: 'No such contact: no-such-contact.' }]);
  });
});
