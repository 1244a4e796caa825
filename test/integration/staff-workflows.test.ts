/**
 * The staff's workflows of contract w2, over HTTP against the local stack: contacts by portal status,
 * archived contacts apart, restoring one, moving a live login to a new email (and nobody else's
 * login taken that way), and a company's history of its wizard's applies.
 */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { applyAccess, createContact, invitationTokenIn, PORTAL_PASSWORD, portalUser } from './support/principals';
import { adminToken, api, cognito, eventually, mailsTo, signIn, stack, uniq } from './support/stack';
import { AdminCreateUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

const staff = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => api(path, { ...init, token: admin });
const ids = (page: { items: Contact[] }) => page.items.map((c) => c.id);

/** Accepts the `mails`-th invitation mailed to `email` (the outbox sends it within seconds: waited for). */
async function accept(email: string, password = PORTAL_PASSWORD, { mails = 1 } = {}): Promise<void> {
  const token = invitationTokenIn((await mailsTo(email, { count: mails })).at(-1));
  if (!token) throw new Error(`no invitation to ${email}`);
  const res = await api('/invitations/accept', { method: 'POST', body: { token, password } });
  if (res.status !== 204) throw new Error(`accept → ${res.status} ${res.text}`);
}

/** Every contact of a listing, all pages. */
async function listAll(query: string): Promise<Contact[]> {
  const all: Contact[] = [];
  let cursor: string | undefined;
  do {
    const res = await staff(`/contacts?${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    all.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return all;
}

describe('GET /contacts?portalStatus=', () => {
  let company: Contact;
  let tag: string;
  const people: Record<'none' | 'invited' | 'active' | 'revoked', Contact> = {} as never;

  beforeAll(async () => {
    tag = uniq('Status');
    company = await createContact({ kind: 'company', name: `${tag} company` });
    for (const status of ['none', 'invited', 'active', 'revoked'] as const)
      people[status] = await createContact({ kind: 'person', name: `${tag} ${status}`, email: `${uniq(status)}@example.com`, companyId: company.id });
    for (const status of ['invited', 'active', 'revoked'] as const) await applyAccess(company.id, people[status].id, true);
    await accept(people.active.email!);
    await applyAccess(company.id, people.revoked.id, false);
  });

  test.each(['none', 'invited', 'active', 'revoked'] as const)('%s: the contacts with that status, by name, a page at a time (name prefix)', async (status) => {
    // The status partition holds every test's contacts: the name prefix (begins_with on its sort key) narrows it to ours.
    const found = await listAll(`portalStatus=${status}&q=${encodeURIComponent(tag)}`);
    const expected = status === 'none' ? [company.id, people.none.id] : [people[status].id];
    expect(found.map((c) => c.id).sort()).toEqual(expected.sort());
    expect(found.every((c) => c.portal.status === status)).toBe(true);
  });

  test("within a company: its persons with that status", async () => {
    expect(ids((await staff(`/contacts?companyId=${company.id}&portalStatus=active`)).body)).toEqual([people.active.id]);
    expect(ids((await staff(`/contacts?companyId=${company.id}&portalStatus=none`)).body)).toEqual([people.none.id]);
  });

  test('with an email prefix: the contacts of that prefix with that status', async () => {
    const q = encodeURIComponent(people.invited.email!);
    expect(ids((await staff(`/contacts?q=${q}&portalStatus=invited`)).body)).toEqual([people.invited.id]);
    expect(ids((await staff(`/contacts?q=${q}&portalStatus=active`)).body)).toEqual([]);
  });

  test('a status not in the list is 400; expired is one of the list', async () => {
    expect((await staff('/contacts?portalStatus=gone')).body).toMatchObject({ status: 400, type: 'urn:portal-access:problem:validation', errors: [{ path: 'portalStatus' }] });
    expect((await staff(`/contacts?portalStatus=expired&q=${encodeURIComponent(tag)}`)).body).toEqual({ items: [] });
  });

  test('expired: past its until an access leaves the active listings at once, and is listed expired once the scheduled job marked it', async () => {
    const ending = uniq('Ending');
    const co = await createContact({ kind: 'company', name: `${ending} company` });
    const person = await createContact({ kind: 'person', name: `${ending} person`, email: `${uniq('ending')}@example.com`, companyId: co.id });
    await applyAccess(co.id, person.id, true);
    await accept(person.email!);
    const until = new Date(Date.now() + 3000).toISOString();
    const set = await staff(`/contacts/${co.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: person.id, inPortal: true, until }] } });
    expect(set.body.results[0]).toMatchObject({ outcome: 'updated', status: 'active' });
    const byName = (status: string) => listAll(`portalStatus=${status}&q=${encodeURIComponent(ending)}`);
    const inCompany = async (status: string) => ids((await staff(`/contacts?companyId=${co.id}&portalStatus=${status}`)).body);
    expect((await byName('active')).map((c) => c.id)).toEqual([person.id]);
    expect(await inCompany('active')).toEqual([person.id]);

    await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 20));
    // From until on it reads expired, job or no job, and no listing shows it under another status.
    expect((await staff(`/contacts/${person.id}`)).body.portal.status).toBe('expired');
    expect(await byName('active')).toEqual([]);
    expect(await inCompany('active')).toEqual([]);
    // The job (every 2 s locally, every minute in AWS) stores `expired`: from then on it is listed so.
    const listed = await eventually(
      async () => {
        const found = await byName('expired');
        if (found.length === 0) throw new Error('not listed as expired yet');
        return found;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(listed.map((c) => [c.id, c.portal.status])).toEqual([[person.id, 'expired']]);
    expect(await inCompany('expired')).toEqual([person.id]);
    expect(await byName('active')).toEqual([]);
  });

  test("a cursor of one status's listing is refused by another", async () => {
    const first = await staff(`/contacts?portalStatus=none&q=${encodeURIComponent(tag)}&limit=1`);
    expect(first.body.nextCursor).toBeDefined();
    const other = await staff(`/contacts?portalStatus=active&q=${encodeURIComponent(tag)}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(other.body).toMatchObject({ status: 400, errors: [{ path: 'cursor' }] });
  });
});

describe('archived contacts: listed apart, restored', () => {
  test('archived=true lists archived contacts only (by name, company, email or status); the default listing never does', async () => {
    const tag = uniq('Archive');
    const company = await createContact({ kind: 'company', name: `${tag} co` });
    const kept = await createContact({ kind: 'person', name: `${tag} kept`, email: `${uniq('kept')}@example.com`, companyId: company.id });
    const gone = await createContact({ kind: 'person', name: `${tag} gone`, email: `${uniq('gone')}@example.com`, companyId: company.id });
    expect((await staff(`/contacts/${gone.id}`, { method: 'DELETE' })).status).toBe(204);
    const q = encodeURIComponent(tag);
    expect(ids((await staff(`/contacts?q=${q}&archived=true`)).body)).toEqual([gone.id]);
    expect(ids((await staff(`/contacts?q=${q}`)).body).sort()).toEqual([company.id, kept.id].sort());
    expect(ids((await staff(`/contacts?q=${q}&archived=false`)).body).sort()).toEqual([company.id, kept.id].sort());
    expect(ids((await staff(`/contacts?companyId=${company.id}&archived=true`)).body)).toEqual([gone.id]);
    expect(ids((await staff(`/contacts?q=${encodeURIComponent(gone.email!)}&archived=true`)).body)).toEqual([gone.id]);
    expect(ids((await staff(`/contacts?portalStatus=none&q=${q}&archived=true`)).body)).toEqual([gone.id]);
    expect(ids((await staff(`/contacts?companyId=${company.id}`)).body)).toEqual([kept.id]);
    expect((await staff('/contacts?archived=yes')).body).toMatchObject({ status: 400, errors: [{ path: 'archived' }] });
  });

  // The history says who archived a contact and when, as it says who restored it: a company without
  // portal access of its own would otherwise show a restore out of nowhere.
  test('archiving is audited on the contact, once (a repeat writes nothing), before its restore', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Archived history co') });
    expect((await staff(`/contacts/${company.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`/contacts/${company.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`/contacts/${company.id}/restore`, { method: 'POST' })).status).toBe(200);
    const history = (await staff(`/contacts/${company.id}/audit`)).body.items;
    expect(history.map((entry: { action: string }) => entry.action)).toEqual(['contact.restored', 'contact.archived']);
    expect(history[1]).toMatchObject({ actor: 'staff:admin', contactId: company.id, details: { portalStatus: 'none' } });
  });

  test('restore: 200, not archived, back in the listings, portal access still revoked; audited; a repeat changes nothing', async () => {
    const tag = uniq('Restore');
    const company = await createContact({ kind: 'company', name: `${tag} co` });
    const user = await portalUser(company.id, tag);
    expect((await staff(`/contacts/${user.contact.id}`, { method: 'DELETE' })).status).toBe(204);
    const archived = (await staff(`/contacts/${user.contact.id}`)).body as Contact;
    expect(archived).toMatchObject({ archived: true, portal: { status: 'revoked' } });

    const restored = await staff(`/contacts/${user.contact.id}/restore`, { method: 'POST' });
    expect(restored.status).toBe(200);
    expect(restored.headers.etag).toBe(`"${archived.version + 1}"`);
    expect(restored.body).toMatchObject({ id: user.contact.id, archived: false, companyId: company.id, portal: { status: 'revoked' }, version: archived.version + 1 });
    expect(ids((await staff(`/contacts?companyId=${company.id}`)).body)).toContain(user.contact.id);
    // Its access is not back: the old token is refused, a fresh sign-in too.
    expect((await api('/portal/me', { token: user.tokens.accessToken })).status).toBe(401);
    const audit = (await staff(`/contacts/${user.contact.id}/audit`)).body.items;
    expect(audit[0]).toMatchObject({ action: 'contact.restored', actor: 'staff:admin' });
    const again = await staff(`/contacts/${user.contact.id}/restore`, { method: 'POST' });
    expect(again.body.version).toBe(restored.body.version);
  });

  test('a restored contact is granted again: its old login comes back through a new invitation, and works', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Regrant co') });
    const user = await portalUser(company.id, 'regrant');
    await staff(`/contacts/${user.contact.id}`, { method: 'DELETE' });
    expect((await staff(`/contacts/${user.contact.id}/restore`, { method: 'POST' })).status).toBe(200);
    await applyAccess(company.id, user.contact.id, true);
    expect(await mailsTo(user.email, { count: 2 })).toHaveLength(2);
    const password = 'Restored-Portal-Pw-2!';
    await accept(user.email, password, { mails: 2 });
    const tokens = await signIn('customer', user.email, password);
    expect((await api('/portal/me', { token: tokens.accessToken })).body.contact).toMatchObject({ id: user.contact.id });
  });

  test('a person whose company is still archived is restored into it, and cannot be granted until the company is back', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Closed co') });
    const person = await createContact({ kind: 'person', name: uniq('Closed person'), email: `${uniq('closed')}@example.com`, companyId: company.id });
    await staff(`/contacts/${person.id}`, { method: 'DELETE' });
    await staff(`/contacts/${company.id}`, { method: 'DELETE' });
    const restored = await staff(`/contacts/${person.id}/restore`, { method: 'POST' });
    expect(restored.body).toMatchObject({ archived: false, companyId: company.id });
    const line = await staff(`/contacts/${person.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: person.id, inPortal: true }] } });
    expect(line.body.results[0]).toMatchObject({ outcome: 'failed', error: { status: 409, type: 'urn:portal-access:problem:conflict' } });
    expect((await staff(`/contacts/${company.id}/restore`, { method: 'POST' })).status).toBe(200);
    await applyAccess(person.id, person.id, true);
  });

  test('an unknown contact is 404', async () => {
    expect((await staff(`/contacts/${uniq('nobody')}/restore`, { method: 'POST' })).body).toMatchObject({ status: 404, type: 'urn:portal-access:problem:not-found' });
  });
});

