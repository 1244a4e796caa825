/**
 * A re-invite with an `Idempotency-Key` whose answer is lost after its write, on a fault stack of
 * this file's own (support/fault-stack.ts: the handlers' table calls go through a proxy that can
 * fail some of them). The re-invitation is queued (its outbox item, the audit entry, the old link
 * dead) and then the write that stores the answer under the key fails: the caller is told `503`.
 * Its repeat with the same key and body must answer the first answer and do nothing twice
 * (API.md): no second re-invitation, so no second email with yet another link — also once the
 * failed attempt's record has been abandoned and the repeat takes it over.
 */
import { ABANDONED_AFTER_MS } from '../../lambdas/contract/runtime';
import { expectUnavailable, invitationLinkIn, startFaultStack, type FaultStack } from './support/fault-stack';
import { eventually } from './support/stack';

jest.setTimeout(300_000);

let fault: FaultStack;
let token: string;

const PASSWORD = 'Reinvite-Fault-Pw1!';
const label = `reinvite-fault-${process.pid}`;
const accept = (link: string | undefined) => fault.api('/invitations/accept', { method: 'POST', body: { token: link, password: PASSWORD } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fault = await startFaultStack();
  token = await fault.adminToken();
}, 180_000);

afterEach(() => fault.table.failMatching(undefined));

afterAll(async () => {
  await fault?.stop();
});

describe('a re-invite whose Idempotency-Key record cannot be completed after the re-invitation was queued', () => {
  it('answers 503; the repeat with the same key answers 202 and queues nothing more: one re-invitation email, whose link works', async () => {
    const { person } = await fault.invitedPerson(token, { name: label, email: `${label}@example.com` });

    const reinvite = () =>
      fault.api(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', token, headers: { 'idempotency-key': `reinvite-${person.id}` }, body: { message: 'Here is a fresh link.' } });

    // The re-invitation's transaction goes through; the key's record is never marked done (its answer lost).
    fault.table.failMatching('SET #state = :done');
    const failedBefore = fault.table.failed;
    const started = Date.now();
    expectUnavailable(await reinvite());
    expect(fault.table.failed - failedBefore).toBeGreaterThan(0);
    fault.table.failMatching(undefined);

    // The re-invitation that was queued goes out, once.
    await eventually(async () => expect(await fault.mailsTo(person.email!)).toHaveLength(2), { timeoutMs: 60_000, intervalMs: 250 });

    // Repeated as the 503 asks, until it is answered (a repeat may take over the failed attempt's record
    // only once no request can still be running it): 202, as the first attempt would have answered.
    let answer = await reinvite();
    while (answer.status !== 202 && Date.now() - started < ABANDONED_AFTER_MS + 30_000) {
      expect({ status: answer.status, type: answer.body?.type }).toEqual({ status: 409, type: 'urn:portal-access:problem:idempotency-conflict' });
      await sleep(2_000);
      answer = await reinvite();
    }
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 202, text: '' });
    expect((await reinvite()).status).toBe(202);

    // Nothing twice: no further re-invitation queued, no third email; the one re-invitation's link works.
    await sleep(5_000);
    const wizard = await fault.api<{ lines: { contactId: string; delivery?: string }[] }>(`/contacts/${person.id}/portal-access`, { token });
    expect(wizard.body.lines.find((l) => l.contactId === person.id)?.delivery).toBe('sent');
    const mails = await fault.mailsTo(person.email!);
    expect(mails).toHaveLength(2);
    const trail = await fault.api<{ items: { action: string }[] }>(`/contacts/${person.id}/audit`, { token });
    expect(trail.body.items.map((i) => i.action)).toEqual(['portal.reinvited', 'portal.granted']);
    expect((await accept(invitationLinkIn(mails[1]))).status).toBe(204);
  });
});
