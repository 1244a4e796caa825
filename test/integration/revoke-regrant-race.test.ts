/**
 * Concurrent revoke and re-grant of one contact (issue 10, finding 5): `{inPortal:false}` and
 * `{inPortal:true}` for the same contact at the same moment, as two applies. Each writes the record
 * and an outbox item; the outbox worker then calls Cognito. Whatever order their steps interleave
 * in, once the outbox is done with them the Cognito login must be in the state the access record
 * says — enabled when the contact is invited or active, disabled when it is revoked — and a
 * repeated apply must find nothing to repair.
 */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { createContact } from './support/principals';
import { adminToken, api, cognito, outboxDone, settled, stack, uniq } from './support/stack';

jest.setTimeout(180_000);

const PAIRS = 20;

let company: Contact;
let persons: Contact[];
let token: string;

const apply = (lines: { contactId: string; inPortal: boolean }[]) => api(`/contacts/${company.id}/portal-access`, { method: 'POST', token, body: { lines } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function enabledInPool(email: string): Promise<boolean | undefined> {
  const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }));
  return user.Enabled;
}

/** Each contact's record status next to its login's Enabled. */
async function states(): Promise<{ contactId: string; status: string; enabled: boolean | undefined }[]> {
  const wizard = await api(`/contacts/${company.id}/portal-access`, { token });
  expect(wizard.status).toBe(200);
  return Promise.all(
    persons.map(async (p) => {
      const line = (wizard.body.lines as { contactId: string; status: string }[]).find((l) => l.contactId === p.id)!;
      return { contactId: p.id, status: line.status, enabled: await enabledInPool(p.email!) };
    }),
  );
}

const converged = (s: { status: string; enabled: boolean | undefined }) => ({ status: s.status, enabled: s.status === 'invited' || s.status === 'active' });

beforeAll(async () => {
  token = await adminToken();
  company = await createContact({ kind: 'company', name: uniq('Race Co') });
  persons = await Promise.all(
    Array.from({ length: PAIRS }, (_, i) => createContact({ kind: 'person', name: `Racer ${i}`, email: `${uniq(`racer-${i}`)}@example.com`, companyId: company.id })),
  );
  const granted = await apply(persons.map((p) => ({ contactId: p.id, inPortal: true })));
  expect(granted.body.results.every((r: { outcome: string }) => r.outcome === 'granted')).toBe(true);
  // The logins exist once the outbox has sent the invitations.
  await settled(company.id, { timeoutMs: 120_000 });
});

it(`${PAIRS} interleaved revoke/re-grant pairs, three rounds: every login ends as its record says, and a repeat changes nothing`, async () => {
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      persons.map(async (p, i) => {
        // Staggered by a few milliseconds each way, so that the two requests' steps interleave differently per pair.
        const offset = (i % 5) * 7;
        const revokeFirst = (i + round) % 2 === 0;
        const revoke = async () => {
          if (!revokeFirst) await sleep(offset);
          return apply([{ contactId: p.id, inPortal: false }]);
        };
        const grant = async () => {
          if (revokeFirst) await sleep(offset);
          return apply([{ contactId: p.id, inPortal: true }]);
        };
        const answers = await Promise.all([revoke(), grant()]);
        for (const answer of answers) expect(answer.status).toBe(200);
      }),
    );
  }

  // The outbox done with every contact's last change: then, and from then on, the pool agrees with the records.
  await outboxDone(persons.map((p) => p.id), { timeoutMs: 120_000 });
  const after = await states();
  expect(after.map((s) => ({ contactId: s.contactId, ...converged(s) }))).toEqual(after.map((s) => ({ contactId: s.contactId, status: s.status, enabled: s.enabled })));

  // Repeating each contact's current state changes nothing (and the pool agrees still).
  const repeat = await apply(after.map((s) => ({ contactId: s.contactId, inPortal: s.status === 'invited' || s.status === 'active' })));
  expect(repeat.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(after.map(() => 'unchanged'));
  await outboxDone(persons.map((p) => p.id));
  const again = await states();
  expect(again.map((s) => ({ contactId: s.contactId, ...converged(s) }))).toEqual(again.map((s) => ({ contactId: s.contactId, status: s.status, enabled: s.enabled })));
});
