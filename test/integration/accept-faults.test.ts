/**
 * Accepting an invitation while DynamoDB goes away half-way, on a fault stack of this file's own
 * (support/fault-stack.ts: the handlers' table calls go through a proxy that can fail some of them).
 * The accept claims the invitation, sets the password, then activates the access; when the table
 * fails the activation and also the claim's release, the claim stays behind. The invitee, told `503`
 * (try again), must not then be told that the link is dead: it is not, and it works once the claim
 * of the failed attempt has lapsed.
 */
import { expectUnavailable, startFaultStack, type FaultStack } from './support/fault-stack';

jest.setTimeout(240_000);

let fault: FaultStack;
let token: string;

const PASSWORD = 'Accept-Fault-Pw1!';
const label = `accept-fault-${process.pid}`;
const accept = (link: string | undefined) => fault.api('/invitations/accept', { method: 'POST', body: { token: link, password: PASSWORD } });

beforeAll(async () => {
  fault = await startFaultStack();
  token = await fault.adminToken();
}, 180_000);

afterEach(() => fault.table.failMatching(undefined));

afterAll(async () => {
  await fault?.stop();
});

describe('DynamoDB failing after the password was set, and failing the release of the claim too', () => {
  it('the retry is never told the link is dead: 503 while the failed attempt’s claim may still be live, then the same link works, once', async () => {
    const { person, link } = await fault.invitedPerson(token, { name: label, email: `${label}@example.com` });

    // The activation's transaction and the claim's release both fail (the table went away after the password was set).
    fault.table.failMatching(['invitation.accepted', 'REMOVE claimedAt']);
    expectUnavailable(await accept(link));
    fault.table.failMatching(undefined);

    // The table is back. Until the failed attempt's claim lapses, the retry is told to try again, never `410`.
    const started = Date.now();
    let answer = await accept(link);
    while (answer.status === 503) {
      expectUnavailable(answer);
      expect(Date.now() - started).toBeLessThan(90_000);
      await new Promise((resolve) => setTimeout(resolve, Number(answer.headers['retry-after']) * 1000));
      answer = await accept(link);
    }
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 204, text: '' });
    expect((await accept(link)).status).toBe(410);

    const trail = await fault.api<{ items: { action: string }[] }>(`/contacts/${person.id}/audit`, { token });
    expect(trail.body.items.map((i) => i.action)).toEqual(['invitation.accepted', 'portal.granted']);
    expect((await fault.api('/portal/me', { token: await fault.customerToken(person.email!, PASSWORD) })).status).toBe(200);
  });
});
