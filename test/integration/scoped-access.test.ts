/**
 * Scoped and time-bound access over HTTP against the local stack: a line's `scope`, `types` and
 * `until` take effect on the portal's very next request (`updated`, no invitation); an access and an
 * explicit grant end in real time (seconds-long `until`); the scheduled job (the local schedule
 * runner, every few seconds) then marks the record, audits and emits `PortalAccessExpired`, and
 * removes the grant; counts follow. Explain and "who has access" answer by the same rule.
 */
import type { DocumentType } from '../../lambdas/contract/document-types';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { createContact, createPortalUser, type PortalUser } from './support/portal-users';
import { adminToken, api, emails, eventually, events, uniq } from './support/stack';

jest.setTimeout(90_000);

let token: string;
const staff = (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token });
const portal = (user: PortalUser, path: string) => api(path, { token: user.token });
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const sleepUntil = async (iso: string) => {
  const wait = Date.parse(iso) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 20));
};

async function publish(type: DocumentType, customerId: string, date = '2026-06-01'): Promise<Document> {
  const res = await staff(`/documents/${type}/${uniq(type)}`, { method: 'PUT', body: { customerId, name: uniq('doc'), date } });
  if (res.status !== 201) throw new Error(`PUT → ${res.status} ${res.text}`);
  return res.body as Document;
}

