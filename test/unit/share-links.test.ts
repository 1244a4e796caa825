/**
 * Share links' rules with an injected clock and in-memory ports that apply each write's conditions
 * as DynamoDB would: expiry (30 days by default, at most 90, in the future), liveness to the
 * millisecond, views and maxViews, revocation, the cap, a document published again under the same
 * id, an archived recipient, and the one Gone for every dead link.
 */
import { Conflict, Gone, Invalid, LinkGone, NotFound } from '../../lambdas/contract/errors';
import { DEFAULT_LINK_DAYS, ENDED_LINK_KEPT_DAYS, MAX_LINK_DAYS, MAX_LINKS_PER_DOCUMENT } from '../../lambdas/contract/share-links';
import type { Document } from '../../lambdas/contract/schemas/documents';
import type { AuditEntry } from '../../lambdas/domain/audit';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { StoredDocument } from '../../lambdas/domain/documents';
import { isLive, keptUntil, linkExpiry, type ShareLink } from '../../lambdas/domain/share-links/links';
import type { SharedDeps, ShareLinkStore, SharedLinkReader, StaffLinkDeps } from '../../lambdas/domain/share-links/ports';
import { LINK_GONE_DETAIL, sharedAttachment, viewShared } from '../../lambdas/domain/share-links/shared';
import { createLink, listLinks, revokeLink } from '../../lambdas/domain/share-links/staff';
import { hashToken } from '../../lambdas/domain/tokens';

const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-11-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
/** The one completed attachment of INV-1 the fake attachments port knows. */
const ATTACHMENT = { id: 'att-1', fileName: 'invoice.pdf', contentType: 'application/pdf' as const, size: 1234 };

/** A world of one table: documents, contacts, links; every write checks its conditions like the real store. */
function world() {
  let clock = T0;
  const documents = new Map<string, StoredDocument>();
  const contacts = new Map<string, ContactRecord>();
  const links = new Map<string, ShareLink>(); // by token hash
  let guard = 0;
  const audit: AuditEntry[] = [];
  const reads: string[] = [];
  let beforeCreate: (() => void) | undefined;

  const doc = (over: Partial<Document> = {}): Document => ({
    type: 'invoice',
    id: 'INV-1',
    customerId: 'company-1',
    name: 'Invoice 1',
    createdAt: clock.toISOString(),
    updatedAt: clock.toISOString(),
    ...over,
  });
  const contact = (id: string, archived = false): ContactRecord => ({
    id,
    kind: 'person',
    name: id,
    archived,
    portal: { status: 'none' },
    version: 1,
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
  });
  const publish = (over: Partial<Document> = {}) => {
    const d = doc(over);
    documents.set(`${d.type}/${d.id}`, { document: d, version: 1 });
    return d;
  };

  const store: ShareLinkStore & SharedLinkReader = {
    async get(hash) {
      reads.push('link');
      const link = links.get(hash);
      return link && { ...link };
    },
    async countView(hash, when) {
      const link = links.get(hash);
      if (!link || link.revokedAt !== undefined || !(link.expiresAt > when) || (link.maxViews !== undefined && !(link.views < link.maxViews))) return false;
      link.views += 1;
      return true;
    },
    async ofDocument(type, id) {
      return { links: [...links.values()].filter((l) => l.type === type && l.documentId === id).map((l) => ({ ...l })), guardVersion: guard };
    },
    async byId(type, id, linkId) {
      const link = [...links.values()].find((l) => l.type === type && l.documentId === id && l.id === linkId);
      return link && { ...link };
    },
    async create(link, guardVersion, entry) {
      beforeCreate?.();
      const current = documents.get(`${link.type}/${link.documentId}`);
      const recipient = link.contactId === undefined ? undefined : contacts.get(link.contactId);
      if (guard !== guardVersion || current?.document.createdAt !== link.documentCreatedAt || (link.documentCustomerId !== undefined && current.document.customerId !== link.documentCustomerId) || (link.contactId !== undefined && (!recipient || recipient.archived))) return false;
      guard += 1;
      links.set(link.tokenHash, { ...link });
      audit.push(entry);
      return true;
    },
    async revoke(link, when, _kept, entry) {
      const stored = links.get(link.tokenHash);
      if (!stored || stored.revokedAt !== undefined) return false;
      stored.revokedAt = when;
      audit.push(entry);
      return true;
    },
  };
  const documentReader = {
    async get(type: string, id: string) {
      reads.push('document');
      return documents.get(`${type}/${id}`);
    },
  };
  const contactReader = {
    async get(id: string) {
      reads.push('contact');
      return contacts.get(id);
    },
  };
  const staff: StaffLinkDeps = { links: store, documents: documentReader, contacts: contactReader, now: () => clock, portalUrl: 'https://portal.example.com/' };
  const downloads: string[] = [];
  const shared: SharedDeps = {
    links: store,
    documents: documentReader,
    contacts: contactReader,
    now: () => clock,
    attachments: {
      async list(type, id) {
        reads.push('attachments');
        return type === 'invoice' && id === 'INV-1' ? [ATTACHMENT] : [];
      },
      async download(type, id, attachmentId) {
        downloads.push(`${type}/${id}/${attachmentId}`);
        if (attachmentId !== 'att-1') throw new NotFound('No such attachment.');
        return { url: `https://bucket.example/${attachmentId}`, expiresAt: clock.toISOString() };
      },
    },
  };
  return {
    staff,
    shared,
    publish,
    documents,
    contacts,
    links,
    audit,
    reads,
    downloads,
    addContact: (id: string, archived = false) => contacts.set(id, contact(id, archived)),
    setClock: (d: Date) => (clock = d),
    onCreate: (hook: () => void) => (beforeCreate = hook),
    bumpGuard: () => void (guard += 1),
  };
}