describe("PATCH of a portal user's email moves its login", () => {
  test('the access stays; the new email signs in, the old one no longer does, and earlier tokens are refused; audited', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Moving co') });
    const user = await portalUser(company.id, 'mover');
    const newEmail = `${uniq('moved')}@example.com`;
    const res = await staff(`/contacts/${user.contact.id}`, { method: 'PATCH', body: { email: newEmail.toUpperCase() } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: newEmail, portal: { status: 'active' } });

    // Right after the answer, the new address signs in and its token works (the PATCH answers once the
    // move's second is over: tokens count whole seconds, and those of that second are refused).
    const fresh = await signIn('customer', newEmail, PORTAL_PASSWORD);
    expect((await api('/portal/me', { token: fresh.accessToken })).body.contact).toEqual({ id: user.contact.id, name: user.contact.name, email: newEmail });
    await expect(signIn('customer', user.email, PORTAL_PASSWORD)).rejects.toThrow();
    // Sessions begun under the old address end (the pool signs them out; the portal refuses their tokens).
    expect((await api('/portal/me', { token: user.tokens.accessToken })).body).toMatchObject({ status: 401, type: 'urn:portal-access:problem:unauthenticated' });
    // Nor can such a session renew itself: its refresh token mints no fresh token (locally as in Cognito, local/cognito-local.cjs).
    const renew = { ClientId: stack().customerClientId, AuthFlow: 'REFRESH_TOKEN_AUTH' as const, AuthParameters: { REFRESH_TOKEN: user.tokens.refreshToken ?? '' } };
    await expect(cognito().send(new InitiateAuthCommand(renew))).rejects.toMatchObject({ name: 'NotAuthorizedException' });

    const [entry] = (await staff(`/contacts/${user.contact.id}/audit`)).body.items;
    expect(entry).toMatchObject({ action: 'portal.login-email-changed', actor: 'staff:admin', details: { from: user.email, to: newEmail } });
    // The wizard shows the login under its new email.
    expect((await staff(`/contacts/${company.id}/portal-access`)).body.lines).toContainEqual(expect.objectContaining({ contactId: user.contact.id, email: newEmail, status: 'active' }));
  });

  test("another contact's login email is 409 email-in-use, and nothing changes", async () => {
    const company = await createContact({ kind: 'company', name: uniq('Taken co') });
    const [ann, bob] = [await portalUser(company.id, 'ann'), await portalUser(company.id, 'bob')];
    const res = await staff(`/contacts/${ann.contact.id}`, { method: 'PATCH', body: { email: bob.email } });
    expect(res.body).toMatchObject({ status: 409, type: 'urn:portal-access:problem:email-in-use' });
    expect((await staff(`/contacts/${ann.contact.id}`)).body.email).toBe(ann.email);
    await signIn('customer', ann.email, PORTAL_PASSWORD);
    await signIn('customer', bob.email, PORTAL_PASSWORD);
  });

  test("a pool user under the new email that no contact links is not taken over either (409), and Cognito's is left alone", async () => {
    const company = await createContact({ kind: 'company', name: uniq('Orphan co') });
    const user = await portalUser(company.id, 'orphaned');
    const orphan = `${uniq('orphan')}@example.com`;
    await cognito().send(new AdminCreateUserCommand({ UserPoolId: stack().customerUserPoolId, Username: orphan, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: orphan }, { Name: 'email_verified', Value: 'true' }] }));
    const res = await staff(`/contacts/${user.contact.id}`, { method: 'PATCH', body: { email: orphan } });
    expect(res.body).toMatchObject({ status: 409, type: 'urn:portal-access:problem:email-in-use' });
    await signIn('customer', user.email, PORTAL_PASSWORD);
  });

  test('the old address is free afterwards: a new contact granted under it gets a login of its own, not the moved one', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Reuse co') });
    const first = await portalUser(company.id, 'first');
    const moved = `${uniq('first-moved')}@example.com`;
    const patched = await staff(`/contacts/${first.contact.id}`, { method: 'PATCH', body: { email: moved } });
    expect(patched.status).toBe(200);
    const second = await createContact({ kind: 'person', name: 'Second', email: first.email, companyId: company.id });
    await applyAccess(company.id, second.id, true);
    // The first mail to that address was the first contact's (accepted long ago); the second is the new contact's.
    await accept(first.email, 'Second-Person-Pw-3!', { mails: 2 });
    const secondTokens = await signIn('customer', first.email, 'Second-Person-Pw-3!');
    expect((await api('/portal/me', { token: secondTokens.accessToken })).body.contact.id).toBe(second.id);
    // The first contact's login is untouched: its password, its contact.
    const firstTokens = await signIn('customer', moved, PORTAL_PASSWORD);
    expect((await api('/portal/me', { token: firstTokens.accessToken })).body.contact.id).toBe(first.contact.id);
  });

  // A revoked or expired contact keeps its login (disabled, or enabled but refused) for a re-grant: a
  // new email must take that login along, as for a live one, or the old address stays locked by a login
  // no contact shows any more ("another contact's portal login", which staff cannot find).
  test.each(['revoked', 'expired'] as const)('a %s contact: its login moves too, so the old address is free for another contact; its re-grant signs in at the new one', async (status) => {
    const company = await createContact({ kind: 'company', name: uniq(`Ended ${status} co`) });
    const first = await portalUser(company.id, `ended-${status}`);
    if (status === 'revoked') await applyAccess(company.id, first.contact.id, false);
    else {
      const until = new Date(Date.now() + 1500).toISOString();
      const set = await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: first.contact.id, inPortal: true, until }] } });
      expect(set.body.results[0]).toMatchObject({ outcome: 'updated' });
      // The scheduled job has recorded the end (the record says `expired`, not only the clock).
      await eventually(async () => expect((await staff(`/contacts/${first.contact.id}/audit`)).body.items[0]).toMatchObject({ action: 'portal.expired' }), { timeoutMs: 15_000 });
    }
    const moved = `${uniq(`ended-${status}-moved`)}@example.com`;
    const patched = await staff(`/contacts/${first.contact.id}`, { method: 'PATCH', body: { email: moved } });
    expect(patched.body).toMatchObject({ email: moved, portal: { status } });
    const [entry] = (await staff(`/contacts/${first.contact.id}/audit`)).body.items;
    expect(entry).toMatchObject({ action: 'portal.login-email-changed', actor: 'staff:admin', details: { from: first.email, to: moved } });

    // The old address: no contact shows it any more, and another contact is granted under it, with a login of its own.
    const second = await createContact({ kind: 'person', name: 'Successor', email: first.email, companyId: company.id });
    const granted = await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: second.id, inPortal: true }] } });
    expect(granted.body.results[0]).toMatchObject({ outcome: 'granted', status: 'invited' });
    await accept(first.email, 'Successor-Portal-Pw-4!', { mails: 2 });
    const secondTokens = await signIn('customer', first.email, 'Successor-Portal-Pw-4!');
    expect((await api('/portal/me', { token: secondTokens.accessToken })).body.contact.id).toBe(second.id);

    // The first contact, granted again: invited at the new address, its login signs in there.
    const regranted = await staff(`/contacts/${company.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: first.contact.id, inPortal: true, until: null }] } });
    expect(regranted.body.results[0]).toMatchObject({ outcome: 'regranted', status: 'invited' });
    await accept(moved, 'Returning-Portal-Pw-5!');
    const firstTokens = await signIn('customer', moved, 'Returning-Portal-Pw-5!');
    expect((await api('/portal/me', { token: firstTokens.accessToken })).body.contact).toMatchObject({ id: first.contact.id, email: moved });
  });

  test('an invited contact: the pending link (sent to the old address) dies; re-inviting mails the new one', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Invited co') });
    const email = `${uniq('pending')}@example.com`;
    const person = await createContact({ kind: 'person', name: 'Pending', email, companyId: company.id });
    await applyAccess(company.id, person.id, true);
    const oldToken = invitationTokenIn((await mailsTo(email))[0]);
    expect(oldToken).toBeDefined();
    const newEmail = `${uniq('pending-new')}@example.com`;
    expect((await staff(`/contacts/${person.id}`, { method: 'PATCH', body: { email: newEmail } })).body).toMatchObject({ email: newEmail, portal: { status: 'invited' } });
    expect((await api('/invitations/accept', { method: 'POST', body: { token: oldToken, password: PORTAL_PASSWORD } })).status).toBe(410);
    expect((await staff(`/contacts/${company.id}/portal-access/reinvite`, { method: 'POST', body: { contactId: person.id } })).status).toBe(202);
    await accept(newEmail);
    await signIn('customer', newEmail, PORTAL_PASSWORD);
  });

  test('If-Match with a stale version is 409 stale-version, and the login stays where it was', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Stale co') });
    const user = await portalUser(company.id, 'stale');
    const res = await staff(`/contacts/${user.contact.id}`, { method: 'PATCH', body: { email: `${uniq('x')}@example.com` }, headers: { 'if-match': '"1"' } });
    expect(res.body).toMatchObject({ status: 409, type: 'urn:portal-access:problem:stale-version' });
    await signIn('customer', user.email, PORTAL_PASSWORD);
  });
});

describe("a company's history", () => {
  test("has its wizard's applies: who applied what to which persons, each line's outcome", async () => {
    const company = await createContact({ kind: 'company', name: uniq('History co') });
    const granted = await createContact({ kind: 'person', name: 'Granted', email: `${uniq('hist')}@example.com`, companyId: company.id });
    const noEmail = await createContact({ kind: 'person', name: 'No email', companyId: company.id });
    const res = await staff(`/contacts/${company.id}/portal-access`, {
      method: 'POST',
      body: { lines: [{ contactId: granted.id, inPortal: true }, { contactId: noEmail.id, inPortal: true }] },
    });
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['granted', 'failed']);
    const history = (await staff(`/contacts/${company.id}/audit`)).body.items;
    expect(history).toEqual([
      expect.objectContaining({
        action: 'portal.applied',
        actor: 'staff:admin',
        contactId: company.id,
        details: {
          lines: [
            { contactId: granted.id, outcome: 'granted', status: 'invited' },
            { contactId: noEmail.id, outcome: 'failed', status: 'none', reason: expect.stringMatching(/no email/) },
          ],
          withMessage: false,
        },
      }),
    ]);
  });
});
