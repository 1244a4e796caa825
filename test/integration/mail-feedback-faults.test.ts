/**
 * SES's feedback (a hard bounce) reaching the events function while the table fails its write, on
 * a fault stack of this file's own (support/fault-stack.ts: the handlers' table calls go through a
 * proxy that can fail some of them). The events function throws, and its event is tried again
 * (Lambda's async retries; locally the events endpoint's): once the table is back the invitation is
 * marked bounced with one audit line; when it never comes back in time, the event is kept in the
 * dead-letter list for a human (docs/operations.md, `ConsumerFailures`/`MailFeedbackDeadLetters`).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { eventually } from './support/stack';

jest.setTimeout(240_000);

let fault: FaultStack;
let token: string;

const label = `feedback-fault-${process.pid}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fault = await startFaultStack();
  token = await fault.adminToken();
}, 180_000);

afterEach(() => fault.table.failMatching(undefined));

afterAll(async () => {
  await fault?.stop();
});

async function bounce(email: string, messageId: string): Promise<void> {
  const client = new EventBridgeClient({ region: fault.info.region, endpoint: fault.info.eventsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const detail = { eventType: 'Bounce', mail: { messageId, destination: [email] }, bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: email }] } };
  const out = await client.send(new PutEventsCommand({ Entries: [{ Source: 'aws.ses', DetailType: 'Email Bounced', Detail: JSON.stringify(detail) }] }));
  expect(out.FailedEntryCount).toBe(0);
}

const lineOf = async (contactId: string) =>
  (await fault.api<{ lines: { contactId: string; delivery?: string }[] }>(`/contacts/${contactId}/portal-access`, { token })).body.lines.find((l) => l.contactId === contactId);
const bouncedLines = async (contactId: string) =>
  (await fault.api<{ items: { action: string }[] }>(`/contacts/${contactId}/audit`, { token })).body.items.filter((i) => i.action === 'invitation.bounced');

describe("a hard bounce while the table fails the invitation's mark", () => {
  it('for a moment: the event is tried again and the invitation marked bounced, with one audit line', async () => {
    const { person } = await fault.invitedPerson(token, { name: `${label}-a`, email: `${label}-a@example.com` });
    fault.table.failMatching('invitation.bounced');
    const failedBefore = fault.table.failed;
    await bounce(person.email!, `msg-${label}-a`);
    await eventually(async () => expect(fault.table.failed - failedBefore).toBeGreaterThan(0), { timeoutMs: 10_000, intervalMs: 50 });
    fault.table.failMatching(undefined);

    await eventually(async () => expect((await lineOf(person.id))?.delivery).toBe('bounced'), { timeoutMs: 20_000, intervalMs: 250 });
    await sleep(3_000);
    expect(await bouncedLines(person.id)).toHaveLength(1);
  });

  it('for longer than the retries: nothing is marked and the event is kept in the dead-letter list', async () => {
    const { person } = await fault.invitedPerson(token, { name: `${label}-b`, email: `${label}-b@example.com` });
    fault.table.failMatching('invitation.bounced');
    await bounce(person.email!, `msg-${label}-b`);
    const dlq = async () => (await (await fetch(`${fault.info.eventsEndpoint}/dlq`)).json()) as { event: { detail: { mail?: { messageId?: string } } } }[];
    await eventually(async () => expect((await dlq()).some((d) => d.event.detail.mail?.messageId === `msg-${label}-b`)).toBe(true), { timeoutMs: 30_000, intervalMs: 250 });
    fault.table.failMatching(undefined);
    expect((await lineOf(person.id))?.delivery).toBe('sent');
    expect(await bouncedLines(person.id)).toHaveLength(0);
  });
});
