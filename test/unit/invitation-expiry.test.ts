/**
 * The scheduled job's expiry of one pending invitation, over the in-memory store: due at exactly its
 * expiresAt, recorded once (audited, with the reminder's time when there was one) and announced;
 * announced again, without a second record, by a run that makes up for a lost event; and left alone
 * for each reason it may no longer apply (gone, re-invited, accepted, not yet due, the access changed,
 * the record changed meanwhile).
 */
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { expireInvitation, type InvitationExpiryDeps } from '../../lambdas/domain/portal-access/invitation-expiry';
import { MemoryAccess } from './portal-access.fakes';

const EXPIRES = '2026-03-08T10:00:00.000Z';
let access: MemoryAccess;
let clock: Date;
let events: { type: string; detail: unknown }[];
let deps: InvitationExpiryDeps;

beforeEach(() => {
  access = new MemoryAccess();
  clock = new Date(EXPIRES);
  events = [];
  deps = { contacts: access.contactStore, store: access, now: () => clock, events: { emit: async (type, detail) => void events.push({ type, detail }) } };
});

const pending = (change: (c: ContactRecord) => void = () => undefined) => {
  const contact = access.add({
    id: 'p1',
    email: 'p1@example.com',
    portal: { status: 'invited', invitedAt: '2026-03-01T10:00:00.000Z', delivery: 'sent' },
    login: { email: 'login@example.com', username: 'u1', sub: 's1' },
    invitation: { tokenHash: 'h1', expiresAt: EXPIRES, issuedAt: '2026-03-01T10:00:00.000Z', sentAt: '2026-03-01T10:00:00.000Z' },
  });
  change(contact);
  access.contacts.set('p1', structuredClone(contact));
  access.invitations.set('h1', { contactId: 'p1', expiresAt: EXPIRES });
};
const expired = () => events.filter((e) => e.type === 'PortalInvitationExpired');

it('at exactly its expiresAt: recorded (audited by the schedule) and announced with the login email', async () => {
  pending();
  expect(await expireInvitation(deps, 'p1', EXPIRES)).toBe('expired');
  expect(access.contact('p1').invitation?.expiredAt).toBe(EXPIRES);
  expect(access.contact('p1').portal.status).toBe('invited');
  expect(access.invitations.has('h1')).toBe(false);
  expect(access.audit).toEqual([expect.objectContaining({ action: 'invitation.expired', actor: 'schedule', contactId: 'p1', details: { expiresAt: EXPIRES } })]);
  expect(expired()).toEqual([{ type: 'PortalInvitationExpired', detail: { contactId: 'p1', email: 'login@example.com', at: EXPIRES } }]);
});

it("the audit entry says when the one reminder went, if it did", async () => {
  pending((c) => void (c.invitation!.remindedAt = '2026-03-04T10:00:00.000Z'));
  await expireInvitation(deps, 'p1', EXPIRES);
  expect(access.audit[0]?.details).toEqual({ expiresAt: EXPIRES, remindedAt: '2026-03-04T10:00:00.000Z' });
});

it('recorded already (a run whose event was lost): announced again, not recorded or audited twice', async () => {
  pending();
  await expireInvitation(deps, 'p1', EXPIRES);
  clock = new Date(Date.parse(EXPIRES) + 60_000);
  expect(await expireInvitation(deps, 'p1', EXPIRES)).toBe('announced');
  expect(expired()).toHaveLength(2);
  expect(access.audit).toHaveLength(1);
  expect(access.contact('p1').invitation?.expiredAt).toBe(EXPIRES);
});

it("announces the contact's email when it has no login yet, and an empty one when it has neither", async () => {
  pending((c) => void delete c.login);
  await expireInvitation(deps, 'p1', EXPIRES);
  access.contacts.get('p1')!.email = undefined;
  await expireInvitation(deps, 'p1', EXPIRES);
  expect(expired().map((e) => (e.detail as { email: string }).email)).toEqual(['p1@example.com', '']);
});

it.each<[string, (c: ContactRecord) => void, string?]>([
  ['re-invited (another expiresAt by now)', (c) => void (c.invitation!.expiresAt = '2026-03-15T10:00:00.000Z')],
  ['accepted', (c) => void (c.invitation!.acceptedAt = '2026-03-05T10:00:00.000Z')],
  ['without any invitation', (c) => void delete c.invitation],
  ['whose access was revoked meanwhile', (c) => void (c.portal = { status: 'revoked', revokedAt: '2026-03-05T10:00:00.000Z' })],
  ['a millisecond before it is due', () => void (clock = new Date(Date.parse(EXPIRES) - 1))],
])('leaves alone an invitation %s: unchanged, nothing recorded or announced', async (_, change) => {
  pending(change);
  expect(await expireInvitation(deps, 'p1', EXPIRES)).toBe('unchanged');
  expect(expired()).toEqual([]);
  expect(access.audit).toEqual([]);
  expect(access.contact('p1').invitation?.expiredAt).toBeUndefined();
});

it('a contact that is gone, or a record changed between the read and the write: unchanged, nothing announced', async () => {
  expect(await expireInvitation(deps, 'nobody', EXPIRES)).toBe('unchanged');
  pending();
  access.markInvitationExpired = async () => false;
  expect(await expireInvitation(deps, 'p1', EXPIRES)).toBe('unchanged');
  expect(expired()).toEqual([]);
});
