/**
 * Staff's side of share links at the edges the main suite (share-links.test.ts) leaves open: each
 * refusal word for word, links created in the same millisecond listed newest first all the same, a
 * creation that keeps losing its race giving up, and how long a revoked link stays on record.
 */
import { Conflict, Invalid, NotFound } from '../../lambdas/contract/errors';
import { ENDED_LINK_KEPT_DAYS, MAX_LINKS_PER_DOCUMENT } from '../../lambdas/contract/share-links';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { ShareLink } from '../../lambdas/domain/share-links/links';
import type { ShareLinkStore, StaffLinkDeps } from '../../lambdas/domain/share-links/ports';
import { createLink, listLinks, revokeLink } from '../../lambdas/domain/share-links/staff';
import { linkExpiry } from '../../lambdas/domain/share-links/links';

const T0 = new Date('2026-11-01T10:00:00.000Z');
const DAY = 86_400_000;
const DOC = { type: 'invoice' as const, id: 'INV-1', customerId: 'c1', name: 'Invoice', createdAt: T0.toISOString(), updatedAt: T0.toISOString() };

function world(options: { loseEveryRace?: boolean; portalUrl?: string } = {}) {
  let clock = T0;
  const links: ShareLink[] = [];
  const creates: unknown[] = [];
  const revocations: { at: string; kept: Date }[] = [];
  let n = 0;
  const store: ShareLinkStore = {
    ofDocument: async () => ({ links: links.map((l) => ({ ...l })), guardVersion: links.length }),
    byId: async (_type, _id, linkId) => links.find((l) => l.id === linkId),
    create: async (link) => {
      creates.push(link.id);
      if (options.loseEveryRace) return false;
      links.push({ ...link });
      return true;
    },
    revoke: async (link, at, kept) => {
      revocations.push({ at, kept });
      const stored = links.find((l) => l.id === link.id);
      if (stored) stored.revokedAt = at;
      return true;
    },
  };
  const contacts = new Map<string, ContactRecord>([['archived', { id: 'archived', kind: 'person', name: 'A', archived: true, portal: { status: 'none' }, version: 1, createdAt: DOC.createdAt, updatedAt: DOC.createdAt }]]);
  const deps: StaffLinkDeps = {
    links: store,
    documents: { get: async (type, id) => (type === 'invoice' && id === 'INV-1' ? { document: DOC, version: 1 } : undefined) },
    contacts: { get: async (id: string) => contacts.get(id) } as StaffLinkDeps['contacts'],
    now: () => clock,
    portalUrl: options.portalUrl ?? 'https://portal.example.com',
    newId: () => `link-${++n}`,
  };
  return { deps, links, creates, revocations, setClock: (at: Date) => void (clock = at), addContact: (c: ContactRecord) => void contacts.set(c.id, c) };
}

const outcome = (promise: Promise<unknown>) => promise.then(() => 'done', (error: unknown) => error);

describe('refusals, word for word', () => {
  it('an unknown document (404) to create, list or revoke links of; an unknown link (404); a gone or archived recipient (400)', async () => {
    const { deps } = world();
    for (const attempt of [createLink(deps, 'invoice', 'nope', {}, 'staff:ann'), listLinks(deps, 'invoice', 'nope'), revokeLink(deps, 'invoice', 'nope', 'x', 'staff:ann')])
      expect(await outcome(attempt)).toEqual(new NotFound('No such document.'));
    expect(await outcome(revokeLink(deps, 'invoice', 'INV-1', 'nope', 'staff:ann'))).toEqual(new NotFound('No such share link.'));
    expect(await outcome(createLink(deps, 'invoice', 'INV-1', { contactId: 'gone' }, 'staff:ann'))).toEqual(new Invalid('No such contact: gone.', 'contactId'));
    expect(await outcome(createLink(deps, 'invoice', 'INV-1', { contactId: 'archived' }, 'staff:ann'))).toEqual(new Invalid('Contact archived is archived: restore it first.', 'contactId'));
  });

  it('one link more than the cap: 409 naming the cap, that revoking frees no place, and when the next place frees', async () => {
    const { deps, setClock } = world();
    for (let i = 0; i < MAX_LINKS_PER_DOCUMENT; i++) {
      setClock(new Date(T0.getTime() + i * 1000));
      await createLink(deps, 'invoice', 'INV-1', {}, 'staff:ann');
    }
    const capped = (nextPlace: Date) =>
      new Conflict(
        `A document can have at most ${MAX_LINKS_PER_DOCUMENT} share links on record: its live links, and its expired or revoked ones for ${ENDED_LINK_KEPT_DAYS} days after they ended (a link revoked now frees its place only ${ENDED_LINK_KEPT_DAYS} days from now). The next place frees at ${nextPlace.toISOString()}.`,
      );
    // The first link (30 days by default) is the first to leave the record, a week after it expires.
    expect(await outcome(createLink(deps, 'invoice', 'INV-1', {}, 'staff:ann'))).toEqual(capped(new Date(T0.getTime() + (30 + ENDED_LINK_KEPT_DAYS) * DAY)));
    // A client that revokes a link as told is refused all the same; the answer says when a place frees: a week after that revocation.
    const revokedAt = new Date(T0.getTime() + DAY);
    setClock(revokedAt);
    const last = (await listLinks(deps, 'invoice', 'INV-1'))[0]!;
    await revokeLink(deps, 'invoice', 'INV-1', last.id, 'staff:ann');
    expect(await outcome(createLink(deps, 'invoice', 'INV-1', {}, 'staff:ann'))).toEqual(capped(new Date(revokedAt.getTime() + ENDED_LINK_KEPT_DAYS * DAY)));
  });

  it('a creation that loses its race every time gives up after 10 attempts: 409 saying to retry', async () => {
    const { deps, creates } = world({ loseEveryRace: true });
    expect(await outcome(createLink(deps, 'invoice', 'INV-1', {}, 'staff:ann'))).toEqual(
      new Conflict('The document’s share links are being changed concurrently; please retry.'),
    );
    expect(creates).toHaveLength(10);
  });
});

