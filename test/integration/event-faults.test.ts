/**
 * EventBridge refusing one of a grant's two announcements, on a fault stack of this file's own
 * (support/fault-stack.ts: the handlers' PutEvents go through a proxy that can fail the entries of
 * one detail-type). The outbox worker announces a grant with `PortalInvitationSent`, then
 * `PortalAccessGranted`; while only the second is refused (throttled, say), the worker tries again
 * — and must not announce the first again with every try: each event once, none lost.
 */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { eventually } from './support/stack';

jest.setTimeout(240_000);

let fault: FaultStack;
let token: string;

const label = `event-fault-${process.pid}`;

/** How many times each detail-type was announced for the contact. */
async function eventsOf(contactId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of await fault.receivedEvents()) if (e.source === 'portal.access' && e.detail.contactId === contactId) counts[e['detail-type']] = (counts[e['detail-type']] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  fault = await startFaultStack();
  token = await fault.adminToken();
}, 180_000);

afterEach(() => fault.events.failEntries(undefined));

afterAll(async () => {
  await fault?.stop();
});

describe("EventBridge refusing a grant's second announcement for a while", () => {
  it('each event is announced once when it is back: the first is not repeated with every try of the second', async () => {
    const person = (await fault.api<Contact>('/contacts', { method: 'POST', token, body: { kind: 'person', name: label, email: `${label}@example.com` } })).body;
    const refusedBefore = fault.events.refused;
    fault.events.failEntries('ThrottlingException', 'PortalAccessGranted');
    const applied = await fault.api(`/contacts/${person.id}/portal-access`, { method: 'POST', token, body: { lines: [{ contactId: person.id, inPortal: true }] } });
    expect(applied.body.results[0]).toMatchObject({ outcome: 'granted' });
    // The worker tries again and again while the second announcement is refused.
    await eventually(async () => expect(fault.events.refused - refusedBefore).toBeGreaterThanOrEqual(3), { timeoutMs: 90_000, intervalMs: 250 });

    fault.events.failEntries(undefined);
    await eventually(async () => expect((await eventsOf(person.id)).PortalAccessGranted).toBe(1), { timeoutMs: 60_000, intervalMs: 250 });
    expect(await eventsOf(person.id)).toEqual({ PortalInvitationSent: 1, PortalAccessGranted: 1 });
  });
});
