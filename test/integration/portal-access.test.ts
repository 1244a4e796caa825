/**
 * The "Grant portal access" wizard over HTTP against the local stack: real DynamoDB Local,
 * cognito-local, the SES emulator and the local EventBridge endpoint. Apply answers once the records
 * are written; the login, the invitation email and the events follow from the outbox within seconds,
 * so the tests wait for them (`mailsTo`, `settled`, `eventually`) — and then count them exactly.
 */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { adminToken, api, cognito, createStaffUser, emails, events, eventually, mailsTo, settled, signIn, stack, uniq, type Email } from './support/stack';

let token: string;
const staff = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => api(path, { ...init, token });

async function contact(input: { kind?: 'person' | 'company'; name?: string; email?: string; companyId?: string }): Promise<Contact> {
  const res = await staff('/contacts', { method: 'POST', body: { kind: input.kind ?? 'person', name: input.name ?? uniq('Person'), ...input } });
  if (res.status !== 201) throw new Error(`POST /contacts → ${res.status} ${res.text}`);
  return res.body as Contact;
}

type Line = { contactId: string; email?: string; inPortal: boolean };
const applyLines = (wizardId: string, lines: Line[], extra: { message?: string; headers?: Record<string, string> } = {}) =>
  staff(`/contacts/${wizardId}/portal-access`, {
    method: 'POST',
    body: { lines, ...(extra.message === undefined ? {} : { message: extra.message }) },
    ...(extra.headers ? { headers: extra.headers } : {}),
  });

const enabledInPool = async (email: string) => (await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }))).Enabled;
const tokenIn = (mail: Email | undefined) => /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
const PASSWORD = 'Portal-Passw0rd!';

async function accept(mailToken: string | undefined, password = PASSWORD) {
  return api('/invitations/accept', { method: 'POST', body: { token: mailToken, password } });
}

// Each test drives several emulators over HTTP; jest's project-level testTimeout does not apply per project.
jest.setTimeout(60_000);

beforeAll(async () => {
  token = await adminToken();
});

