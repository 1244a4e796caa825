/**
 * Archiving a company while DynamoDB fails its persons' revocations, on a fault stack of this file's
 * own (support/fault-stack.ts: the handlers' table calls go through a proxy that can fail some of
 * them). The DELETE answers 503; what it leaves must be safe and repeatable: never an archived
 * company (no longer offered for archiving in the console) whose persons still see its documents.
 * The repeat completes it: every person revoked once, audited once, announced once.
 */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { expectUnavailable, startFaultStack, type FaultStack } from './support/fault-stack';
import { eventually } from './support/stack';

jest.setTimeout(240_000);

let fault: FaultStack;
let token: string;

const PASSWORD = 'Archive-Fault-Pw1!';
const label = `archive-fault-${process.pid}`;
const staff = <T = any>(path: string, init: { method?: string; body?: unknown } = {}) => fault.api<T>(path, { ...init, token }); // eslint-disable-line @typescript-eslint/no-explicit-any

/** A person of the company with portal access, its invitation accepted; answers it and its portal token. */
async function activePerson(companyId: string, n: number): Promise<{ person: Contact; portalToken: string }> {
  const email = `${label}-${n}@example.com`;
  const { person, link } = await fault.invitedPerson(token, { name: `Person ${n}`, email, companyId });
  const accepted = await fault.api('/invitations/accept', { method: 'POST', body: { token: link, password: PASSWORD } });
  expect(accepted.status).toBe(204);
  return { person, portalToken: await fault.customerToken(email, PASSWORD) };
}

beforeAll(async () => {
  fault = await startFaultStack();
  token = await fault.adminToken();
}, 180_000);

afterEach(() => fault.table.failMatching(undefined));

afterAll(async () => {
  await fault?.stop();
});

describe("archiving a company while DynamoDB fails its persons' revocations", () => {
  it('answers 503 and leaves no archived company whose persons still see its documents; the repeat revokes each person once', async () => {
    const company = (await staff<Contact>('/contacts', { method: 'POST', body: { kind: 'company', name: label } })).body;
    const document = `/documents/invoice/${label}`;
    expect((await staff(document, { method: 'PUT', body: { customerId: company.id, name: 'Invoice' } })).status).toBe(201);
    const persons = [await activePerson(company.id, 1), await activePerson(company.id, 2)];
    for (const { portalToken } of persons) expect((await fault.api(`/portal${document}`, { token: portalToken })).status).toBe(200);

    fault.table.failMatching('portal.revoked');
    expectUnavailable(await staff(`/contacts/${company.id}`, { method: 'DELETE' }));
    fault.table.failMatching(undefined);

    // Whatever the failed DELETE did, it is not an archived company whose persons still read its documents.
    const archived = (await staff<Contact>(`/contacts/${company.id}`)).body.archived;
    const seeing: string[] = [];
    for (const { person, portalToken } of persons) if ((await fault.api(`/portal${document}`, { token: portalToken })).status === 200) seeing.push(person.name);
    expect({ archived, seeing: archived ? seeing : [] }).toEqual({ archived: false, seeing: [] });

    // The repeat completes it: archived, each person revoked (refused at once), audited and announced once.
    expect((await staff(`/contacts/${company.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff<Contact>(`/contacts/${company.id}`)).body.archived).toBe(true);
    for (const { person, portalToken } of persons) {
      expect((await staff<Contact>(`/contacts/${person.id}`)).body.portal.status).toBe('revoked');
      expect((await fault.api(`/portal${document}`, { token: portalToken })).status).toBe(401);
      const trail = await staff<{ items: { action: string }[] }>(`/contacts/${person.id}/audit`);
      expect(trail.body.items.map((i) => i.action)).toEqual(['portal.revoked', 'invitation.accepted', 'portal.granted']);
    }
    await eventually(
      async () => {
        const revokedEvents = (await fault.receivedEvents()).filter((e) => e['detail-type'] === 'PortalAccessRevoked').map((e) => e.detail.contactId);
        expect(revokedEvents.sort()).toEqual(persons.map((p) => p.person.id).sort());
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  });
});