const tokenOf = (url: string) => decodeURIComponent(url.split('/s/')[1]!);
const STAFF = 'staff:alice';

describe('expiry', () => {
  test('30 days by default', () => {
    expect(linkExpiry(undefined, T0)).toBe(at(DEFAULT_LINK_DAYS * DAY).toISOString());
  });
  test('exactly 90 days ahead is allowed, a millisecond more is not', () => {
    expect(linkExpiry(at(MAX_LINK_DAYS * DAY).toISOString(), T0)).toBe(at(MAX_LINK_DAYS * DAY).toISOString());
    expect(() => linkExpiry(at(MAX_LINK_DAYS * DAY + 1).toISOString(), T0)).toThrow(Invalid);
  });
  test('now or the past is refused (path expiresAt); a millisecond ahead is allowed', () => {
    for (const value of [T0.toISOString(), at(-1).toISOString(), '2020-01-01T00:00:00Z']) {
      try {
        linkExpiry(value, T0);
        throw new Error(`accepted ${value}`);
      } catch (error) {
        expect(error).toBeInstanceOf(Invalid);
        expect((error as Invalid).path).toBe('expiresAt');
      }
    }
    expect(linkExpiry(at(1).toISOString(), T0)).toBe(at(1).toISOString());
  });
  test('an offset is normalised to UTC', () => {
    expect(linkExpiry('2026-11-02T12:00:00+02:00', T0)).toBe('2026-11-02T10:00:00.000Z');
  });
});

describe('liveness', () => {
  const link = (over: Partial<ShareLink> = {}): ShareLink => ({
    id: 'l1',
    tokenHash: 'h',
    type: 'invoice',
    documentId: 'INV-1',
    documentCreatedAt: T0.toISOString(),
    createdBy: STAFF,
    createdAt: T0.toISOString(),
    expiresAt: at(DAY).toISOString(),
    views: 0,
    ...over,
  });
  test('at expiresAt − 1 ms it lives, at expiresAt it is gone', () => {
    expect(isLive(link(), at(DAY - 1))).toBe(true);
    expect(isLive(link(), at(DAY))).toBe(false);
  });
  test('views < maxViews lives; views = maxViews is used up', () => {
    expect(isLive(link({ maxViews: 2, views: 1 }), T0)).toBe(true);
    expect(isLive(link({ maxViews: 2, views: 2 }), T0)).toBe(false);
  });
  test('a revoked link is gone at once', () => {
    expect(isLive(link({ revokedAt: T0.toISOString() }), T0)).toBe(false);
  });
  test('kept on record a week after it ended: its expiry, or its revocation if earlier', () => {
    expect(keptUntil(link()).toISOString()).toBe(at(DAY + ENDED_LINK_KEPT_DAYS * DAY).toISOString());
    expect(keptUntil(link({ revokedAt: at(1000).toISOString() })).toISOString()).toBe(at(1000 + ENDED_LINK_KEPT_DAYS * DAY).toISOString());
  });
});

