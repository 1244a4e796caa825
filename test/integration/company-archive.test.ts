/**
 * Archiving a company revokes its persons' portal access (API.md, DELETE /contacts/{id} and
 * ContactArchived): each person revoked, audited and announced, their still-valid tokens refused at
 * once; a repeat changes nothing; and no person of an archived company can be granted access.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { applyAccess, createContact, portalUser, type PortalUser } from './support/principals';
import { adminToken, api, eventually, events, stack, uniq } from './support/stack';

jest.setTimeout(90_000);

interface Company {
  company: Contact;
  active: PortalUser;
  invited: Contact;
  never: Contact;
}

/** A company with an active portal user, an invited person and a person without access. */
async function companyWithPeople(label: string): Promise<Company> {
  const company = await createContact({ kind: 'company', name: uniq(label) });
  const active = await portalUser(company.id, `${label}-active`);
  const invited = await createContact({ kind: 'person', name: 'Invited', email: `${uniq(`${label}-invited`)}@example.com`, companyId: company.id });
  await applyAccess(company.id, invited.id, true);
  const never = await createContact({ kind: 'person', name: 'Never', email: `${uniq(`${label}-never`)}@example.com`, companyId: company.id });
  return { company, active, invited, never };
}

const statusOf = async (id: string) => (await api(`/contacts/${id}`, { token: await adminToken() })).body.portal.status as string;
const auditOf = async (id: string) => (await api(`/contacts/${id}/audit`, { token: await adminToken() })).body.items as { action: string; actor: string; details: { reason?: string } }[];
const revokedEvents = async (ids: string[]) =>
  (await events()).filter((e) => e['detail-type'] === 'PortalAccessRevoked' && ids.includes(e.detail.contactId)).map((e) => e.detail.contactId as string);

async function expectPeopleRevoked(c: Company, actor: string): Promise<void> {
  expect(await statusOf(c.active.contact.id)).toBe('revoked');
  expect(await statusOf(c.invited.id)).toBe('revoked');
  expect(await statusOf(c.never.id)).toBe('none');
  for (const person of [c.active.contact.id, c.invited.id])
    expect((await auditOf(person))[0]).toMatchObject({ action: 'portal.revoked', actor, details: { reason: 'company archived' } });
  // The token the active user still holds is refused at once (the record); the event follows from the outbox.
  expect((await api('/portal/me', { token: c.active.tokens.accessToken })).status).toBe(401);
  await eventually(async () => expect((await revokedEvents([c.active.contact.id, c.invited.id, c.never.id])).sort()).toEqual([c.active.contact.id, c.invited.id].sort()), {
    timeoutMs: 30_000,
  });
}

it('DELETE /contacts/{company} revokes each of its persons; a repeat changes nothing', async () => {
  const c = await companyWithPeople('archive-delete');
  expect((await api('/portal/me', { token: c.active.tokens.accessToken })).status).toBe(200);

  expect((await api(`/contacts/${c.company.id}`, { method: 'DELETE', token: await adminToken() })).status).toBe(204);
  await expectPeopleRevoked(c, 'staff:admin');

  const audits = await Promise.all([c.active.contact.id, c.invited.id].map(auditOf));
  expect((await api(`/contacts/${c.company.id}`, { method: 'DELETE', token: await adminToken() })).status).toBe(204);
  expect(await Promise.all([c.active.contact.id, c.invited.id].map(auditOf))).toEqual(audits);
  // Nothing queued by the repeat: no event a second time, even after the outbox had time to send one.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await revokedEvents([c.active.contact.id, c.invited.id])).toHaveLength(2);
});

it('a person of an archived company cannot be granted (the line fails 409), from its own wizard or the company’s', async () => {
  const c = await companyWithPeople('archive-grant');
  expect((await api(`/contacts/${c.company.id}`, { method: 'DELETE', token: await adminToken() })).status).toBe(204);
  for (const [wizard, person] of [
    [c.never.id, c.never.id],
    [c.company.id, c.never.id],
    [c.company.id, c.active.contact.id],
  ] as const) {
    const res = await api(`/contacts/${wizard}/portal-access`, { method: 'POST', token: await adminToken(), body: { lines: [{ contactId: person, inPortal: true }] } });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([expect.objectContaining({ contactId: person, outcome: 'failed', error: expect.objectContaining({ status: 409 }) })]);
  }
  expect(await statusOf(c.never.id)).toBe('none');
  expect(await statusOf(c.active.contact.id)).toBe('revoked');
});

it('ContactArchived for a company does the same', async () => {
  const c = await companyWithPeople('archive-event');
  const bus = new EventBridgeClient({ region: stack().region, endpoint: stack().eventsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const out = await bus.send(
    new PutEventsCommand({ Entries: [{ EventBusName: stack().eventBusName, Source: 'crm.integration-test', DetailType: 'ContactArchived', Detail: JSON.stringify({ contactId: c.company.id }) }] }),
  );
  expect(out.FailedEntryCount).toBe(0);
  await eventually(async () => expect(await statusOf(c.invited.id)).toBe('revoked'), { timeoutMs: 15_000 });
  expect((await api(`/contacts/${c.company.id}`, { token: await adminToken() })).body.archived).toBe(true);
  await expectPeopleRevoked(c, 'event:crm.integration-test');
});