describe('a company of three persons', () => {
  let company: Contact;
  let persons: Contact[];

  beforeAll(async () => {
    company = await contact({ kind: 'company', name: uniq('Acme') });
    persons = await Promise.all([1, 2, 3].map((n) => contact({ name: `Person ${n}`, email: `${uniq(`p${n}`)}@acme.example.com`, companyId: company.id })));
  });

  it('lists the company and its persons in the wizard, none in the portal', async () => {
    const res = await staff(`/contacts/${company.id}/portal-access`);
    expect(res.status).toBe(200);
    expect(res.body.contactId).toBe(company.id);
    const ids = (res.body.lines as { contactId: string }[]).map((l) => l.contactId).sort();
    expect(ids).toEqual([company.id, ...persons.map((p) => p.id)].sort());
    for (const person of persons)
      expect(res.body.lines).toContainEqual({ contactId: person.id, name: person.name, email: person.email, inPortal: false, status: 'none' });
  });

  it('grants all three in one apply: one login, one invitation and the events each; accepted, they sign in', async () => {
    const res = await applyLines(company.id, [{ contactId: company.id, inPortal: false }, ...persons.map((p) => ({ contactId: p.id, inPortal: true }))]);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { contactId: company.id, outcome: 'unchanged', status: 'none' },
      ...persons.map((p) => ({ contactId: p.id, outcome: 'granted', status: 'invited' })),
    ]);
    // The answer came before the mail: the lines say so, then the outbox delivers.
    const queued = await staff(`/contacts/${company.id}/portal-access`);
    for (const person of persons) expect(queued.body.lines).toContainEqual(expect.objectContaining({ contactId: person.id, status: 'invited', delivery: expect.stringMatching(/^(queued|sent)$/) }));
    const lines = await settled(company.id);
    for (const person of persons) expect(lines).toContainEqual(expect.objectContaining({ contactId: person.id, status: 'invited', delivery: 'sent' }));

    for (const person of persons) {
      const mails = await mailsTo(person.email!);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.from).toContain('@');
      expect(mail.body.text).toMatch(/https?:\/\/\S+\/invitation\?token=[A-Za-z0-9_-]{43}\n/);
      expect(mail.body.html).toContain('/invitation?token=');
      expect(mail.body.text).not.toMatch(/temporary password/i);
      const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: person.email! }));
      expect(user.UserStatus).toBe('FORCE_CHANGE_PASSWORD');

      expect((await accept(tokenIn(mail))).status).toBe(204);
      const tokens = await signIn('customer', person.email!, PASSWORD);
      expect(tokens.accessToken).toBeTruthy();
      const me = await api('/portal/me', { token: tokens.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.contact.id).toBe(person.id);
    }

    await eventually(async () => {
      const received = (await events()).filter((e) => e.source === 'portal.access' && persons.some((p) => p.id === e.detail.contactId));
      for (const person of persons)
        for (const type of ['PortalAccessGranted', 'PortalInvitationSent'])
          expect(received.filter((e) => e['detail-type'] === type && e.detail.contactId === person.id)).toEqual([
            expect.objectContaining({ detail: { contactId: person.id, email: person.email, at: expect.any(String) } }),
          ]);
    });

    const wizard = await staff(`/contacts/${company.id}/portal-access`);
    for (const person of persons) expect(wizard.body.lines).toContainEqual(expect.objectContaining({ contactId: person.id, inPortal: true, status: 'active' }));
    const audit = await staff(`/contacts/${persons[0]!.id}/audit`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((i: { action: string }) => i.action)).toEqual(['invitation.accepted', 'portal.granted']);
    expect(audit.body.items[1]).toMatchObject({ actor: `staff:${stack().admin.username}`, contactId: persons[0]!.id });
  });

  it('fails bad lines alone: no email, invalid email, another login’s email, a contact outside the wizard', async () => {
    const other = await contact({ kind: 'company', name: uniq('Other') });
    const outsider = await contact({ email: `${uniq('out')}@example.com`, companyId: other.id });
    const noEmail = await contact({ companyId: company.id });
    const invalid = await contact({ companyId: company.id });
    const taken = await contact({ companyId: company.id });
    const good = await contact({ companyId: company.id, email: `${uniq('good')}@acme.example.com` });

    const res = await applyLines(company.id, [
      { contactId: noEmail.id, inPortal: true },
      { contactId: invalid.id, inPortal: true, email: 'not-an-email' },
      { contactId: taken.id, inPortal: true, email: persons[0]!.email!.toUpperCase() },
      { contactId: outsider.id, inPortal: true },
      { contactId: good.id, inPortal: true },
    ]);

    expect(res.status).toBe(200);
    const results = res.body.results as { contactId: string; outcome: string; status: string; error?: { status: number; errors?: { path: string }[] } }[];
    expect(results.map((r) => [r.outcome, r.error?.status])).toEqual([
      ['failed', 400],
      ['failed', 400],
      ['failed', 409],
      ['failed', 404],
      ['granted', undefined],
    ]);
    expect(results[0]!.error?.errors).toEqual([expect.objectContaining({ path: 'lines.0.email' })]);
    expect(results[1]!.error?.errors).toEqual([expect.objectContaining({ path: 'lines.1.email' })]);
    expect(results[2]).toMatchObject({ status: 'none', error: { type: 'urn:portal-access:problem:email-in-use', title: 'Email in use' } });
    expect((await staff(`/contacts/${outsider.id}`)).body.portal.status).toBe('none');
    await settled(company.id);
    expect(await mailsTo(good.email!)).toHaveLength(1);
  });
});

