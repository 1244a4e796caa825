/**
 * `POST /documents/batch` over HTTP against the local stack: each document on its own, exactly as
 * its `PUT` would be — outcome, validation paths, stored document, counts, grant copies — including
 * when concurrent batches and PUTs race for the same documents.
 */
import type { DocumentType } from '../../lambdas/contract/document-types';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { createContact, createPortalUser, makeLegacyCustomer, setArchived, type PortalUser } from './support/portal-users';
import { adminToken, api, uniq, withoutInstance } from './support/stack';

let token: string;
const staff = async (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token });
const batch = (documents: unknown[]) => staff('/documents/batch', { method: 'POST', body: { documents } });
const put = (type: string, id: string, body: Record<string, unknown>) => staff(`/documents/${type}/${id}`, { method: 'PUT', body });
const portal = (user: PortalUser, path: string) => api(path, { token: user.token });
const counts = async (user: PortalUser) => ((await portal(user, '/portal/me')).body as { counts: Record<DocumentType, number> }).counts;
type Result = { type: string; id: string; outcome: string; error?: { status: number; errors?: { path: string }[]; instance?: string } };

beforeAll(async () => {
  token = await adminToken();
});

describe('POST /documents/batch', () => {
  test('created, replaced and failed lines, in order, each as its PUT; what was written reads back as the PUT writes it', async () => {
    const owner = await createPortalUser({ name: uniq('Owner'), email: `${uniq('owner')}@example.com` });
    const friend = await createPortalUser({ name: uniq('Friend'), email: `${uniq('friend')}@example.com` });
    const other = await createContact({ kind: 'company', name: uniq('Other') });
    const archived = await createContact({ kind: 'company', name: uniq('Archived') });
    await setArchived(archived.id, true);

    const [shared, moving, fresh1, fresh2, bad] = ['SHARED', 'MOVING', 'NEW1', 'NEW2', 'BAD'].map((p) => uniq(p));
    expect((await put('invoice', shared!, { customerId: owner.contact.id, name: 'Shared v1', amount: 1 })).status).toBe(201);
    expect((await staff(`/documents/invoice/${shared}/grants`, { method: 'POST', body: { contactId: friend.contact.id } })).status).toBe(201);
    const before = (await staff(`/documents/invoice/${shared}`)).body as { createdAt: string };
    expect((await put('ticket', moving!, { customerId: owner.contact.id, name: 'Moving' })).status).toBe(201);
    expect(await counts(owner)).toMatchObject({ invoice: 1, ticket: 1 });

    const res = await batch([
      { type: 'invoice', id: fresh1, customerId: owner.contact.id, name: 'New one', date: '2026-10-01', amount: 12.5, currency: 'EUR', data: { lines: [{ qty: 2 }] } },
      { type: 'invoice', id: shared, customerId: owner.contact.id, name: 'Shared v2', amount: 2 },
      { type: 'ticket', id: moving, customerId: other.id, name: 'Moved' },
      { type: 'invoice', id: bad, customerId: owner.contact.id, name: 'Bad', amount: 1e20 },
      { type: 'invoice', id: uniq('ARCH'), customerId: archived.id, name: 'Archived customer' },
      { type: 'invoice', id: fresh1, customerId: owner.contact.id, name: 'Named twice' },
      { type: 'task', id: fresh2, customerId: owner.contact.id, name: 'Task', state: 'open', unknown: 1 },
      { type: 'task', id: 'no spaces allowed', customerId: owner.contact.id, name: 'Bad id' },
      { type: 'task', id: fresh2, customerId: owner.contact.id, name: 'Task' },
    ]);
    expect(res.status).toBe(200);
    const results = (res.body as { results: Result[] }).results;
    expect(results.map(({ type, id, outcome }) => [type, id, outcome])).toEqual([
      ['invoice', fresh1, 'created'],
      ['invoice', shared, 'replaced'],
      ['ticket', moving, 'replaced'],
      ['invoice', bad, 'failed'],
      ['invoice', expect.any(String), 'failed'],
      ['invoice', fresh1, 'failed'],
      ['task', fresh2, 'failed'],
      ['task', 'no spaces allowed', 'failed'],
      ['task', fresh2, 'created'],
    ]);
    expect(results.map((r) => r.error && [r.error.status, r.error.errors?.map((e) => e.path)])).toEqual([
      undefined,
      undefined,
      undefined,
      [400, ['documents.3.amount']],
      [400, ['documents.4.customerId']],
      [400, ['documents.5.id']],
      [400, ['documents.6.unknown']],
      [400, ['documents.7.id']],
      undefined,
    ]);
    // A failed line's problem is the PUT's problem (type, title, status, detail), its path on the batch line;
    // its instance names the batch's request.
    expect(results[3]!.error).toMatchObject({ type: 'urn:portal-access:problem:validation', status: 400, instance: `urn:request:${res.headers['x-request-id']}` });
    const single = await put('invoice', bad!, { customerId: owner.contact.id, name: 'Bad', amount: 1e20 });
    expect(single.status).toBe(400);
    expect(withoutInstance(results[3]!.error)).toEqual(withoutInstance({ ...single.body, errors: [{ ...single.body.errors[0], path: 'documents.3.amount' }] }));

    const created = (await staff(`/documents/invoice/${fresh1}`)).body as Record<string, unknown>;
    expect(created).toEqual({
      type: 'invoice',
      id: fresh1,
      customerId: owner.contact.id,
      name: 'New one',
      date: '2026-10-01',
      amount: 12.5,
      currency: 'EUR',
      data: { lines: [{ qty: 2 }] },
      createdAt: expect.any(String),
      updatedAt: created.createdAt,
    });
    expect((await staff(`/documents/invoice/${shared}`)).body).toMatchObject({ name: 'Shared v2', amount: 2, createdAt: before.createdAt });
    expect((await staff(`/documents/invoice/${bad}`)).status).toBe(404);

    // Counts follow (the move took one ticket from the owner), and the grantee's copy was rewritten.
    expect(await counts(owner)).toMatchObject({ invoice: 2, ticket: 0, task: 1 });
    expect((await portal(friend, `/portal/documents/invoice/${shared}`)).body).toMatchObject({ name: 'Shared v2', amount: 2 });
    expect(((await portal(friend, '/portal/documents')).body as { items: { id: string; name: string }[] }).items).toEqual([
      expect.objectContaining({ id: shared, name: 'Shared v2' }),
    ]);
    expect(((await staff(`/documents?customerId=${other.id}`)).body as { items: { id: string }[] }).items.map((d) => d.id)).toEqual([moving]);
    expect((await portal(owner, `/portal/documents/ticket/${moving}`)).status).toBe(404);
  });

  test('a batch and the same documents PUT one by one store the same documents and the same counts', async () => {
    const viaPut = await createPortalUser({ name: uniq('ViaPut'), email: `${uniq('viaput')}@example.com` });
    const viaBatch = await createPortalUser({ name: uniq('ViaBatch'), email: `${uniq('viabatch')}@example.com` });
    const types: DocumentType[] = ['invoice', 'sale_order', 'task', 'ticket', 'project'];
    const docs = Array.from({ length: 30 }, (_, i) => ({
      type: types[i % types.length]!,
      suffix: `D${i}`,
      body: { name: `Document ${i}`, ...(i % 2 ? { date: `2026-0${(i % 9) + 1}-15` } : {}), ...(i % 3 ? { amount: i * 1.25, currency: 'EUR' } : {}), data: { i } },
    }));
    const prefix = uniq('EQ');
    for (const d of docs) expect((await put(d.type, `${prefix}-P-${d.suffix}`, { customerId: viaPut.contact.id, ...d.body })).status).toBe(201);
    const res = await batch(docs.map((d) => ({ type: d.type, id: `${prefix}-B-${d.suffix}`, customerId: viaBatch.contact.id, ...d.body })));
    expect(res.status).toBe(200);
    expect((res.body as { results: Result[] }).results.every((r) => r.outcome === 'created')).toBe(true);

    expect(await counts(viaBatch)).toEqual(await counts(viaPut));
    const listing = async (user: PortalUser, marker: string) =>
      ((await portal(user, '/portal/documents?limit=100')).body as { items: Record<string, unknown>[] }).items.map(
        ({ id, customerId: _c, createdAt: _a, updatedAt: _u, ...rest }) => ({ id: String(id).replace(`-${marker}-`, '-'), ...rest }),
      );
    expect(await listing(viaBatch, 'B')).toEqual(await listing(viaPut, 'P'));
  });

  test('a number JSON.parse would change (1e400, 1e-400, 22 digits) fails its document alone, with its path; the others are written', async () => {
    const customer = await createContact({ kind: 'company', name: uniq('Exact') });
    const ids = ['OK', 'HUGE', 'TINY', 'LONG'].map((p) => uniq(p));
    const line = (id: string, amount: string) => `{"type":"invoice","id":"${id}","customerId":"${customer.id}","name":"N","amount":${amount}}`;
    const rawBody = `{"documents":[${line(ids[0]!, '1.25')},${line(ids[1]!, '1e400')},${line(ids[2]!, '1e-400')},${line(ids[3]!, '0.1000000000000000000001')}]}`;
    const res = await api('/documents/batch', { method: 'POST', token, rawBody, contentType: 'application/json' });
    expect(res.status).toBe(200);
    const results = (res.body as { results: Result[] }).results;
    expect(results.map((r) => [r.outcome, r.error?.errors?.map((e) => e.path)])).toEqual([
      ['created', undefined],
      ['failed', ['documents.1.amount']],
      ['failed', ['documents.2.amount']],
      ['failed', ['documents.3.amount']],
    ]);
    expect((await staff(`/documents/invoice/${ids[0]}`)).body).toMatchObject({ amount: 1.25 });
    for (const id of ids.slice(1)) expect((await staff(`/documents/invoice/${id}`)).status).toBe(404);
  });

  test('an id that is a dot segment (`.`, `..`) fails its document alone, as nothing could read or withdraw it; other dotted ids are written and read back', async () => {
    const customer = await createContact({ kind: 'company', name: uniq('Dots') });
    const [dots, dotted] = [uniq('...'), uniq('v1.2')];
    const res = await batch(['.', '..', dots, dotted].map((id) => ({ type: 'ticket', id, customerId: customer.id, name: `Ticket ${id}` })));
    expect(res.status).toBe(200);
    const results = (res.body as { results: Result[] }).results;
    expect(results.map((r) => [r.id, r.outcome, r.error?.status, r.error?.errors?.map((e) => e.path)])).toEqual([
      ['.', 'failed', 400, ['documents.0.id']],
      ['..', 'failed', 400, ['documents.1.id']],
      [dots, 'created', undefined, undefined],
      [dotted, 'created', undefined, undefined],
    ]);
    // Nothing unreachable was listed: what the customer has can each be read by its own URL.
    const listed = (await staff(`/documents?customerId=${customer.id}&type=ticket`)).body as { items: Document[] };
    expect(listed.items.map((d) => d.id).sort()).toEqual([dots, dotted].sort());
    for (const id of [dots, dotted]) expect((await staff(`/documents/ticket/${encodeURIComponent(id)}`)).body).toMatchObject({ id });
  });

  test('100 documents in one request are all written; 0 or 101 are a 400 for the whole request, nothing written', async () => {
    const customer = await createPortalUser({ name: uniq('Hundred'), email: `${uniq('hundred')}@example.com` });
    const prefix = uniq('H');
    const hundred = Array.from({ length: 100 }, (_, i) => ({ type: 'timesheet', id: `${prefix}-${i}`, customerId: customer.contact.id, name: `Week ${i}`, data: { hours: i } }));
    const res = await batch(hundred);
    expect(res.status).toBe(200);
    expect((res.body as { results: Result[] }).results.map((r) => r.outcome)).toEqual(Array(100).fill('created'));
    expect((await counts(customer)).timesheet).toBe(100);

    const tooMany = await batch([...hundred, { type: 'timesheet', id: `${prefix}-100`, customerId: customer.contact.id, name: 'One more' }]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ path: 'documents' })]);
    expect((await staff(`/documents/timesheet/${prefix}-100`)).status).toBe(404);
    expect((await batch([])).status).toBe(400);
    expect((await staff('/documents/batch', { method: 'POST', body: { documents: hundred.slice(0, 1), extra: true } })).status).toBe(400);

    // Sent again: every line replaced, the count unchanged.
    const again = await batch(hundred.map((d) => ({ ...d, name: `${d.name} (again)` })));
    expect((again.body as { results: Result[] }).results.map((r) => r.outcome)).toEqual(Array(100).fill('replaced'));
    expect((await counts(customer)).timesheet).toBe(100);
  });

  test('concurrent batches and PUTs of the same documents: every line created or replaced, each document created once, counts exact', async () => {
    const customer = await createPortalUser({ name: uniq('Racer'), email: `${uniq('racer')}@example.com` });
    const prefix = uniq('R');
    const docs = Array.from({ length: 20 }, (_, i) => ({ type: 'ticket', id: `${prefix}-${i}`, customerId: customer.contact.id, name: `Ticket ${i}` }));
    const answers = await Promise.all([
      batch(docs.map((d) => ({ ...d, name: `${d.name} (batch A)` }))),
      batch([...docs].reverse().map((d) => ({ ...d, name: `${d.name} (batch B)` }))),
      ...docs.slice(0, 5).map((d) => put(d.type, d.id, { customerId: d.customerId, name: `${d.name} (PUT)` })),
    ]);
    const outcomes: Record<string, string[]> = {};
    for (const res of answers.slice(0, 2)) {
      expect(res.status).toBe(200);
      for (const r of (res.body as { results: Result[] }).results) (outcomes[r.id] ??= []).push(r.outcome);
    }
    for (const res of answers.slice(2)) {
      expect([200, 201]).toContain(res.status);
      const id = (res.body as { id: string }).id;
      (outcomes[id] ??= []).push(res.status === 201 ? 'created' : 'replaced');
    }
    for (const d of docs) expect(outcomes[d.id]!.filter((o) => o === 'created')).toHaveLength(1);
    expect(Object.values(outcomes).flat().every((o) => o === 'created' || o === 'replaced')).toBe(true);
    expect((await counts(customer)).ticket).toBe(20);
    const listed = ((await staff(`/documents?customerId=${customer.contact.id}&limit=100`)).body as { items: { id: string }[] }).items;
    expect(listed.map((d) => d.id).sort()).toEqual(docs.map((d) => d.id).sort());
  });
});