describe('creating a link', () => {
  test('answers the URL once (<PORTAL_URL>/s/<token>, 256 bits base64url), stores only the hash, audits on the customer', async () => {
    const w = world();
    const document = w.publish();
    w.addContact('bob');
    const created = await createLink(w.staff, 'invoice', 'INV-1', { contactId: 'bob', maxViews: 3 }, STAFF);
    expect(created).toEqual({ id: expect.any(String), url: expect.stringMatching(/^https:\/\/portal\.example\.com\/s\/[A-Za-z0-9_-]{43}$/), expiresAt: at(30 * DAY).toISOString(), maxViews: 3, views: 0 });
    const token = tokenOf(created.url);
    const [stored] = [...w.links.values()];
    expect(stored).toMatchObject({ id: created.id, tokenHash: hashToken(token), documentCreatedAt: document.createdAt, contactId: 'bob', createdBy: STAFF, views: 0 });
    expect(JSON.stringify([...w.links.values()])).not.toContain(token);
    expect(w.audit).toEqual([
      { at: T0.toISOString(), actor: STAFF, action: 'link.created', contactId: 'company-1', details: { linkId: created.id, documentType: 'invoice', documentId: 'INV-1', contactId: 'bob', expiresAt: created.expiresAt, maxViews: 3 } },
    ]);
    expect(JSON.stringify(w.audit)).not.toContain(token);
    expect(JSON.stringify(w.audit)).not.toContain(hashToken(token));
  });

  test('two links never share a token', async () => {
    const w = world();
    w.publish();
    const a = await createLink(w.staff, 'invoice', 'INV-1', {}, STAFF);
    const b = await createLink(w.staff, 'invoice', 'INV-1', {}, STAFF);
    expect(a.id).not.toBe(b.id);
    expect(tokenOf(a.url)).not.toBe(tokenOf(b.url));
  });

  test('an unknown document is NotFound; an unknown or archived recipient is Invalid on contactId', async () => {
    const w = world();
    await expect(createLink(w.staff, 'invoice', 'INV-1', {}, STAFF)).rejects.toBeInstanceOf(NotFound);
    w.publish();
    w.addContact('gone', true);
    for (const contactId of ['nobody', 'gone']) {
      const error = await createLink(w.staff, 'invoice', 'INV-1', { contactId }, STAFF).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Invalid);
      expect((error as Invalid).path).toBe('contactId');
    }
    expect(w.links.size).toBe(0);
  });

  test(`at most ${MAX_LINKS_PER_DOCUMENT} on record; a link ended more than a week ago frees its place`, async () => {
    const w = world();
    w.publish();
    for (let i = 0; i < MAX_LINKS_PER_DOCUMENT; i++) await createLink(w.staff, 'invoice', 'INV-1', { expiresAt: at(DAY).toISOString() }, STAFF);
    await expect(createLink(w.staff, 'invoice', 'INV-1', {}, STAFF)).rejects.toBeInstanceOf(Conflict);
    // Revoked links still count for a week.
    const first = (await listLinks(w.staff, 'invoice', 'INV-1'))[0]!;
    await revokeLink(w.staff, 'invoice', 'INV-1', first.id, STAFF);
    await expect(createLink(w.staff, 'invoice', 'INV-1', {}, STAFF)).rejects.toBeInstanceOf(Conflict);
    w.setClock(at(DAY + ENDED_LINK_KEPT_DAYS * DAY));
    await expect(createLink(w.staff, 'invoice', 'INV-1', {}, STAFF)).resolves.toMatchObject({ views: 0 });
  });

  test('a creation that lost a race for the guard reads again and is recorded once', async () => {
    const w = world();
    w.publish();
    let attempts = 0;
    // Another request recorded a link between this one's read and its write, once.
    w.onCreate(() => attempts++ === 0 && w.bumpGuard());
    const mine = await createLink(w.staff, 'invoice', 'INV-1', {}, STAFF);
    expect(attempts).toBe(2);
    expect((await listLinks(w.staff, 'invoice', 'INV-1')).map((l) => l.id)).toEqual([mine.id]);
    expect(w.audit).toHaveLength(1);
  });

  test('a race lost on every attempt ends in Conflict, recording nothing', async () => {
    const w = world();
    w.publish();
    w.onCreate(() => w.bumpGuard());
    await expect(createLink(w.staff, 'invoice', 'INV-1', {}, STAFF)).rejects.toBeInstanceOf(Conflict);
    expect(w.links.size).toBe(0);
    expect(w.audit).toHaveLength(0);
  });
});