describe('revoke and re-grant', () => {
  it('revokes at once (the portal refuses), then re-grants with a fresh invitation that works', async () => {
    const email = `${uniq('rev')}@example.com`;
    const person = await contact({ email });
    await applyLines(person.id, [{ contactId: person.id, inPortal: true }]);
    expect((await accept(tokenIn((await mailsTo(email))[0]))).status).toBe(204);
    const before = await signIn('customer', email, PASSWORD);
    expect((await api('/portal/me', { token: before.accessToken })).status).toBe(200);

    const revoked = await applyLines(person.id, [{ contactId: person.id, inPortal: false }]);
    expect(revoked.body.results).toEqual([{ contactId: person.id, outcome: 'revoked', status: 'revoked' }]);
    // The record decides at once; the login follows from the outbox.
    expect((await api('/portal/me', { token: before.accessToken })).status).toBe(401);
    await eventually(async () => expect(await enabledInPool(email)).toBe(false), { timeoutMs: 30_000 });
    const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }));
    const again = await applyLines(person.id, [{ contactId: person.id, inPortal: false }]);
    expect(again.body.results[0]).toMatchObject({ outcome: 'unchanged', status: 'revoked' });

    const regranted = await applyLines(person.id, [{ contactId: person.id, inPortal: true }]);
    expect(regranted.body.results).toEqual([{ contactId: person.id, outcome: 'regranted', status: 'invited' }]);
    const mails = await mailsTo(email, { count: 2 });
    await settled(person.id);
    const reEnabled = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }));
    expect(reEnabled.Enabled).toBe(true);
    expect(reEnabled.Username).toBe(user.Username);
    expect(await mailsTo(email)).toHaveLength(2);
    expect((await api('/portal/me', { token: before.accessToken })).status).toBe(401);
    // Token times are whole seconds: make sure the re-activation is in a later second than `before`.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await accept(tokenIn(mails[1]), 'Another-Passw0rd!')).status).toBe(204);
    const after = await signIn('customer', email, 'Another-Passw0rd!');
    expect((await api('/portal/me', { token: after.accessToken })).status).toBe(200);
    // A token from before the revocation stays dead after the re-grant is accepted.
    expect((await api('/portal/me', { token: before.accessToken })).status).toBe(401);

    const audit = await staff(`/contacts/${person.id}/audit?limit=2`);
    expect(audit.body.items.map((i: { action: string }) => i.action)).toEqual(['invitation.accepted', 'portal.regranted']);
    const next = await staff(`/contacts/${person.id}/audit?limit=10&cursor=${encodeURIComponent(audit.body.nextCursor)}`);
    expect(next.body.items.map((i: { action: string }) => i.action)).toEqual(['portal.revoked', 'invitation.accepted', 'portal.granted']);
    expect(next.body.nextCursor).toBeUndefined();
    await eventually(async () => {
      const kinds = (await events()).filter((e) => e.detail?.contactId === person.id).map((e) => e['detail-type']);
      expect(kinds.filter((k) => k === 'PortalAccessRevoked')).toHaveLength(1);
    });
  });

  it('re-invite sends a fresh link and kills the old one; only while invited', async () => {
    const email = `${uniq('reinv')}@example.com`;
    const person = await contact({ email });
    await applyLines(person.id, [{ contactId: person.id, inPortal: true }]);
    await settled(person.id);
    const res = await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: { message: 'Here is a new link', delivery: 'email' } });
    expect(res.status).toBe(202);
    const [first, second] = await mailsTo(email, { count: 2 });
    expect(second?.body.text).toContain('Here is a new link');
    expect((await accept(tokenIn(first))).status).toBe(410);
    expect((await accept(tokenIn(second))).status).toBe(204);
    const refused = await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: {} });
    expect(refused.status).toBe(409);
    // A link for staff (the invitation lifecycle's `delivery: "link"`) only while invited too; any other delivery is no request.
    expect((await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: { delivery: 'link' } })).status).toBe(409);
    expect((await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: { delivery: 'sms' } })).status).toBe(400);
  });

  it('a re-invite by email after one by link (delivery "link") mails a fresh link; the link handed to staff dies', async () => {
    const email = `${uniq('relink')}@example.com`;
    const person = await contact({ email });
    await applyLines(person.id, [{ contactId: person.id, inPortal: true }]);
    await settled(person.id);
    const link = await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: { delivery: 'link' } });
    expect(link.status).toBe(200);
    // The link left no outbox item behind on the contact: the email's must not need one.
    const res = await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: {} });
    expect(res.status).toBe(202);
    const [, mailed] = await mailsTo(email, { count: 2 });
    expect((await accept(new URL(link.body.url).searchParams.get('token') ?? '')).status).toBe(410);
    expect((await accept(tokenIn(mailed))).status).toBe(204);
  });

  it('a link (delivery "link") repeated with its Idempotency-Key issues nothing twice: 409, and the link already handed out still works', async () => {
    const email = `${uniq('linkkey')}@example.com`;
    const person = await contact({ email });
    await applyLines(person.id, [{ contactId: person.id, inPortal: true }]);
    await settled(person.id);
    const key = uniq('link-key');
    const link = await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: { delivery: 'link' }, headers: { 'Idempotency-Key': key } });
    expect(link.status).toBe(200);
    // A double submit: the URL is stored nowhere, so it cannot be answered again — and must not be replaced.
    const repeat = await staff(`/contacts/${person.id}/portal-access/reinvite`, { method: 'POST', body: { delivery: 'link' }, headers: { 'Idempotency-Key': key } });
    expect(repeat.status).toBe(409);
    expect(repeat.body).toMatchObject({ type: 'urn:portal-access:problem:idempotency-conflict', detail: expect.stringContaining('shown only once') });
    const reinvited = (await staff(`/contacts/${person.id}/audit`)).body.items.filter((a: { action: string }) => a.action === 'portal.reinvited');
    expect(reinvited).toHaveLength(1);
    expect((await accept(new URL(link.body.url).searchParams.get('token') ?? '')).status).toBe(204);
  });

  it('answers 404 for an unknown wizard or audit, 400 for a forged cursor or a bad body', async () => {
    expect((await staff('/contacts/nope-unknown/audit')).status).toBe(404);
    expect((await staff('/contacts/nope-unknown/portal-access')).status).toBe(404);
    expect((await applyLines('nope-unknown', [{ contactId: 'nope-unknown', inPortal: true }])).status).toBe(404);
    expect((await applyLines('nope-unknown', [])).status).toBe(400);
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ contactId: `c${i}`, inPortal: true }));
    expect((await applyLines('nope-unknown', tooMany)).status).toBe(400);
    const unknownField = await staff('/contacts/nope-unknown/portal-access', { method: 'POST', body: { lines: [{ contactId: 'x', inPortal: true, admin: true }] } });
    expect(unknownField.status).toBe(400);
    const person = await contact({});
    expect((await staff(`/contacts/${person.id}/audit?cursor=${Buffer.from('{"s":"x","k":{}}').toString('base64url')}`)).status).toBe(400);
  });
});

