import { Conflict, Invalid, NotFound } from '../../lambdas/contract/errors';
import type { EventDeps } from '../../lambdas/wiring/events';
import { eventHandler, RejectedEvent } from '../../lambdas/events/handler';
import { captureLogs, type Captured } from './log-capture';

type Call = [name: string, ...args: unknown[]];

/** Fakes of the domain functions: each records its call and answers what the test says. */
function fakeDeps(answer: (name: string, id: string) => unknown = () => 'revoked') {
  const calls: Call[] = [];
  const fake =
    (name: string) =>
    async (id: string, ...rest: unknown[]) => {
      calls.push([name, id, ...rest]);
      const result = answer(name, id);
      if (result instanceof Error) throw result;
      return result;
    };
  const deps: EventDeps = {
    revokeAccess: fake('revokeAccess'),
    revokeCompany: fake('revokeCompany'),
    archiveContact: fake('archiveContact'),
    recordMailFeedback: async (feedback) => {
      calls.push(['recordMailFeedback', feedback]);
      return [];
    },
  };
  return { calls, handler: eventHandler(() => deps) };
}

const event = (detailType: string, detail: unknown, source = 'crm.example') => ({
  version: '0',
  id: 'evt-1',
  'detail-type': detailType,
  source,
  account: '123456789012',
  time: '2026-11-22T08:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

let logged: Captured;
beforeEach(() => {
  logged = captureLogs();
});
afterEach(() => logged.restore());
const lines = (level: string) => logged.level(level.toUpperCase());

describe('revocation events', () => {
  it('revokes one contact, with the event source as the actor and the reason', async () => {
    const { calls, handler } = fakeDeps();
    await handler(event('PortalAccessRevocationRequested', { contactId: 'c-1', reason: 'unpaid invoices' }));
    expect(calls).toEqual([['revokeAccess', 'c-1', 'event:crm.example', 'unpaid invoices']]);
  });

  it('revokes every portal user of a company', async () => {
    const { calls, handler } = fakeDeps();
    await handler(event('PortalAccessRevocationRequested', { companyId: 'co-1' }, 'billing'));
    expect(calls).toEqual([['revokeCompany', 'co-1', 'event:billing', undefined]]);
  });

  it.each([
    ['over several lines', 'Contract ended.\r\nSee ticket 4711.\n\tInformed.', 'Contract ended.\r\nSee ticket 4711.\n\tInformed.'],
    ['padded', '  unpaid  ', 'unpaid'],
    ['empty', '', undefined],
    ['blank', ' \n ', undefined],
    ['null', null, undefined],
  ])('revokes with a reason %s (free text: it annotates the revocation, never blocks it)', async (_name, reason, recorded) => {
    const { calls, handler } = fakeDeps();
    await handler(event('PortalAccessRevocationRequested', { contactId: 'c-1', reason }));
    expect(calls).toEqual([['revokeAccess', 'c-1', 'event:crm.example', recorded]]);
  });

  // A revocation that bites at once must not wait in a dead-letter queue for a person because its
  // sender wrote more than we store, or a field we do not read: the access ends, the log says what was left out.
  it.each([
    ['over 1000 characters: cut, ending in …', 'x'.repeat(5000), `${'x'.repeat(999)}…`, ['reason cut to 1000 characters']],
    ['cut between the halves of a surrogate pair: the pair goes', `${'x'.repeat(998)}😀tail`, `${'x'.repeat(998)}…`, ['reason cut to 1000 characters']],
    ['with control characters: spaces', 'a\u0000b\u001bc\u202ed', 'a b c d', ['reason: control characters or lone surrogates replaced']],
    ['with C1 control characters (NEL, CSI): spaces', 'a\u0085b\u009bc\u0080d', 'a b c d', ['reason: control characters or lone surrogates replaced']],
    ['with a lone surrogate: U+FFFD', 'a\ud800b', 'a\ufffdb', ['reason: control characters or lone surrogates replaced']],
    ['that is not text: no reason', { text: 'unpaid' }, undefined, ['reason ignored: not text']],
    ['a number: no reason', 42, undefined, ['reason ignored: not text']],
  ])('revokes with a reason %s, and logs what it changed (never the text)', async (_name, reason, recorded, adjusted) => {
    const { calls, handler } = fakeDeps();
    await handler(event('PortalAccessRevocationRequested', { contactId: 'c-1', reason }));
    expect(calls).toEqual([['revokeAccess', 'c-1', 'event:crm.example', recorded]]);
    expect(lines('warn')).toEqual([expect.objectContaining({ message: 'event detail adjusted', detailType: 'PortalAccessRevocationRequested', adjusted })]);
    expect(JSON.stringify(lines('warn'))).not.toContain('xxxxxxxxxx');
  });

  it.each([
    ['a revocation of a contact', event('PortalAccessRevocationRequested', { contactId: 'c-1', requestedBy: 'crm-user-7', ticket: 4711 }), ['revokeAccess', 'c-1', 'event:crm.example', undefined], 'fields ignored: requestedBy, ticket'],
    ['a revocation of a company', event('PortalAccessRevocationRequested', { companyId: 'co-1', reason: 'unpaid', priority: 'high' }), ['revokeCompany', 'co-1', 'event:crm.example', 'unpaid'], 'fields ignored: priority'],
    ['an archive', event('ContactArchived', { contactId: 'c-1', archivedAt: '2026-12-01T00:00:00Z', deleted: true }), ['archiveContact', 'c-1', 'event:crm.example'], 'fields ignored: archivedAt, deleted'],
  ])('%s with fields it does not read still happens (the fields are named in the log)', async (_name, input, call, adjusted) => {
    const { calls, handler } = fakeDeps();
    await handler(input);
    expect(calls).toEqual([call]);
    expect(lines('warn')).toEqual([expect.objectContaining({ message: 'event detail adjusted', adjusted: [adjusted] })]);
  });

  it('names at most 10 ignored fields, each cut to 64 characters', async () => {
    const { calls, handler } = fakeDeps();
    const detail: Record<string, unknown> = { contactId: 'c-1', ['k'.repeat(500)]: 1 };
    for (let i = 0; i < 20; i++) detail[`f${i}`] = i;
    await handler(event('PortalAccessRevocationRequested', detail));
    expect(calls).toEqual([['revokeAccess', 'c-1', 'event:crm.example', undefined]]);
    expect(lines('warn')[0]?.adjusted).toEqual([`fields ignored: ${'k'.repeat(64)}, ${Array.from({ length: 9 }, (_, i) => `f${i}`).join(', ')}, …`]);
  });

  it('archives an archived contact the way DELETE /contacts/{id} does', async () => {
    const { calls, handler } = fakeDeps();
    await handler(event('ContactArchived', { contactId: 'c-2' }));
    expect(calls).toEqual([['archiveContact', 'c-2', 'event:crm.example']]);
  });

  it('ignores our own events', async () => {
    const { calls, handler } = fakeDeps();
    await handler(event('PortalAccessRevocationRequested', { contactId: 'c-1' }, 'portal.access'));
    expect(calls).toEqual([]);
    expect(lines('info').map((l) => l.message)).toContain('own event ignored');
  });
});

describe('malformed events go to the dead-letter path, untouched', () => {
  it.each([
    ['no detail-type', { source: 'crm', detail: { contactId: 'c-1' } }, /detail-type/],
    ['not an object', 'PortalAccessRevocationRequested', /EventBridge event/],
    ['both ids', event('PortalAccessRevocationRequested', { contactId: 'c-1', companyId: 'co-1' }), /Malformed PortalAccessRevocationRequested detail/],
    ['neither id', event('PortalAccessRevocationRequested', { reason: 'x' }), /Malformed/],
    ['a bad id', event('PortalAccessRevocationRequested', { contactId: '../etc/passwd' }), /contactId/],
    ['an id that is not text', event('PortalAccessRevocationRequested', { contactId: 42 }), /contactId/],
    ['ContactArchived without its id', event('ContactArchived', { id: 'c-1' }), /Malformed ContactArchived detail: contactId/],
    ['no detail', event('ContactArchived', undefined), /Malformed/],
    ['an unknown detail-type', event('CustomerDeleted', { contactId: 'c-1' }), /No consumer for CustomerDeleted/],
    ['SES detail-type from another source', event('Email Bounced', { mail: {}, bounce: { bounceType: 'Permanent' } }, 'spoofer'), /No consumer/],
  ])('%s', async (_name, input, message) => {
    const { calls, handler } = fakeDeps();
    const outcome = handler(input);
    await expect(outcome).rejects.toBeInstanceOf(RejectedEvent);
    await expect(outcome).rejects.toThrow(message);
    expect(calls).toEqual([]);
    expect(lines('error').map((l) => l.message)).toEqual(['event rejected']);
  });

  it('a refusal of the domain (Invalid) is rejected too: retrying cannot change it', async () => {
    const { handler } = fakeDeps(() => new Invalid('co-1 is not a company'));
    await expect(handler(event('PortalAccessRevocationRequested', { companyId: 'co-1' }))).rejects.toThrow(new RejectedEvent('Refused: co-1 is not a company'));
  });
});

describe('failures', () => {
  it('drops an event about an unknown contact with a warning, and resolves', async () => {
    const { calls, handler } = fakeDeps(() => new NotFound('No such contact.'));
    await expect(handler(event('PortalAccessRevocationRequested', { contactId: 'ghost' }))).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(lines('warn')).toEqual([expect.objectContaining({ message: 'event dropped: unknown contact or company', eventId: 'evt-1' })]);
  });

  it('throws a transient error again, for the retry policy', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { handler } = fakeDeps(() => throttled);
    await expect(handler(event('PortalAccessRevocationRequested', { companyId: 'co-1' }))).rejects.toBe(throttled);
    expect(lines('error').map((l) => l.message)).toEqual(['event failed, to be retried']);
  });

  it('throws a conflict again (a concurrent change: the retry sees the new state)', async () => {
    const { handler } = fakeDeps(() => new Conflict('stale'));
    await expect(handler(event('ContactArchived', { contactId: 'c-1' }))).rejects.toBeInstanceOf(Conflict);
  });
});
