/**
 * A wizard line that meets the acceptance of the contact's invitation: staff untick `In Portal`, or
 * narrow the access (`scope: "own"`, fewer `types`), while the invitee is setting a password. The
 * wizard read the contact `invited`, the acceptance made it `active` before the wizard wrote: what
 * staff asked for must hold all the same — the line answers `revoked` (the invitee's token refused
 * on its very next request) or `updated` (the narrower access in force), never `failed` with
 * "repeat the request".
 */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { createContact, invitationTokenIn, PORTAL_PASSWORD } from './support/principals';
import { adminToken, api, mailsTo, signIn, uniq } from './support/stack';

jest.setTimeout(180_000);

const PAIRS = 12;

let company: Contact;
/** Invited, each with its invitation's token: the first PAIRS for the revocations, the next PAIRS for the narrowing. */
let persons: Contact[];
let invitations: string[];
let token: string;

const apply = (lines: { contactId: string; inPortal: boolean }[]) => api(`/contacts/${company.id}/portal-access`, { method: 'POST', token, body: { lines } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  token = await adminToken();
  company = await createContact({ kind: 'company', name: uniq('Accept Race Co') });
  persons = await Promise.all(
    Array.from({ length: 2 * PAIRS }, (_, i) => createContact({ kind: 'person', name: `Accepter ${i}`, email: `${uniq(`accepter-${i}`)}@example.com`, companyId: company.id })),
  );
  const granted = await apply(persons.map((p) => ({ contactId: p.id, inPortal: true })));
  expect(granted.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(persons.map(() => 'granted'));
  invitations = await Promise.all(persons.map(async (p) => invitationTokenIn((await mailsTo(p.email!))[0]) ?? ''));
  expect(invitations.every((t) => t !== '')).toBe(true);
});

/** Each person's line applied while its invitation is being accepted; the lines' results, and whether each acceptance went through. */
async function racing(group: Contact[], offset: number, line: Record<string, unknown>) {
  return Promise.all(
    group.map(async (p, i) => {
      const accept = api('/invitations/accept', { method: 'POST', body: { token: invitations[offset + i], password: PORTAL_PASSWORD } });
      // Staggered by a few milliseconds, so that the wizard's read and write fall around the acceptance's differently per pair.
      await sleep((i % 6) * 4);
      const answer = await apply([{ contactId: p.id, ...line }] as { contactId: string; inPortal: boolean }[]);
      expect(answer.status).toBe(200);
      const accepted = (await accept).status;
      expect([204, 410]).toContain(accepted);
      return { result: answer.body.results[0], accepted: accepted === 204 };
    }),
  );
}

async function wizardLines(): Promise<Map<string, { status: string; scope?: string; types?: string[] }>> {
  const wizard = await api(`/contacts/${company.id}/portal-access`, { token });
  return new Map((wizard.body.lines as { contactId: string; status: string; scope?: string; types?: string[] }[]).map((l) => [l.contactId, l]));
}

it(`${PAIRS} revocations each racing the acceptance of the contact's invitation: every one revokes, and the access ends`, async () => {
  const group = persons.slice(0, PAIRS);
  const outcomes = await racing(group, 0, { inPortal: false });
  expect(outcomes.map((o) => o.result)).toEqual(group.map((p) => ({ contactId: p.id, outcome: 'revoked', status: 'revoked' })));

  const lines = await wizardLines();
  expect(group.map((p) => lines.get(p.id)?.status)).toEqual(group.map(() => 'revoked'));

  // Whoever got a password set before the revocation: a token signed in with it is refused at once.
  for (const p of group) {
    const tokens = await signIn('customer', p.email!, PORTAL_PASSWORD).catch(() => undefined);
    if (!tokens) continue;
    const me = await api('/portal/me', { token: tokens.accessToken });
    expect(me.status).toBe(401);
  }
});

it(`${PAIRS} narrowings (own documents, invoices only) each racing the acceptance: every one is in force`, async () => {
  const group = persons.slice(PAIRS);
  const outcomes = await racing(group, PAIRS, { inPortal: true, scope: 'own', types: ['invoice'] });
  // The line's status is the contact's at its write: invited, or active when the acceptance came first.
  expect(outcomes.map((o) => ({ ...o.result, status: ['invited', 'active'].includes(o.result.status) }))).toEqual(
    group.map((p) => ({ contactId: p.id, outcome: 'updated', status: true })),
  );
  const lines = await wizardLines();
  expect(group.map((p) => ({ scope: lines.get(p.id)?.scope, types: lines.get(p.id)?.types }))).toEqual(group.map(() => ({ scope: 'own', types: ['invoice'] })));
});
