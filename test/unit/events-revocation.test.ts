/**
 * Revocation events through the real handler and the real portal-access and contacts domain code,
 * on the in-memory stores of the portal-access tests, with the outbox worker run after each event
 * (as the table's stream would): what a first event changes, and that a repeat (or an event
 * arriving after the change it asks for) changes nothing.
 */
import { archiveContact, type ContactStore } from '../../lambdas/domain/contacts';
import { processOutboxItem, type OutboxDeps } from '../../lambdas/domain/outbox';
import type { AccessEventType, DeliveryDeps, PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { revokeAccess, revokeCompany, revokeForArchive, settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import type { EventDeps } from '../../lambdas/wiring/events';
import { eventHandler } from '../../lambdas/events/handler';
import { MemoryAccess } from './portal-access.fakes';

const unused = async (): Promise<never> => {
  throw new Error('not expected');
};

function world() {
  const mem = new MemoryAccess();
  const login = (id: string) => ({ email: `${id}@example.com`, username: `user-${id}`, sub: `sub-${id}` });
  mem.add({ id: 'co-1', kind: 'company', name: 'Acme', portal: { status: 'active' }, login: login('co-1') });
  mem.add({ id: 'p-1', companyId: 'co-1', portal: { status: 'active' }, login: login('p-1') });
  mem.add({ id: 'p-2', companyId: 'co-1', portal: { status: 'invited' }, login: login('p-2'), invitation: { tokenHash: 'h-2', expiresAt: '2099-01-01T00:00:00.000Z', sentAt: '2026-01-02T00:00:00.000Z' } });
  mem.add({ id: 'p-3', companyId: 'co-1' });
  mem.add({ id: 'x-1', companyId: 'co-2', portal: { status: 'active' }, login: login('x-1') });
  for (const id of ['co-1', 'p-1', 'p-2', 'x-1']) mem.guards.set(`${id}@example.com`, id);
  mem.invitations.set('h-2', { contactId: 'p-2', expiresAt: '2099-01-01T00:00:00.000Z' });

  const disabled: string[] = [];
  /** Usernames whose AdminDisableUser fails (once each), as Cognito throttling would. */
  const failingOnce = new Set<string>();
  const emitted: Array<[AccessEventType, string]> = [];
  const now = () => new Date('2026-11-22T08:30:00.000Z');
  let ids = 0;
  const access: PortalAccessDeps = { contacts: mem.contactStore, store: mem, now, config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
  const delivery: DeliveryDeps = {
    contacts: mem.contactStore,
    store: mem,
    outbox: mem,
    logins: { create: unused, find: unused, enable: unused, isEnabled: unused, signOut: unused, changeEmail: unused, disable: async (username) => {
        if (failingOnce.delete(username)) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
        disabled.push(username);
      } },
    mailer: { send: unused },
    pacer: { acquire: unused },
    events: { emit: async (type, detail) => void emitted.push([type, detail.contactId]) },
    now,
    config: { portalUrl: 'https://portal.example', invitationTtlDays: 7 },
    warn: () => undefined,
    sleep: async () => undefined,
  };
  const worker: OutboxDeps = { outbox: mem, now, handlers: { invitation: unused, revocation: (item, run) => settleRevocation(delivery, item, run) } };
  /** The stream: every outbox item written so far, to the worker; one that fails stays for the next drain. */
  const drain = async () => {
    while (mem.pending.length > 0) {
      await processOutboxItem(worker, mem.pending[0]!, new AbortController().signal);
      mem.pending.shift();
    }
  };
  const contactStore: ContactStore = {
    ...mem.contactStore,
    list: unused,
    create: unused,
    update: unused,
    archive: async ({ id }) => {
      const stored = mem.contact(id);
      stored.archived = true;
      stored.version += 1;
    },
    restore: unused,
  };
  const contacts = { store: contactStore, revoker: { revokeForArchive: (id: string, actor: string) => revokeForArchive(access, id, actor) } };
  const deps: EventDeps = {
    revokeAccess: (id, actor, reason) => revokeAccess(access, id, actor, reason),
    revokeCompany: (id, actor, reason) => revokeCompany(access, id, actor, reason),
    archiveContact: (id, actor) => archiveContact(contacts, id, actor),
    recordMailFeedback: unused,
  };
  /** Everything a second event must leave alone. */
  const snapshot = () => structuredClone({ contacts: [...mem.contacts.entries()], audit: mem.audit, guards: [...mem.guards], disabled, emitted });
  const events = eventHandler(() => deps);
  const handler = async (e: unknown) => {
    await events(e);
    await drain();
  };
  return { mem, handler, drain, disabled, emitted, snapshot, failingOnce, archive: (id: string) => archiveContact(contacts, id, 'staff:alice') };
}

const event = (detailType: string, detail: unknown) => ({ id: 'e-1', 'detail-type': detailType, source: 'billing.example', time: '2026-11-22T08:29:00Z', detail });


afterEach(() => jest.restoreAllMocks());

describe('PortalAccessRevocationRequested { companyId }', () => {
  it('revokes the company and every portal user of it, audited with the event as the actor', async () => {
    const { mem, handler, disabled } = world();
    await handler(event('PortalAccessRevocationRequested', { companyId: 'co-1', reason: 'unpaid' }));

    expect(['co-1', 'p-1', 'p-2', 'p-3', 'x-1'].map((id) => mem.contact(id).portal.status)).toEqual(['revoked', 'revoked', 'revoked', 'none', 'active']);
    expect(disabled.sort()).toEqual(['user-co-1', 'user-p-1', 'user-p-2']);
    expect(mem.invitations.has('h-2')).toBe(false);
    expect(mem.audit.map((a) => [a.contactId, a.action, a.actor, a.details.reason]).sort()).toEqual([
      ['co-1', 'portal.revoked', 'event:billing.example', 'unpaid'],
      ['p-1', 'portal.revoked', 'event:billing.example', 'unpaid'],
      ['p-2', 'portal.revoked', 'event:billing.example', 'unpaid'],
    ]);
  });

  it('the same event again changes nothing: no write, no audit entry, no Cognito call, no emitted event', async () => {
    const { handler, snapshot } = world();
    await handler(event('PortalAccessRevocationRequested', { companyId: 'co-1' }));
    const after = snapshot();
    await handler(event('PortalAccessRevocationRequested', { companyId: 'co-1' }));
    expect(snapshot()).toEqual(after);
  });
});

describe('PortalAccessRevocationRequested { contactId }', () => {
  it('revokes that contact alone; a repeat changes nothing', async () => {
    const { mem, handler, snapshot, emitted } = world();
    await handler(event('PortalAccessRevocationRequested', { contactId: 'p-1' }));
    expect(mem.contact('p-1').portal.status).toBe('revoked');
    expect(mem.contact('co-1').portal.status).toBe('active');
    expect(emitted).toEqual([['PortalAccessRevoked', 'p-1']]);
    const after = snapshot();
    await handler(event('PortalAccessRevocationRequested', { contactId: 'p-1' }));
    expect(snapshot()).toEqual(after);
  });

  it('out of order: a request about a contact that never had access changes nothing', async () => {
    const { handler, snapshot } = world();
    const before = snapshot();
    await handler(event('PortalAccessRevocationRequested', { contactId: 'p-3' }));
    expect(snapshot()).toEqual(before);
  });

  it('an unknown contact or company is dropped, and nothing changes', async () => {
    const { handler, snapshot } = world();
    const before = snapshot();
    await expect(handler(event('PortalAccessRevocationRequested', { contactId: 'ghost' }))).resolves.toBeUndefined();
    await expect(handler(event('PortalAccessRevocationRequested', { companyId: 'ghost-co' }))).resolves.toBeUndefined();
    expect(snapshot()).toEqual(before);
  });
});

describe('ContactArchived', () => {
  it('archives the contact and revokes its access, like DELETE /contacts/{id}; a repeat changes nothing', async () => {
    const { mem, handler, disabled, snapshot } = world();
    await handler(event('ContactArchived', { contactId: 'p-1' }));
    expect(mem.contact('p-1')).toMatchObject({ archived: true, portal: { status: 'revoked' } });
    expect(disabled).toEqual(['user-p-1']);
    // An archived contact's login email is free again.
    expect(mem.guards.has('p-1@example.com')).toBe(false);
    expect(mem.guards.get('p-2@example.com')).toBe('p-2');
    expect(mem.audit).toEqual([expect.objectContaining({ contactId: 'p-1', action: 'portal.revoked', actor: 'event:billing.example' })]);
    const after = snapshot();
    await handler(event('ContactArchived', { contactId: 'p-1' }));
    expect(snapshot()).toEqual(after);
  });
});

describe('archiving a company', () => {
  it('revokes the company and each of its persons, audited and announced; other companies are untouched; a repeat changes nothing', async () => {
    const { mem, handler, disabled, emitted, snapshot } = world();
    await handler(event('ContactArchived', { contactId: 'co-1' }));

    expect(mem.contact('co-1')).toMatchObject({ archived: true, portal: { status: 'revoked' } });
    expect(['p-1', 'p-2', 'p-3', 'x-1'].map((id) => [mem.contact(id).archived, mem.contact(id).portal.status])).toEqual([
      [false, 'revoked'],
      [false, 'revoked'],
      [false, 'none'],
      [false, 'active'],
    ]);
    expect(disabled.sort()).toEqual(['user-co-1', 'user-p-1', 'user-p-2']);
    expect(mem.invitations.has('h-2')).toBe(false);
    expect(mem.audit.map((a) => [a.contactId, a.action, a.details.reason]).sort()).toEqual([
      ['co-1', 'portal.revoked', 'contact archived'],
      ['p-1', 'portal.revoked', 'company archived'],
      ['p-2', 'portal.revoked', 'company archived'],
    ]);
    expect(emitted.sort()).toEqual([
      ['PortalAccessRevoked', 'co-1'],
      ['PortalAccessRevoked', 'p-1'],
      ['PortalAccessRevoked', 'p-2'],
    ]);
    // The persons are not archived: they keep their login email guard (a re-grant elsewhere is for staff to decide).
    expect(mem.guards.get('p-1@example.com')).toBe('p-1');
    const after = snapshot();
    await handler(event('ContactArchived', { contactId: 'co-1' }));
    expect(snapshot()).toEqual(after);
  });

  it('a revocation whose Cognito part failed is completed by the retry of its outbox item; the repeated DELETE changes nothing', async () => {
    const { mem, archive, drain, disabled, failingOnce } = world();
    failingOnce.add('user-p-2');
    await archive('co-1');
    expect(mem.contact('co-1').archived).toBe(true);
    expect(mem.contact('p-2').portal.status).toBe('revoked');
    await expect(drain()).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    expect(mem.contact('p-2').login?.disabledAt).toBeUndefined();
    expect(disabled).not.toContain('user-p-2');

    await drain();
    expect(disabled.filter((u) => u === 'user-p-2')).toHaveLength(1);
    expect(mem.contact('p-2').login?.disabledAt).toBeDefined();
    await archive('co-1');
    expect(mem.pending).toEqual([]);
    expect(mem.audit.filter((a) => a.contactId === 'p-2')).toHaveLength(1);
  });
});