describe('listing and revoking', () => {
  test('newest first, without tokens or hashes; links of an earlier document under the same id are not shown', async () => {
    const w = world();
    w.publish();
    const old = await createLink(w.staff, 'invoice', 'INV-1', {}, STAFF);
    // Deleted and published again: another document.
    w.setClock(at(1000));
    w.publish();
    const a = await createLink(w.staff, 'invoice', 'INV-1', { maxViews: 2 }, STAFF);
    w.setClock(at(2000));
    const b = await createLink(w.staff, 'invoice', 'INV-1', {}, STAFF);
    const listed = await listLinks(w.staff, 'invoice', 'INV-1');
    expect(listed.map((l) => l.id)).toEqual([b.id, a.id]);
    expect(listed[1]).toEqual({ id: a.id, createdBy: STAFF, createdAt: at(1000).toISOString(), expiresAt: a.expiresAt, maxViews: 2, views: 0, live: true });
    expect(JSON.stringify(listed)).not.toMatch(new RegExp([old, a, b].flatMap((l) => [tokenOf(l.url), hashToken(tokenOf(l.url))]).join('|')));
    await expect(revokeLink(w.staff, 'invoice', 'INV-1', old.id, STAFF)).rejects.toBeInstanceOf(NotFound);
  });

  test('revoke: the link is dead at once, the others live; a second revoke is no error and writes no second entry', async () => {
    const w = world();
    w.publish();
    const a = await createLink(w.staff, 'invoice', 'INV-1', {}, STAFF);
    const b = await createLink(w.staff, 'invoice', 'INV-1', {}, STAFF);
    w.setClock(at(5000));
    await revokeLink(w.staff, 'invoice', 'INV-1', a.id, STAFF);
    await expect(viewShared(w.shared, tokenOf(a.url))).rejects.toBeInstanceOf(Gone);
    await expect(viewShared(w.shared, tokenOf(b.url))).resolves.toMatchObject({ id: 'INV-1' });
    await revokeLink(w.staff, 'invoice', 'INV-1', a.id, STAFF);
    expect(w.audit.map((e) => e.action)).toEqual(['link.created', 'link.created', 'link.revoked']);
    expect(w.audit[2]).toEqual({ at: at(5000).toISOString(), actor: STAFF, action: 'link.revoked', contactId: 'company-1', details: { linkId: a.id, documentType: 'invoice', documentId: 'INV-1' } });
    expect((await listLinks(w.staff, 'invoice', 'INV-1')).find((l) => l.id === a.id)?.revokedAt).toBe(at(5000).toISOString());
  });

  test('an unknown link or document is NotFound', async () => {
    const w = world();
    await expect(listLinks(w.staff, 'invoice', 'INV-1')).rejects.toBeInstanceOf(NotFound);
    await expect(revokeLink(w.staff, 'invoice', 'INV-1', 'x', STAFF)).rejects.toBeInstanceOf(NotFound);
    w.publish();
    await expect(revokeLink(w.staff, 'invoice', 'INV-1', 'x', STAFF)).rejects.toBeInstanceOf(NotFound);
  });
});

