/**
 * Applies of more lines than one transaction takes, over HTTP against the local stack: the lines'
 * claims are written several to a transaction, and a line DynamoDB refuses there (its email claimed
 * by a concurrent apply, another login's email, its company archived) must be answered exactly as if
 * it had been alone, while the others of its transaction are granted — one email each.
 */
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { adminToken, api, emails, settled, uniq } from './support/stack';

let token: string;
const staff = (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token });

async function contact(input: { kind?: 'person' | 'company'; name?: string; email?: string; companyId?: string }): Promise<Contact> {
  const res = await staff('/contacts', { method: 'POST', body: { kind: input.kind ?? 'person', name: input.name ?? uniq('Person'), ...input } });
  if (res.status !== 201) throw new Error(`POST /contacts → ${res.status} ${res.text}`);
  return res.body as Contact;
}

async function companyOf(size: number, tag: string): Promise<{ company: Contact; persons: Contact[] }> {
  const company = await contact({ kind: 'company', name: uniq(tag) });
  const persons: Contact[] = [];
  // A few at a time: the local API shares two cores with every other suite.
  for (let i = 0; i < size; i += 8)
    persons.push(...(await Promise.all(Array.from({ length: Math.min(8, size - i) }, (_, j) => contact({ name: `${tag} ${i + j}`, email: `${uniq(`${tag}${i + j}`)}@${tag}.example.com`, companyId: company.id })))));
  return { company, persons };
}

type Result = { contactId: string; outcome: string; status: string; error?: { status: number; detail?: string; title?: string } };
const apply = async (wizardId: string, lines: { contactId: string; inPortal: boolean; email?: string }[]) => {
  const res = await staff(`/contacts/${wizardId}/portal-access`, { method: 'POST', body: { lines } });
  expect(res.status).toBe(200);
  return res.body.results as Result[];
};
const mailCount = async (address: string) => (await emails()).filter((m) => m.destination.to.includes(address)).length;

jest.setTimeout(180_000);

beforeAll(async () => {
  token = await adminToken();
});

it('two applies at once claiming 6 of the same emails: each such email granted once (the other line 409 as alone), every other line granted, one email each', async () => {
  const [a, b] = await Promise.all([companyOf(30, 'grpa'), companyOf(30, 'grpb')]);
  const shared = Array.from({ length: 6 }, (_, i) => `${uniq(`shared${i}`)}@example.com`);
  // The shared emails spread over both groups of 24 lines of each apply.
  const at = [2, 9, 17, 23, 25, 29];
  const linesOf = (persons: Contact[]) => persons.map((p, i) => ({ contactId: p.id, inPortal: true, ...(at.includes(i) ? { email: shared[at.indexOf(i)] } : {}) }));
  const [ra, rb] = await Promise.all([apply(a.company.id, linesOf(a.persons)), apply(b.company.id, linesOf(b.persons))]);

  expect(ra.map((r) => r.contactId)).toEqual(a.persons.map((p) => p.id));
  expect(rb.map((r) => r.contactId)).toEqual(b.persons.map((p) => p.id));
  for (let i = 0; i < 30; i++) {
    const pair = [ra[i]!, rb[i]!];
    if (!at.includes(i)) {
      expect(pair.map((r) => [r.outcome, r.status])).toEqual([['granted', 'invited'], ['granted', 'invited']]);
      continue;
    }
    // One of the two claimed the email; the other line is refused as a line alone would be.
    expect(pair.map((r) => r.outcome).sort()).toEqual(['failed', 'granted']);
    const refused = pair.find((r) => r.outcome === 'failed')!;
    expect(refused).toMatchObject({ status: 'none', error: { status: 409, title: 'Email in use' } });
  }
  await Promise.all([settled(a.company.id), settled(b.company.id)]);
  for (const email of shared) expect(await mailCount(email)).toBe(1);
  for (const [persons, results] of [[a.persons, ra], [b.persons, rb]] as const)
    for (const [i, p] of persons.entries()) {
      const line = (await staff(`/contacts/${p.id}`)).body as Contact & { portal: { status: string } };
      expect([p.id, line.portal.status]).toEqual([p.id, results[i]!.outcome === 'granted' ? 'invited' : 'none']);
      if (!at.includes(i)) expect(await mailCount(p.email!)).toBe(1);
    }
});

it("a mixed apply of 30 lines: another login's email (409), one already invited (unchanged), a contact named twice (400), the rest granted", async () => {
  const { company, persons } = await companyOf(30, 'grpm');
  const holder = await contact({ email: `${uniq('holder')}@example.com` });
  expect((await apply(holder.id, [{ contactId: holder.id, inPortal: true }]))[0]).toMatchObject({ outcome: 'granted' });
  expect((await apply(company.id, [{ contactId: persons[5]!.id, inPortal: true }]))[0]).toMatchObject({ outcome: 'granted' });

  const lines = [
    ...persons.map((p, i) => ({ contactId: p.id, inPortal: true, ...(i === 20 ? { email: holder.email! } : {}) })),
    { contactId: persons[7]!.id, inPortal: true },
  ];
  const results = await apply(company.id, lines);
  expect(results.map((r) => [r.contactId, r.outcome, r.status, r.error?.status])).toEqual([
    ...persons.map((p, i) =>
      i === 20 ? [p.id, 'failed', 'none', 409] : i === 5 ? [p.id, 'unchanged', 'invited', undefined] : [p.id, 'granted', 'invited', undefined],
    ),
    [persons[7]!.id, 'failed', 'none', 400],
  ]);
  expect(results[20]?.error?.title).toBe('Email in use');
  await settled(company.id);
  for (const [i, p] of persons.entries()) expect([i, await mailCount(p.email!)]).toEqual([i, i === 20 ? 0 : 1]);
  expect(await mailCount(holder.email!)).toBe(1);
});

it("an archived company's 30 persons: every line refused 409 (the company's check in their shared transactions), nothing written", async () => {
  const { company, persons } = await companyOf(30, 'grpx');
  const archived = await staff(`/contacts/${company.id}`, { method: 'DELETE' });
  expect(archived.status).toBeLessThan(300);
  const results = await apply(company.id, persons.map((p) => ({ contactId: p.id, inPortal: true })));
  expect(results.map((r) => [r.outcome, r.status, r.error?.status])).toEqual(persons.map(() => ['failed', 'none', 409]));
  expect(new Set(results.map((r) => r.error?.detail))).toEqual(new Set(["The contact's company is archived."]));
  for (const p of persons) expect(((await staff(`/contacts/${p.id}`)).body as { portal: { status: string } }).portal.status).toBe('none');
});
