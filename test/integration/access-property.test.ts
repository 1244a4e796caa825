/**
 * Explain, the portal and "who has access" cannot disagree — checked on random populations against
 * the local stack (fast-check): companies, persons with random scope, types and until (some of which
 * end before the checks), documents of random types and customers, explicit grants with and without
 * an until (some ending before the checks), revoked, archived and merely invited persons. For every
 * person × document: explain's `visible` is what the portal answers (200 ⇔ visible for an active
 * person; 401 for the others, whose explain is never visible), every active person's listing is
 * exactly the documents explain calls visible, and each document's `GET …/access` lists exactly the
 * active persons explain calls visible (plus invited ones with a route to it).
 */
import fc from 'fast-check';
import { DOCUMENT_TYPES } from '../../lambdas/contract/document-types';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { createContact, createPortalUser, setPortalStatus, type PortalUser } from './support/portal-users';
import { adminToken, api, uniq } from './support/stack';

jest.setTimeout(600_000);

let token: string;
const staff = (path: string, init: { method?: string; body?: unknown } = {}) => api(path, { ...init, token });

/** How a person ends up: its access's settings and fate. */
const personArbitrary = fc.record({
  company: fc.integer({ min: -1, max: 1 }), // -1: no company
  scope: fc.option(fc.constantFrom('company' as const, 'own' as const), { nil: undefined }),
  types: fc.option(fc.subarray([...DOCUMENT_TYPES], { minLength: 1, maxLength: 4 }), { nil: undefined }),
  until: fc.constantFrom('none', 'far', 'soon'),
  fate: fc.constantFrom('active', 'active', 'active', 'active', 'revoked', 'archived', 'invited'),
});

const documentArbitrary = fc.record({
  type: fc.constantFrom(...DOCUMENT_TYPES),
  // 0–1: a company; 2–7: one of the persons; 8: an outsider.
  customer: fc.integer({ min: 0, max: 8 }),
  day: fc.integer({ min: 1, max: 28 }),
});

const grantArbitrary = fc.record({ document: fc.nat(), person: fc.nat(), until: fc.constantFrom('none', 'far', 'soon') });

const populationArbitrary = fc.record({
  persons: fc.array(personArbitrary, { minLength: 6, maxLength: 6 }),
  documents: fc.array(documentArbitrary, { minLength: 22, maxLength: 26 }),
  grants: fc.array(grantArbitrary, { minLength: 6, maxLength: 10 }),
});

type Population = typeof populationArbitrary extends fc.Arbitrary<infer T> ? T : never;

interface Built {
  persons: { user: PortalUser; fate: string }[];
  documents: Document[];
  soon: string;
}

/** Long enough for the settings, the fates and the grants to be written after it is taken (a loaded machine included). */
const END_SOON_MS = 12_000;