const apply = (user: PortalUser, line: Record<string, unknown>) =>
  staff(`/contacts/${user.contact.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: user.contact.id, inPortal: true, ...line }] } });

async function listed(user: PortalUser): Promise<string[]> {
  const res = await portal(user, '/portal/documents?limit=100');
  expect(res.status).toBe(200);
  return (res.body.items as Document[]).map((d) => d.id).sort();
}

const counts = async (user: PortalUser) => (await portal(user, '/portal/me')).body.counts as Record<DocumentType, number>;
const explainFor = async (user: PortalUser, d: Document) => (await staff(`/contacts/${user.contact.id}/portal-access/explain?type=${d.type}&id=${d.id}`)).body;
const ids = (docs: Document[]) => docs.map((d) => d.id).sort();

beforeAll(async () => {
  token = await adminToken();
});

describe('scope and types: `updated`, effective on the next request', () => {
  let user: PortalUser;
  let company: string;
  let invoice: Document;
  let task: Document;
  let own: Document;

  beforeAll(async () => {
    company = (await createContact({ kind: 'company', name: uniq('Scoped Co') })).id;
    user = await createPortalUser({ name: 'Sam Scoped', email: `${uniq('sam')}@example.com`, companyId: company });
    [invoice, task, own] = await Promise.all([publish('invoice', company), publish('task', company), publish('invoice', user.contact.id)]);
  });

  it('before: all of the company’s and its own', async () => {
    expect(await listed(user)).toEqual(ids([invoice, task, own]));
  });

  it('types [invoice]: the next request lists only invoices, counts only invoices, and a task is 404; no invitation was sent', async () => {
    // This contact's mails only: other files' grants may still be mailing on the shared stack.
    const mailsToUser = async () => (await emails()).filter((m) => m.destination.to.includes(user.email)).length;
    const mailsBefore = await mailsToUser();
    const res = await apply(user, { types: ['invoice'] });
    expect(res.body.results).toEqual([{ contactId: user.contact.id, outcome: 'updated', status: 'active' }]);
    expect(await listed(user)).toEqual(ids([invoice, own]));
    expect(await counts(user)).toMatchObject({ invoice: 2, task: 0 });
    expect((await portal(user, `/portal/documents/task/${task.id}`)).status).toBe(404);
    expect((await portal(user, `/portal/documents/invoice/${invoice.id}`)).status).toBe(200);
    expect(await explainFor(user, task)).toMatchObject({ visible: false, reasons: [], blockers: [{ kind: 'type_not_allowed' }] });
    expect(await mailsToUser()).toBe(mailsBefore);
    // The line and the contact show it; the audit trail has it.
    const line = (await staff(`/contacts/${user.contact.id}/portal-access`)).body.lines[0];
    expect(line).toMatchObject({ status: 'active', scope: 'company', types: ['invoice'] });
    expect((await staff(`/contacts/${user.contact.id}`)).body.portal).toMatchObject({ status: 'active', scope: 'company', types: ['invoice'] });
    expect((await staff(`/contacts/${user.contact.id}/audit`)).body.items[0]).toMatchObject({ action: 'portal.updated', actor: 'staff:admin' });
  });

  it('scope own: the company’s documents go at once, its own stay', async () => {
    expect((await apply(user, { scope: 'own' })).body.results[0].outcome).toBe('updated');
    expect(await listed(user)).toEqual(ids([own]));
    expect(await counts(user)).toMatchObject({ invoice: 1, task: 0 });
    expect((await portal(user, `/portal/documents/invoice/${invoice.id}`)).status).toBe(404);
    expect(await explainFor(user, invoice)).toMatchObject({ visible: false, blockers: [{ kind: 'scope_own' }] });
    expect(await explainFor(user, own)).toEqual({ visible: true, reasons: [{ kind: 'customer' }], blockers: [] });
  });

  it('back to the defaults: everything again; a repeat is `unchanged`', async () => {
    expect((await apply(user, { scope: 'company', types: ['lead', 'sale_order', 'purchase_order', 'invoice', 'project', 'task', 'timesheet', 'ticket', 'signature', 'subscription'] })).body.results[0].outcome).toBe('updated');
    expect(await listed(user)).toEqual(ids([invoice, task, own]));
    expect((await apply(user, {})).body.results[0].outcome).toBe('unchanged');
  });

  it('a line with an until in the past fails alone, 400 on lines.0.until', async () => {
    const res = await apply(user, { until: new Date(Date.now() - 1000).toISOString() });
    expect(res.body.results[0]).toMatchObject({ outcome: 'failed', status: 'active', error: { status: 400, errors: [{ path: 'lines.0.until' }] } });
    const bad = await apply(user, { types: [] });
    expect(bad.status).toBe(400);
  });

  it('who has access: the customer company’s persons with company scope and the type allowed, with their reasons', async () => {
    const res = await staff(`/documents/invoice/${invoice.id}/access`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ contactId: user.contact.id, name: 'Sam Scoped', status: 'active', reasons: [{ kind: 'company' }] }]);
    expect((await staff(`/documents/invoice/${uniq('nope')}/access`)).status).toBe(404);
    expect((await staff(`/contacts/${uniq('ghost')}/portal-access/explain?type=invoice&id=${invoice.id}`)).status).toBe(404);
    expect((await staff(`/contacts/${user.contact.id}/portal-access/explain?type=secret&id=${invoice.id}`)).status).toBe(400);
    expect(await explainFor(user, { ...invoice, id: uniq('missing') })).toMatchObject({ visible: false, blockers: [{ kind: 'document_missing' }] });
  });
});

describe('an access ends at its until, in real time', () => {
  it('until − a moment: in; at until: 401 on the very next request; then the job marks it expired, audits and emits PortalAccessExpired', async () => {
    const company = (await createContact({ kind: 'company', name: uniq('Ending Co') })).id;
    const user = await createPortalUser({ name: 'Eve Ending', email: `${uniq('eve')}@example.com`, companyId: company });
    const doc = await publish('invoice', company);
    const until = inSeconds(4);
    expect((await apply(user, { until })).body.results[0]).toMatchObject({ outcome: 'updated', status: 'active' });
    expect((await portal(user, `/portal/documents/invoice/${doc.id}`)).status).toBe(200);
    expect((await staff(`/contacts/${user.contact.id}`)).body.portal).toMatchObject({ status: 'active', until });

    await sleepUntil(until);
    const refused = await portal(user, '/portal/documents');
    expect(refused.status).toBe(401);
    expect((await portal(user, '/portal/me')).status).toBe(401);
    // Every API answer reads expired from until on, job or no job.
    expect((await staff(`/contacts/${user.contact.id}`)).body.portal.status).toBe('expired');
    expect((await staff(`/contacts/${user.contact.id}/portal-access`)).body.lines[0]).toMatchObject({ status: 'expired', inPortal: false });
    expect(await explainFor(user, doc)).toMatchObject({ visible: false, reasons: [{ kind: 'company' }], blockers: [{ kind: 'expired' }] });
    // The company's listing by status says so too, before the job has stored it.
    const listed = async (status: string) => ((await staff(`/contacts?companyId=${company}&portalStatus=${status}`)).body.items as { id: string }[]).map((c) => c.id);
    expect(await listed('expired')).toEqual([user.contact.id]);
    expect(await listed('active')).toEqual([]);

    const event = await eventually(
      async () => {
        const found = (await events()).find((e) => e['detail-type'] === 'PortalAccessExpired' && e.detail.contactId === user.contact.id);
        if (!found) throw new Error('no PortalAccessExpired yet');
        return found;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(event).toMatchObject({ source: 'portal.access', detail: { contactId: user.contact.id, email: user.email, at: until } });
    const audit = (await staff(`/contacts/${user.contact.id}/audit`)).body.items as { action: string; actor: string; details: Record<string, unknown> }[];
    expect(audit.filter((a) => a.action === 'portal.expired')).toEqual([expect.objectContaining({ actor: 'schedule', details: { until, previousStatus: 'active' } })]);
    // Once: later runs announce nothing more.
    await new Promise((r) => setTimeout(r, 5000));
    expect((await events()).filter((e) => e['detail-type'] === 'PortalAccessExpired' && e.detail.contactId === user.contact.id)).toHaveLength(1);
    expect((await portal(user, '/portal/documents')).status).toBe(401);
  });
});

describe('a grant ends at its until, in real time', () => {
  it('listed, counted and readable before; gone (404, not listed, not counted) at until; then removed by the job, audited on the grantee', async () => {
    const company = (await createContact({ kind: 'company', name: uniq('Granting Co') })).id;
    const other = (await createContact({ kind: 'company', name: uniq('Other Co') })).id;
    const user = await createPortalUser({ name: 'Gil Grantee', email: `${uniq('gil')}@example.com`, companyId: company });
    const shared = await publish('ticket', other);
    const forever = await publish('project', other);
    const until = inSeconds(4);
    expect((await staff(`/documents/ticket/${shared.id}/grants`, { method: 'POST', body: { contactId: user.contact.id, until } })).status).toBe(201);
    expect((await staff(`/documents/project/${forever.id}/grants`, { method: 'POST', body: { contactId: user.contact.id } })).status).toBe(201);
    const grants = (await staff(`/documents/ticket/${shared.id}/grants`)).body.items;
    expect(grants).toEqual([
      { contactId: other, implicit: true },
      { contactId: user.contact.id, implicit: false, until, expired: false, grantedBy: 'staff:admin', grantedAt: expect.any(String) },
    ]);
    expect(await listed(user)).toEqual(ids([shared, forever]));
    expect(await counts(user)).toMatchObject({ ticket: 1, project: 1 });
    expect(await explainFor(user, shared)).toMatchObject({ visible: true, reasons: [{ kind: 'grant', until, grantedBy: 'staff:admin' }] });
    expect((await staff(`/documents/ticket/${shared.id}/access`)).body.items).toEqual([
      { contactId: user.contact.id, name: 'Gil Grantee', status: 'active', reasons: [{ kind: 'grant', until, grantedBy: 'staff:admin', grantedAt: expect.any(String) }] },
    ]);

    await sleepUntil(until);
    expect((await portal(user, `/portal/documents/ticket/${shared.id}`)).status).toBe(404);
    // Ended, and kept a while for staff to see (EXPIRED_GRANT_KEPT_SECONDS: 6 s on the test stack, 1 h by default).
    expect((await staff(`/documents/ticket/${shared.id}/grants`)).body.items).toEqual([
      { contactId: other, implicit: true },
      { contactId: user.contact.id, implicit: false, until, expired: true, grantedBy: 'staff:admin', grantedAt: expect.any(String) },
    ]);
    expect(await listed(user)).toEqual(ids([forever]));
    expect(await counts(user)).toMatchObject({ ticket: 0, project: 1 });
    expect(await explainFor(user, shared)).toMatchObject({ visible: false, blockers: expect.arrayContaining([{ kind: 'grant_expired', detail: expect.any(String) }]) });
    expect((await staff(`/documents/ticket/${shared.id}/access`)).body.items).toEqual([]);

    // Then the job removes it (6 s after its end here, 1 h by default): no longer listed among the grants, audited on the grantee.
    await eventually(
      async () => {
        const items = (await staff(`/documents/ticket/${shared.id}/grants`)).body.items as { contactId: string }[];
        if (items.length !== 1) throw new Error('grant still there');
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const audit = (await staff(`/contacts/${user.contact.id}/audit`)).body.items as { action: string; details: Record<string, unknown> }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: 'grant.expired', actor: 'schedule', details: expect.objectContaining({ type: 'ticket', id: shared.id, until }) }));
    // Given by staff, audited on the grantee too (with who gave it, and until when).
    expect(audit).toContainEqual(expect.objectContaining({ action: 'grant.given', actor: 'staff:admin', details: { type: 'ticket', id: shared.id, until } }));
    expect(audit).toContainEqual(expect.objectContaining({ action: 'grant.given', actor: 'staff:admin', details: { type: 'project', id: forever.id } }));
    // Counts after the job: the same.
    expect(await counts(user)).toMatchObject({ ticket: 0, project: 1 });
    expect(await listed(user)).toEqual(ids([forever]));
  });

  it('an until that is not in the future is a 400 on until', async () => {
    const company = (await createContact({ kind: 'company', name: uniq('Past Co') })).id;
    const grantee = (await createContact({ kind: 'person', name: uniq('Pat') })).id;
    const doc = await publish('lead', company);
    const res = await staff(`/documents/lead/${doc.id}/grants`, { method: 'POST', body: { contactId: grantee, until: new Date(Date.now() - 1).toISOString() } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'until', message: expect.any(String) }]);
  });
});