describe('/portal/me counts, kept on the customers\' contact items', () => {
  /** What the portal lists, counted per type: the counts must say the same. */
  const listedCounts = async (user: PortalUser) => {
    const res = await portal(user, '/portal/documents?limit=100');
    expect(res.status).toBe(200);
    const byType: Partial<Record<DocumentType, number>> = {};
    for (const d of (res.body as { items: Document[] }).items) byType[d.type] = (byType[d.type] ?? 0) + 1;
    return byType;
  };
  const nonZero = (counts: Record<DocumentType, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  const expectCounts = async (user: PortalUser, expected: Partial<Record<DocumentType, number>>) => {
    const seen = await counts(user);
    expect(nonZero(seen)).toEqual(expected);
    expect(await listedCounts(user)).toEqual(expected);
  };

  test('right after a mixed batch (new, replaced, moved to another customer), a delete and a grant: what each viewer sees', async () => {
    const [a, b] = await Promise.all([createContact({ kind: 'company', name: uniq('Counts A') }), createContact({ kind: 'company', name: uniq('Counts B') })]);
    const ann = await createPortalUser({ name: uniq('Ann'), email: `${uniq('ann')}@example.com`, companyId: a.id });
    const sam = await createPortalUser({ name: uniq('Sam'), email: `${uniq('sam')}@example.com`, companyId: a.id });
    const bob = await createPortalUser({ name: uniq('Bob'), email: `${uniq('bob')}@example.com`, companyId: b.id });
    // Sam sees only invoices and tasks.
    const scoped = await staff(`/contacts/${sam.contact.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: sam.contact.id, inPortal: true, types: ['invoice', 'task'] }] } });
    expect(scoped.body.results).toEqual([{ contactId: sam.contact.id, outcome: 'updated', status: 'active' }]);

    const [x, t, k, n1, n2, n3, n4] = ['X', 'T', 'K', 'N1', 'N2', 'N3', 'N4'].map((p) => uniq(`CNT-${p}`));
    expect((await put('invoice', x!, { customerId: a.id, name: 'X' })).status).toBe(201);
    expect((await put('ticket', t!, { customerId: a.id, name: 'T' })).status).toBe(201);
    expect((await put('task', k!, { customerId: a.id, name: 'K' })).status).toBe(201);
    await expectCounts(ann, { invoice: 1, ticket: 1, task: 1 });

    const res = await batch([
      { type: 'invoice', id: n1, customerId: a.id, name: 'N1' },
      { type: 'ticket', id: t, customerId: a.id, name: 'T again' },
      { type: 'invoice', id: x, customerId: b.id, name: 'X moved to B' },
      { type: 'invoice', id: n2, customerId: a.id, name: 'N2' },
      { type: 'task', id: n3, customerId: ann.contact.id, name: "N3, Ann's own" },
      { type: 'lead', id: n4, customerId: b.id, name: 'N4' },
    ]);
    expect(res.status).toBe(200);
    expect((res.body as { results: Result[] }).results.map((r) => r.outcome)).toEqual(['created', 'replaced', 'replaced', 'created', 'created', 'created']);
    await expectCounts(ann, { invoice: 2, ticket: 1, task: 2 });
    await expectCounts(sam, { invoice: 2, task: 1 });
    await expectCounts(bob, { invoice: 1, lead: 1 });

    // A delete through its own route, then the moved invoice granted to Ann.
    expect((await staff(`/documents/task/${k}`, { method: 'DELETE' })).status).toBe(204);
    await expectCounts(ann, { invoice: 2, ticket: 1, task: 1 });
    await expectCounts(sam, { invoice: 2 });
    expect((await staff(`/documents/invoice/${x}/grants`, { method: 'POST', body: { contactId: ann.contact.id } })).status).toBe(201);
    await expectCounts(ann, { invoice: 3, ticket: 1, task: 1 });
    await expectCounts(bob, { invoice: 1, lead: 1 });
  });

  test('a customer whose item is older than the kept counts: its former count items plus what changed since', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Legacy Co') });
    const reader = await createPortalUser({ name: uniq('Lee'), email: `${uniq('lee')}@example.com`, companyId: company.id });
    const at = new Date().toISOString();
    const old: Document[] = [
      { type: 'invoice', id: uniq('OLD-1'), customerId: company.id, name: 'Old 1', createdAt: at, updatedAt: at },
      { type: 'invoice', id: uniq('OLD-2'), customerId: company.id, name: 'Old 2', createdAt: at, updatedAt: at },
      { type: 'ticket', id: uniq('OLD-3'), customerId: company.id, name: 'Old 3', createdAt: at, updatedAt: at },
    ];
    await makeLegacyCustomer(company.id, old);
    await expectCounts(reader, { invoice: 2, ticket: 1 });

    expect((await put('invoice', uniq('NEW'), { customerId: company.id, name: 'New' })).status).toBe(201);
    expect((await staff(`/documents/ticket/${old[2]!.id}`, { method: 'DELETE' })).status).toBe(204);
    const res = await batch([{ type: 'task', id: uniq('NEW-T'), customerId: company.id, name: 'New task' }, { type: 'invoice', id: old[0]!.id, customerId: reader.contact.id, name: 'Old 1, now Lee\'s' }]);
    expect((res.body as { results: Result[] }).results.map((r) => r.outcome)).toEqual(['created', 'replaced']);
    // The company: Old 2 and New (Old 1 moved to Lee), the new task; Lee: Old 1.
    await expectCounts(reader, { invoice: 3, task: 1 });
  });
});