describe('safety', () => {
  it('an Idempotency-Key repeat answers the first answer: no second login, no second email; another body is 409', async () => {
    const email = `${uniq('idem')}@example.com`;
    const person = await contact({ email });
    const key = uniq('key');
    const lines = [{ contactId: person.id, inPortal: true }];
    const first = await applyLines(person.id, lines, { headers: { 'Idempotency-Key': key } });
    await settled(person.id);
    const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }));
    const second = await applyLines(person.id, lines, { headers: { 'Idempotency-Key': key } });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(first.body.results[0].outcome).toBe('granted');
    await settled(person.id);
    expect(await mailsTo(email)).toHaveLength(1);
    const still = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }));
    expect(still.Username).toBe(user.Username);

    const other = await applyLines(person.id, [{ contactId: person.id, inPortal: false }], { headers: { 'Idempotency-Key': key } });
    expect(other.status).toBe(409);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect((await applyLines(person.id, lines, { headers: { 'Idempotency-Key': 'k'.repeat(129) } })).status).toBe(400);
    // Without a key the same body is simply applied again: nothing to do.
    expect((await applyLines(person.id, lines)).body.results[0].outcome).toBe('unchanged');
  });

  it("an Idempotency-Key is the caller's own: another staff user's same key is neither answered from the first answer nor a 409", async () => {
    const [one, two] = await Promise.all([contact({ email: `${uniq('idem-one')}@example.com` }), contact({ email: `${uniq('idem-two')}@example.com` })]);
    const grant = (person: Contact) => [{ contactId: person.id, inPortal: true }];
    const [keyOne, keyTwo] = [uniq('shared-key'), uniq('shared-key')];
    const first = await applyLines(one.id, grant(one), { headers: { 'Idempotency-Key': keyOne } });
    expect(first.body.results[0].outcome).toBe('granted');
    expect((await applyLines(two.id, grant(two), { headers: { 'Idempotency-Key': keyTwo } })).body.results[0].outcome).toBe('granted');

    const username = uniq('second-staff');
    const password = 'Second-Staff-Pw-1!';
    await createStaffUser(username, password, { admin: true });
    const other = (await signIn('staff', username, password)).accessToken;
    const asOther = (person: Contact, key: string, lines: Line[]) =>
      api(`/contacts/${person.id}/portal-access`, { method: 'POST', token: other, body: { lines }, headers: { 'Idempotency-Key': key } });
    // The same body under the same key runs for this caller: the contact is invited already, so nothing to do (not the first caller's `granted`).
    const same = await asOther(one, keyOne, grant(one));
    expect(same.status).toBe(200);
    expect(same.body.results[0].outcome).toBe('unchanged');
    // Another body under the first caller's key is no conflict of this caller's: it runs.
    const revoke = await asOther(two, keyTwo, [{ contactId: two.id, inPortal: false }]);
    expect(revoke.status).toBe(200);
    expect(revoke.body.results[0].outcome).toBe('revoked');
    // The first caller's repeat still answers its own first answer.
    expect((await applyLines(one.id, grant(one), { headers: { 'Idempotency-Key': keyOne } })).body).toEqual(first.body);
  });

  it('the hostile message arrives escaped, with no extra header or recipient', async () => {
    const email = `${uniq('hostile')}@example.com`;
    const person = await contact({ email });
    const res = await applyLines(person.id, [{ contactId: person.id, inPortal: true }], { message: '<script>alert(1)</script>\r\nBcc: x@evil.test' });
    expect(res.body.results[0].outcome).toBe('granted');
    const [mail] = await mailsTo(email);
    await settled(person.id);
    expect(mail!.destination).toEqual({ to: [email], cc: [], bcc: [] });
    expect(mail!.headers ?? []).toEqual([]);
    expect(mail!.subject).not.toContain('evil');
    expect(mail!.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail!.body.html).not.toContain('<script>');
    expect(mail!.body.text).toContain('<script>alert(1)</script>\nBcc: x@evil.test');
    expect((await emails()).some((m) => [...m.destination.to, ...m.destination.bcc, ...m.destination.cc].includes('x@evil.test'))).toBe(false);
  });

  it('applies a company of 40 in one request, answers in request order, one email each', async () => {
    const company = await contact({ kind: 'company', name: uniq('Big') });
    const people = await Promise.all(Array.from({ length: 40 }, (_, i) => contact({ name: `P${i}`, email: `${uniq(`big${i}`)}@big.example.com`, companyId: company.id })));
    const lines = people.map((p) => ({ contactId: p.id, inPortal: true }));
    const res = await applyLines(company.id, lines);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { contactId: string; outcome: string }) => [r.contactId, r.outcome])).toEqual(people.map((p) => [p.id, 'granted']));
    await settled(company.id);
    const all = await emails();
    for (const p of people) expect(all.filter((m) => m.destination.to.includes(p.email!))).toHaveLength(1);
  });

  it('20 concurrent grants of one email to 20 contacts: exactly one login, 19 conflicts', async () => {
    const email = `${uniq('race')}@example.com`;
    const people = await Promise.all(Array.from({ length: 20 }, () => contact({})));
    const answers = await Promise.all(people.map((p) => applyLines(p.id, [{ contactId: p.id, inPortal: true, email }])));
    const results = answers.map((a) => a.body.results[0] as { outcome: string; error?: { status: number } });
    expect(results.filter((r) => r.outcome === 'granted')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'failed' && r.error?.status === 409)).toHaveLength(19);
    const winner = people[results.findIndex((r) => r.outcome === 'granted')]!;
    await settled(winner.id);
    expect(await mailsTo(email)).toHaveLength(1);
    const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: stack().customerUserPoolId, Username: email }));
    expect(user.Username).toBeTruthy();
    expect((await staff(`/contacts/${winner.id}`)).body.email).toBe(email);
  });
});