it('links created in the same millisecond are listed by id, newest (highest) first', async () => {
  const { deps } = world();
  for (let i = 0; i < 3; i++) await createLink(deps, 'invoice', 'INV-1', {}, 'staff:ann');
  expect((await listLinks(deps, 'invoice', 'INV-1')).map((l) => l.id)).toEqual(['link-3', 'link-2', 'link-1']);
});

it(`a revoked link stays on record ${ENDED_LINK_KEPT_DAYS} days after its revocation; revoking it again writes nothing`, async () => {
  const { deps, revocations } = world();
  const { id } = await createLink(deps, 'invoice', 'INV-1', {}, 'staff:ann');
  await revokeLink(deps, 'invoice', 'INV-1', id, 'staff:ann');
  expect(revocations).toEqual([{ at: T0.toISOString(), kept: new Date(T0.getTime() + ENDED_LINK_KEPT_DAYS * DAY) }]);
  await revokeLink(deps, 'invoice', 'INV-1', id, 'staff:bob');
  expect(revocations).toHaveLength(1);
});

it('staff see a link with its recipient and limit, and without a token; it is listed until its keep period ends, not at that instant', async () => {
  const { deps, addContact, setClock } = world({ portalUrl: 'https://portal.example.com//' });
  addContact({ id: 'pat', kind: 'person', name: 'Pat', archived: false, portal: { status: 'none' }, version: 1, createdAt: DOC.createdAt, updatedAt: DOC.createdAt });
  const expiresAt = new Date(T0.getTime() + DAY).toISOString();
  const created = await createLink(deps, 'invoice', 'INV-1', { contactId: 'pat', maxViews: 3, expiresAt }, 'staff:ann');
  expect(created.url).toMatch(/^https:\/\/portal\.example\.com\/s\/[A-Za-z0-9_-]+$/);
  expect(created).toEqual({ id: 'link-1', url: created.url, expiresAt, maxViews: 3, views: 0 });
  expect(await listLinks(deps, 'invoice', 'INV-1')).toEqual([
    { id: 'link-1', contactId: 'pat', createdBy: 'staff:ann', createdAt: T0.toISOString(), expiresAt, maxViews: 3, views: 0, live: true },
  ]);
  const keptUntil = Date.parse(expiresAt) + ENDED_LINK_KEPT_DAYS * DAY;
  setClock(new Date(keptUntil - 1));
  expect(await listLinks(deps, 'invoice', 'INV-1')).toMatchObject([{ id: 'link-1', live: false }]);
  setClock(new Date(keptUntil));
  expect(await listLinks(deps, 'invoice', 'INV-1')).toEqual([]);
});

it('an expiry refused says why, on expiresAt', () => {
  expect(() => linkExpiry(T0.toISOString(), T0)).toThrow(new Invalid('must be in the future', 'expiresAt'));
  expect(() => linkExpiry(new Date(T0.getTime() + 91 * DAY).toISOString(), T0)).toThrow(new Invalid('must be at most 90 days ahead', 'expiresAt'));
});
