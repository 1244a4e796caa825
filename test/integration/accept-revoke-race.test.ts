/**
 * A revocation that meets the acceptance of the invitation it revokes: staff untick `In Portal`
 * while the invitee is setting a password. The wizard read the contact `invited`, the acceptance
 * made it `active` before the wizard wrote: the access must end all the same — the line answers
 * `revoked`, never `failed` with "repeat the request", and the invitee's token is refused on its
 * very next request.
 */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { createContact, invitationTokenIn, PORTAL_PASSWORD } from './support/principals';
import { adminToken, api, mailsTo, signIn, uniq } from './support/stack';

jest.setTimeout(180_000);

const PAIRS = 12;

let company: Contact;
let persons: Contact[];
let invitations: string[];
let token: string;

const apply = (lines: { contactId: string; inPortal: boolean }[]) => api(`/contacts/${company.id}/portal-access`, { method: 'POST', token, body: { lines } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  token = await adminToken();
  company = await createContact({ kind: 'company', name: uniq('Accept Race Co') });
  persons = await Promise.all(
    Array.from({ length: PAIRS }, (_, i) => createContact({ kind: 'person', name: `Accepter ${i}`, email: `${uniq(`accepter-${i}`)}@example.com`, companyId: company.id })),
  );
  const granted = await apply(persons.map((p) => ({ contactId: p.id, inPortal: true })));
  expect(granted.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(persons.map(() => 'granted'));
  invitations = await Promise.all(persons.map(async (p) => invitationTokenIn((await mailsTo(p.email!))[0]) ?? ''));
  expect(invitations.every((t) => t !== '')).toBe(true);
});

it(`${PAIRS} revocations each racing the acceptance of the contact's invitation: every one revokes, and the access ends`, async () => {
  const outcomes = await Promise.all(
    persons.map(async (p, i) => {
      const accept = api('/invitations/accept', { method: 'POST', body: { token: invitations[i], password: PORTAL_PASSWORD } });
      // Staggered by a few milliseconds, so that the wizard's read and write fall around the acceptance's differently per pair.
      await sleep((i % 6) * 4);
      const revoke = await apply([{ contactId: p.id, inPortal: false }]);
      expect(revoke.status).toBe(200);
      expect([204, 410]).toContain((await accept).status);
      return revoke.body.results[0];
    }),
  );
  expect(outcomes).toEqual(persons.map((p) => ({ contactId: p.id, outcome: 'revoked', status: 'revoked' })));

  const wizard = await api(`/contacts/${company.id}/portal-access`, { token });
  const statuses = new Map((wizard.body.lines as { contactId: string; status: string }[]).map((l) => [l.contactId, l.status]));
  expect(persons.map((p) => statuses.get(p.id))).toEqual(persons.map(() => 'revoked'));

  // Whoever got a password set before the revocation: a token signed in with it is refused at once.
  for (const p of persons) {
    const tokens = await signIn('customer', p.email!, PORTAL_PASSWORD).catch(() => undefined);
    if (!tokens) continue;
    const me = await api('/portal/me', { token: tokens.accessToken });
    expect(me.status).toBe(401);
  }
});