async function build(population: Population): Promise<Built> {
  const companies = await Promise.all([0, 1].map(() => createContact({ kind: 'company', name: uniq('Prop Co') })));
  const outsider = await createContact({ kind: 'company', name: uniq('Outsider') });
  const persons = await Promise.all(
    population.persons.map(async (p, i) => {
      const companyId = p.company >= 0 ? companies[p.company]!.id : undefined;
      const user = await createPortalUser({ name: `Prop person ${i}`, email: `${uniq(`prop${i}`)}@example.com`, ...(companyId ? { companyId } : {}) });
      return { user, fate: p.fate, settings: p };
    }),
  );
  const customerOf = (n: number) => (n <= 1 ? companies[n]!.id : n <= 7 ? persons[n - 2]!.user.contact.id : outsider.id);
  const documents: Document[] = [];
  for (const d of population.documents) {
    const res = await staff(`/documents/${d.type}/${uniq('prop')}`, { method: 'PUT', body: { customerId: customerOf(d.customer), name: uniq('Prop doc'), date: `2026-02-${String(d.day).padStart(2, '0')}` } });
    expect(res.status).toBe(201);
    documents.push(res.body as Document);
  }

  const soon = new Date(Date.now() + END_SOON_MS).toISOString();
  const far = new Date(Date.now() + 86_400_000).toISOString();
  const until = (u: string) => (u === 'soon' ? soon : u === 'far' ? far : undefined);
  // The settings through the wizard (`updated`, as staff set them), the grants, then each person's fate.
  for (const { user, settings } of persons) {
    const line: Record<string, unknown> = { contactId: user.contact.id, inPortal: true };
    if (settings.scope) line.scope = settings.scope;
    if (settings.types) line.types = settings.types;
    const end = until(settings.until);
    if (end) line.until = end;
    const res = await staff(`/contacts/${user.contact.id}/portal-access`, { method: 'POST', body: { lines: [line] } });
    expect({ line, result: res.body.results[0] }).toEqual({ line, result: expect.objectContaining({ outcome: expect.stringMatching(/^(updated|unchanged)$/) }) });
  }
  for (const g of population.grants) {
    const document = documents[g.document % documents.length]!;
    const person = persons[g.person % persons.length]!;
    const end = until(g.until);
    const res = await staff(`/documents/${document.type}/${document.id}/grants`, { method: 'POST', body: { contactId: person.user.contact.id, ...(end ? { until: end } : {}) } });
    expect(res.status).toBe(201);
  }
  for (const { user, fate } of persons) {
    if (fate === 'revoked') expect((await staff(`/contacts/${user.contact.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: user.contact.id, inPortal: false }] } })).status).toBe(200);
    if (fate === 'archived') expect((await staff(`/contacts/${user.contact.id}`, { method: 'DELETE' })).status).toBe(204);
    if (fate === 'invited') await setPortalStatus(user.contact.id, 'invited');
  }
  return { persons, documents, soon };
}

async function listAll(user: PortalUser): Promise<string[]> {
  const refs: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await api(`/portal/documents?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: user.token });
    expect(res.status).toBe(200);
    refs.push(...(res.body.items as Document[]).map((d) => `${d.type}/${d.id}`));
    cursor = res.body.nextCursor;
  } while (cursor);
  return refs.sort();
}

let pairs = 0;

test('explain’s visible is what the portal enforces, and who has access is who explain says sees it — a few hundred pairs', async () => {
  token = await adminToken();
  await fc.assert(
    fc.asyncProperty(populationArbitrary, async (population) => {
      const { persons, documents, soon } = await build(population);
      // Let the "soon" ends pass: from then on the portal and explain must both count them as ended.
      const wait = Date.parse(soon) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));

      const visibleTo = new Map<string, Set<string>>();
      for (const { user } of persons) {
        const seen = new Set<string>();
        const active = (await staff(`/contacts/${user.contact.id}`)).body.portal.status === 'active';
        for (const d of documents) {
          const explained = await staff(`/contacts/${user.contact.id}/portal-access/explain?type=${d.type}&id=${d.id}`);
          expect(explained.status).toBe(200);
          const page = await api(`/portal/documents/${d.type}/${d.id}`, { token: user.token });
          if (active) expect({ pair: `${user.contact.id} × ${d.id}`, status: page.status }).toEqual({ pair: `${user.contact.id} × ${d.id}`, status: explained.body.visible ? 200 : 404 });
          else {
            expect(page.status).toBe(401);
            expect(explained.body.visible).toBe(false);
          }
          if (explained.body.visible) seen.add(`${d.type}/${d.id}`);
          pairs++;
        }
        visibleTo.set(user.contact.id, seen);
        if (active) expect(await listAll(user)).toEqual([...seen].sort());
      }

      const activeIds = new Set<string>();
      for (const { user } of persons) if ((await staff(`/contacts/${user.contact.id}`)).body.portal.status === 'active') activeIds.add(user.contact.id);
      const ours = new Set(persons.map((p) => p.user.contact.id));
      for (const d of documents) {
        const items: { contactId: string; status: string; reasons: unknown[] }[] = [];
        let cursor: string | undefined;
        do {
          const res = await staff(`/documents/${d.type}/${d.id}/access?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          expect(res.status).toBe(200);
          items.push(...res.body.items);
          cursor = res.body.nextCursor;
        } while (cursor);
        for (const item of items) {
          expect(['invited', 'active']).toContain(item.status);
          expect(item.reasons.length).toBeGreaterThan(0);
        }
        const listedActive = items.filter((i) => i.status === 'active' && ours.has(i.contactId)).map((i) => i.contactId).sort();
        const explainedActive = [...activeIds].filter((id) => visibleTo.get(id)!.has(`${d.type}/${d.id}`)).sort();
        expect({ document: d.id, who: listedActive }).toEqual({ document: d.id, who: explainedActive });
        expect(new Set(items.map((i) => i.contactId)).size).toBe(items.length);
      }
    }),
    { numRuns: 3, endOnFailure: true },
  );
  expect(pairs).toBeGreaterThanOrEqual(300);
});

