/**
 * Contacts and portal users the way staff and customers make them, over HTTP: contacts through
 * POST /contacts, access through the wizard (POST /contacts/{companyId}/portal-access), which
 * creates the logins and sends the invitations through the emulators; each invitation accepted
 * through POST /invitations/accept with the token from its email, then a sign-in.
 */
import type { Contact } from '../lambdas/contract/schemas/contacts';
import { adminToken, api, emails, signIn } from '../test/integration/support/stack';

export const PASSWORD = 'Bench-Portal-Passw0rd!';

export interface ApplyResult {
  contactId: string;
  outcome: string;
  status: string;
  /** A failed line's problem (its HTTP status, as the request alone would have answered). */
  error?: { status: number; title?: string };
}

export async function createContact(body: { kind: 'person' | 'company'; name: string; email?: string; companyId?: string }): Promise<Contact> {
  const res = await api('/contacts', { method: 'POST', body, token: await adminToken() });
  if (res.status !== 201) throw new Error(`POST /contacts → ${res.status} ${res.text}`);
  return res.body as Contact;
}

/** A few requests at a time (the emulators, not the bench, should set the pace). */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!, i);
    }),
  );
  return results;
}

/** Applies the wizard of `companyId` with every person in the portal: the answer as it came. */
export async function applyAll(companyId: string, persons: readonly Contact[]): Promise<{ status: number; results: ApplyResult[]; text: string }> {
  const res = await api(`/contacts/${companyId}/portal-access`, {
    method: 'POST',
    token: await adminToken(),
    body: { lines: persons.map((p) => ({ contactId: p.id, inPortal: true })) },
  });
  return { status: res.status, results: (res.body?.results ?? []) as ApplyResult[], text: res.text };
}

/** As `applyAll`, but fails unless every line was granted. */
export async function grantAll(companyId: string, persons: readonly Contact[]): Promise<ApplyResult[]> {
  const { status, results, text } = await applyAll(companyId, persons);
  if (status !== 200) throw new Error(`apply → ${status} ${text}`);
  const failed = results.filter((r) => r.outcome !== 'granted');
  if (failed.length > 0) throw new Error(`apply: ${failed.length} lines not granted, e.g. ${JSON.stringify(failed[0])}`);
  return results;
}

/** Accepts the invitation emailed to `email` and signs in: the portal user's access token. */
export async function acceptAndSignIn(email: string): Promise<string> {
  const mail = (await emails()).find((m) => m.destination.to.includes(email));
  const token = /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
  if (!token) throw new Error(`no invitation mailed to ${email}`);
  const accepted = await api('/invitations/accept', { method: 'POST', body: { token, password: PASSWORD } });
  if (accepted.status !== 204) throw new Error(`accept → ${accepted.status} ${accepted.text}`);
  return (await signIn('customer', email, PASSWORD)).accessToken;
}

/** A company with one person who is a signed-in portal user of it. */
export async function companyWithPortalUser(name: string): Promise<{ company: Contact; person: Contact; token: string }> {
  const company = await createContact({ kind: 'company', name });
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${process.pid}@bench.example.com`;
  const person = await createContact({ kind: 'person', name: `${name} buyer`, email, companyId: company.id });
  await grantAll(company.id, [person]);
  return { company, person, token: await acceptAndSignIn(email) };
}