describe('the holder', () => {
  async function linkTo(w: ReturnType<typeof world>, input: Parameters<typeof createLink>[3] = {}) {
    if (!w.documents.size) w.publish();
    return tokenOf((await createLink(w.staff, 'invoice', 'INV-1', input, STAFF)).url);
  }
  // Links that no longer open: the holder's and staff's listing cases share them.
  async function movedAway(w: ReturnType<typeof world>) {
    const token = await linkTo(w);
    const stored = w.documents.get('invoice/INV-1')!;
    w.documents.set('invoice/INV-1', { document: { ...stored.document, customerId: 'another-customer', updatedAt: at(1).toISOString() }, version: stored.version + 1 });
    return token;
  }
  async function recipientArchived(w: ReturnType<typeof world>) {
    w.addContact('bob');
    const token = await linkTo(w, { contactId: 'bob' });
    w.addContact('bob', true);
    return token;
  }
  async function usedUp(w: ReturnType<typeof world>) {
    const token = await linkTo(w, { maxViews: 1 });
    await viewShared(w.shared, token);
    return token;
  }
  const gone = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e);
    // A link's own kind (410 link-unusable), not an invitation's.
    expect(error).toBeInstanceOf(LinkGone);
    expect((error as Gone).message).toBe(LINK_GONE_DETAIL);
  };

  test('sees the document with its completed attachments, each view counted; nothing else changes', async () => {
    const w = world();
    const token = await linkTo(w);
    const before = JSON.stringify([...w.documents.values()]);
    await expect(viewShared(w.shared, token)).resolves.toEqual({ ...w.documents.get('invoice/INV-1')!.document, attachments: [ATTACHMENT] });
    await viewShared(w.shared, token);
    expect([...w.links.values()][0]!.views).toBe(2);
    expect(JSON.stringify([...w.documents.values()])).toBe(before);
    expect(w.audit.map((e) => e.action)).toEqual(['link.created']);
  });

  test('maxViews: the last view is served, the next one is Gone; concurrent last views: exactly one', async () => {
    const w = world();
    const token = await linkTo(w, { maxViews: 2 });
    await viewShared(w.shared, token);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => viewShared(w.shared, token)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(Gone);
    expect([...w.links.values()][0]!.views).toBe(2);
  });

  test('a read that fails (the table unavailable) counts no view: a one-view link still shows its document after the 503', async () => {
    const w = world();
    const token = await linkTo(w, { maxViews: 1 });
    const list = w.shared.attachments.list;
    w.shared.attachments.list = async () => {
      throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    };
    await expect(viewShared(w.shared, token)).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    expect([...w.links.values()][0]!.views).toBe(0);
    w.shared.attachments.list = list;
    await expect(viewShared(w.shared, token)).resolves.toMatchObject({ id: 'INV-1', attachments: [ATTACHMENT] });
    expect([...w.links.values()][0]!.views).toBe(1);
  });

  test('at expiresAt − 1 ms it is served, at expiresAt it is Gone', async () => {
    const w = world();
    const token = await linkTo(w, { expiresAt: at(60_000).toISOString() });
    w.setClock(at(59_999));
    await expect(viewShared(w.shared, token)).resolves.toMatchObject({ id: 'INV-1' });
    w.setClock(at(60_000));
    await gone(viewShared(w.shared, token));
  });

  test('unknown, malformed, revoked, deleted, republished or moved document, archived recipient: the same Gone, after the same reads', async () => {
    const cases: [string, (w: ReturnType<typeof world>) => Promise<string>][] = [
      ['unknown', async () => 'x'.repeat(43)],
      ['malformed', async () => '../%00'],
      ['revoked', async (w) => {
        const token = await linkTo(w);
        const [link] = [...w.links.values()];
        await revokeLink(w.staff, 'invoice', 'INV-1', link!.id, STAFF);
        return token;
      }],
      ['document deleted', async (w) => {
        const token = await linkTo(w);
        w.documents.clear();
        return token;
      }],
      ['document deleted and published again', async (w) => {
        const token = await linkTo(w);
        w.setClock(at(1));
        w.publish();
        return token;
      }],
      ['document moved to another customer', movedAway],
      ['recipient archived', recipientArchived],
      ['used up', usedUp],
    ];
    for (const [label, make] of cases) {
      const w = world();
      const token = await make(w);
      w.reads.length = 0;
      await gone(viewShared(w.shared, token));
      expect({ label, reads: [...w.reads].sort() }).toEqual({ label, reads: ['attachments', 'contact', 'document', 'link'] });
    }
  });

  test('a document replaced for the same customer keeps its links; a link recorded before links knew the customer follows its document', async () => {
    const w = world();
    const token = await linkTo(w);
    const stored = w.documents.get('invoice/INV-1')!;
    expect([...w.links.values()][0]).toMatchObject({ documentCustomerId: stored.document.customerId });
    w.documents.set('invoice/INV-1', { document: { ...stored.document, name: 'Renamed', updatedAt: at(1).toISOString() }, version: stored.version + 1 });
    await expect(viewShared(w.shared, token)).resolves.toMatchObject({ id: 'INV-1', name: 'Renamed' });
    delete [...w.links.values()][0]!.documentCustomerId;
    w.documents.set('invoice/INV-1', { document: { ...stored.document, customerId: 'another-customer' }, version: stored.version + 2 });
    await expect(viewShared(w.shared, token)).resolves.toMatchObject({ id: 'INV-1', customerId: 'another-customer' });
  });

  test("staff's listing says of each link whether it opens its document now (`live`), as the holder finds it", async () => {
    const cases: [string, (w: ReturnType<typeof world>) => Promise<string>][] = [
      ['live', async (w) => linkTo(w)],
      ['live, for a recipient', async (w) => {
        w.addContact('bob');
        return linkTo(w, { contactId: 'bob' });
      }],
      ['revoked', async (w) => {
        const token = await linkTo(w);
        await revokeLink(w.staff, 'invoice', 'INV-1', [...w.links.values()][0]!.id, STAFF);
        return token;
      }],
      ['expired', async (w) => {
        const token = await linkTo(w, { expiresAt: at(60_000).toISOString() });
        w.setClock(at(60_000));
        return token;
      }],
      ['used up', usedUp],
      ['document moved to another customer', movedAway],
      ['recipient archived', recipientArchived],
      ['recipient archived and restored', async (w) => {
        w.addContact('bob');
        const token = await linkTo(w, { contactId: 'bob' });
        w.setClock(at(1));
        w.contacts.set('bob', { ...w.contacts.get('bob')!, restoredAt: at(1).toISOString() });
        return token;
      }],
    ];
    const seen: Record<string, { listed: boolean | undefined; opens: boolean }> = {};
    for (const [label, make] of cases) {
      const w = world();
      const token = await make(w);
      const [listed] = await listLinks(w.staff, 'invoice', 'INV-1');
      const opens = await viewShared(w.shared, token).then(() => true, () => false);
      seen[label] = { listed: listed?.live, opens };
    }
    for (const [label] of cases) expect({ label, listed: seen[label]!.listed }).toEqual({ label, listed: seen[label]!.opens });
    expect(Object.entries(seen).filter(([, s]) => s.opens).map(([label]) => label)).toEqual(['live', 'live, for a recipient']);
  });

  test('a recipient that is back (not archived) opens the link again', async () => {
    const w = world();
    w.addContact('bob');
    const token = await linkTo(w, { contactId: 'bob' });
    w.addContact('bob', true);
    await gone(viewShared(w.shared, token));
    w.addContact('bob');
    await expect(viewShared(w.shared, token)).resolves.toMatchObject({ id: 'INV-1' });
  });

  test('attachments: a download while the link lives, no view counted; unknown attachment NotFound; a dead link Gone before any download', async () => {
    const w = world();
    const token = await linkTo(w, { maxViews: 1 });
    await expect(sharedAttachment(w.shared, token, 'att-1')).resolves.toEqual({ url: 'https://bucket.example/att-1', expiresAt: T0.toISOString() });
    await expect(sharedAttachment(w.shared, token, 'other')).rejects.toBeInstanceOf(NotFound);
    expect([...w.links.values()][0]!.views).toBe(0);
    await viewShared(w.shared, token);
    await gone(sharedAttachment(w.shared, token, 'att-1'));
    await gone(sharedAttachment(w.shared, 'x'.repeat(43), 'att-1'));
    expect(w.downloads).toEqual(['invoice/INV-1/att-1', 'invoice/INV-1/other']);
  });
});
