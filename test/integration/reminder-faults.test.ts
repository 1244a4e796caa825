/**
 * The reminder's notice to the inviter when SES refuses the staff user's address for good (an
 * address on the suppression list, or unverified while the account is in the SES sandbox), on a
 * fault stack of this file's own (support/fault-stack.ts) whose reminders come due 4 s after the
 * invitation. The invitee's reminder goes out and is recorded; the notice that can never be sent is
 * not tried again and again — its outbox item would otherwise hold up every later item of the
 * stream, so another contact's invitation would wait behind it until its retries ran out.
 */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { eventually, type Email, type WizardLine } from './support/stack';

jest.setTimeout(180_000);

let fault: FaultStack;
let token: string;
let run = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


async function grantedPerson(): Promise<Contact> {
  const label = `reminded-${process.pid}-${++run}`;
  const created = await fault.api<Contact>('/contacts', { method: 'POST', token, body: { kind: 'person', name: label, email: `${label}@example.com` } });
  expect(created.status).toBe(201);
  const applied = await fault.api(`/contacts/${created.body.id}/portal-access`, { method: 'POST', token, body: { lines: [{ contactId: created.body.id, inPortal: true }] } });
  expect(applied.body.results[0]).toMatchObject({ outcome: 'granted' });
  return created.body;
}

const mailsTo = async (address: string): Promise<Email[]> => (await fault.emails()).filter((m) => m.destination.to.includes(address));
const lineOf = async (person: Contact): Promise<WizardLine> => (await fault.api<{ lines: WizardLine[] }>(`/contacts/${person.id}/portal-access`, { token })).body.lines[0]!;

beforeAll(async () => {
  fault = await startFaultStack({ env: { REMINDER_AFTER_SECONDS: '4', INVITATION_TTL_SECONDS: '3600' } });
  token = await fault.adminToken();
}, 180_000);

afterAll(async () => {
  await fault?.stop();
});

describe("SES refusing the inviter's address for good", () => {
  it('the invitee is reminded, the notice is given up at once, and the next grant is mailed without waiting', async () => {
    fault.mail.reject(fault.info.admin.email);
    const first = await grantedPerson();
    // The invitation, then (4 s later) the reminder with a fresh link; the notice to the inviter is refused.
    await eventually(async () => expect((await mailsTo(first.email!)).length).toBe(2), { timeoutMs: 60_000, intervalMs: 250 });
    await eventually(async () => expect(fault.mail.refused).toBe(1), { timeoutMs: 30_000, intervalMs: 250 });
    const trail = await fault.api<{ items: { action: string }[] }>(`/contacts/${first.id}/audit`, { token });
    expect(trail.body.items.map((i) => i.action)).toEqual(['invitation.reminded', 'portal.granted']);

    // Another grant after it: its invitation goes out within seconds, not behind a notice retried for good.
    const second = await grantedPerson();
    await eventually(async () => expect(await lineOf(second)).toMatchObject({ status: 'invited', delivery: 'sent' }), { timeoutMs: 20_000, intervalMs: 250 });
    expect(await mailsTo(second.email!)).toHaveLength(1);

    // Its own reminder's notice is refused once too; neither notice is asked of SES again, and nothing is given up on.
    await eventually(async () => expect((await mailsTo(second.email!)).length).toBe(2), { timeoutMs: 60_000, intervalMs: 250 });
    await eventually(async () => expect(fault.mail.refused).toBe(2), { timeoutMs: 30_000, intervalMs: 250 });
    await sleep(5_000);
    expect(fault.mail.refused).toBe(2);
    expect(await fault.outbox.deadLetters()).toEqual([]);
    expect(await lineOf(first)).toMatchObject({ status: 'invited', delivery: 'sent', invitation: expect.objectContaining({ status: 'pending', remindedAt: expect.any(String) }) });
  });
});
