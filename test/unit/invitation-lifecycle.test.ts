/**
 * The invitation lifecycle over in-memory stores and a moving clock, through the outbox: the due
 * entries an invitation brings, the one reminder (queued by the scheduled job, sent by the outbox
 * worker: a fresh link, the inviter's notice) and its repeats after failures, never after
 * acceptance, runs and workers at once, the expiry with its event, a re-invite that revives it,
 * and a link handed to staff. `drain()` hands the outbox items written so far to the worker, as the
 * table's stream would; `run()` is one run of the scheduled job, then a drain.
 */
import { Conflict, Gone } from '../../lambdas/contract/errors';
import { DUE_CLAIM_STALE_MS, DUE_TASKS } from '../../lambdas/contract/schedule';
import { processOutboxItem } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { queueReminder } from '../../lambdas/domain/portal-access/reminder';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { getWizard } from '../../lambdas/domain/portal-access/wizard';
import { HOUR, InvitationWorld, REMIND_SECONDS, T0, TTL_SECONDS, at, tokenOf } from './invitation-world';

let world: InvitationWorld;
let access: InvitationWorld['access'];
let mails: InvitationWorld['mails'];
let events: InvitationWorld['events'];
let failingMail: InvitationWorld['failingMail'];
let profiles: InvitationWorld['profiles'];
let deps: InvitationWorld['deps'];
let delivery: InvitationWorld['delivery'];
let worker: InvitationWorld['worker'];

beforeEach(() => {
  world = new InvitationWorld();
  ({ access, mails, events, failingMail, profiles, deps, delivery, worker } = world);
});

const mailsTo = (to: string) => world.mailsTo(to);
const accept = (token: string) => world.accept(token);
const drain = () => world.drain();
const grant = (id?: string, actor?: string) => world.grant(id, actor);
const job = () => world.job();
const run = () => world.run();
const reminded = () => world.reminded();
const line = async (id = 'p1') => (await getWizard(deps, id)).lines.find((l) => l.contactId === id)!;
describe('an invitation', () => {
  it('comes with its reminder REMINDER_AFTER after it was issued and its expiry at expiresAt; sent by who granted', async () => {
    await grant();
    const invitation = access.contact('p1').invitation!;
    expect(invitation).toMatchObject({ invitedBy: 'staff:mia', remindAt: at(REMIND_SECONDS * 1000).toISOString(), expiresAt: at(TTL_SECONDS * 1000).toISOString() });
    expect([...access.due.values()].map((d) => [d.task, d.at]).sort()).toEqual([
      [DUE_TASKS.invitationExpiry, invitation.expiresAt],
      [DUE_TASKS.invitationReminder, invitation.remindAt],
    ]);
    expect(await line()).toMatchObject({ status: 'invited', invitation: { status: 'pending', sentAt: world.clock.toISOString(), expiresAt: invitation.expiresAt } });
  });

  it('has no reminder when REMINDER_AFTER is not before its link expires', async () => {
    delivery.config = { ...delivery.config, reminderAfterSeconds: TTL_SECONDS };
    await grant();
    expect(access.contact('p1').invitation?.remindAt).toBeUndefined();
    expect([...access.due.values()].map((d) => d.task)).toEqual([DUE_TASKS.invitationExpiry]);
  });

  it('is mailed in the contact’s language, naming the business and the inviter from the staff pool (its username when the pool fails)', async () => {
    access.add({ id: 'p2', name: 'Bram', email: 'bram@example.com', lang: 'nl' });
    await grant('p2');
    expect(mails[0]!.subject).toBe('Uw uitnodiging voor het klantenportaal van Azure Interior');
    expect(mails[0]!.text).toContain('Mia Staff heeft u uitgenodigd');
    profiles.mia = new Error('pool down');
    access.add({ id: 'p3', name: 'Cas', email: 'cas@example.com' });
    await grant('p3');
    expect(mails[1]!.text).toContain('mia has invited you');
  });
});

describe('the reminder', () => {
  it('REMINDER_AFTER on: queued by the job, sent by the worker — a fresh link (the old one dead), the inviter told; then nothing more', async () => {
    await grant();
    const first = tokenOf(mails[0]);
    world.clock = at(REMIND_SECONDS * 1000 - 1);
    await run();
    expect(mails).toHaveLength(1);

    world.clock = at(REMIND_SECONDS * 1000 + 30_000);
    const { reports } = await run();
    expect(reports[0]).toMatchObject({ task: DUE_TASKS.invitationReminder, handled: 1, failed: 0 });
    expect(access.contact('p1').outbox).toMatchObject({ kind: 'reminder' });
    const [reminder] = mailsTo('ann@example.com').slice(1);
    expect(reminder?.subject).toBe('Reminder: your invitation to the Azure Interior customer portal');
    expect(reminder?.text).toContain('On 1 March 2026 at 10:00 UTC, Mia Staff invited you');
    expect(tokenOf(reminder)).not.toBe(first);
    const [notice] = mailsTo('mia@example.com');
    expect(notice?.subject).toBe('Herinnering verstuurd: Ann Smith heeft de portaaluitnodiging nog niet geaccepteerd');
    const invitation = access.contact('p1').invitation!;
    expect(invitation).toMatchObject({ remindedAt: world.clock.toISOString(), sentAt: new Date(T0).toISOString(), expiresAt: at(TTL_SECONDS * 1000).toISOString() });
    expect(reminded()).toEqual([expect.objectContaining({ actor: 'schedule', details: { email: 'ann@example.com', invitedBy: 'staff:mia' } })]);
    expect([...access.due.values()].map((d) => d.task)).toEqual([DUE_TASKS.invitationExpiry]);
    expect((await line()).invitation).toEqual({ status: 'pending', sentAt: new Date(T0).toISOString(), expiresAt: invitation.expiresAt, remindedAt: world.clock.toISOString() });

    await expect(accept(first)).rejects.toBeInstanceOf(Gone);
    world.clock = at(REMIND_SECONDS * 1000 + HOUR);
    await run();
    expect(mails).toHaveLength(3);
    await accept(tokenOf(reminder));
    expect((await line()).invitation?.status).toBe('accepted');
  });

  it('never after acceptance: the entry is dropped, nothing is queued', async () => {
    await grant();
    await accept(tokenOf(mails[0]));
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await run();
    expect(mails).toHaveLength(1);
    expect(access.pending).toEqual([]);
    expect([...access.due.values()].map((d) => d.task)).toEqual([DUE_TASKS.invitationExpiry]);
  });

  it('not when accepted between queueing and sending: the worker finds the contact no longer waiting', async () => {
    await grant();
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await job();
    await accept(tokenOf(mails[0]));
    await drain();
    expect(mails).toHaveLength(1);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('not when the access’s until passes between queueing and sending', async () => {
    const until = at(REMIND_SECONDS * 1000 + 2000).toISOString();
    const [granted] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true, until }] }, 'staff:mia');
    expect(granted).toMatchObject({ outcome: 'granted' });
    expect(await drain()).toEqual([]);
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await job();
    expect(access.contact('p1').outbox).toMatchObject({ kind: 'reminder' });
    world.clock = at(REMIND_SECONDS * 1000 + 2000);
    expect(await drain()).toEqual([]);
    expect(mails).toHaveLength(1);
    expect(reminded()).toEqual([]);
  });

  it('a reminder the worker could not hand over comes back with the stream: one reminder delivered, one notice', async () => {
    await grant();
    failingMail.add('ann@example.com');
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    expect((await run()).errors).toHaveLength(1);
    expect(mails).toHaveLength(1);
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com')).toHaveLength(1);
    expect(reminded()).toHaveLength(1);
  });

  it('a notice that could not be sent is tried again alone: the reminder is not sent twice', async () => {
    await grant();
    profiles.mia = new Error('staff pool down');
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    expect((await run()).errors).toHaveLength(1);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    profiles.mia = { name: 'Mia', email: 'mia@example.com', portalAdmin: true };
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com').map((m) => m.subject)).toEqual(['Reminder sent: Ann Smith has not accepted the portal invitation yet']);
  });

  it('tells nobody when the inviter has no (verified) email in the staff pool', async () => {
    profiles.mia = { name: 'Mia', portalAdmin: true };
    await grant();
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await run();
    expect(mails.map((m) => m.to)).toEqual(['ann@example.com', 'ann@example.com']);
  });

  it('tells nobody when the inviter is no portal admin any more (removed from the group, disabled, deleted): the reminder goes out all the same', async () => {
    await grant();
    profiles.mia = { name: 'Mia', email: 'mia@example.com', portalAdmin: false };
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await run();
    expect(await drain()).toEqual([]);
    expect(mails.map((m) => m.to)).toEqual(['ann@example.com', 'ann@example.com']);
  });

  it('three runs of the job at once queue one reminder; the worker sends one reminder and one notice', async () => {
    await grant();
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    const reports = await Promise.all([job(), job(), job()]);
    expect(reports.map((r) => r[0]!.handled).reduce((a, b) => a + b)).toBe(1);
    expect(access.pending).toHaveLength(1);
    await drain();
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com')).toHaveLength(1);
  });

  it('without the job’s claim, the queue’s own condition queues one; a reminder item delivered twice at once is held by one delivery and mails once', async () => {
    await grant();
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    const dueAt = access.contact('p1').invitation!.remindAt!;
    expect((await Promise.all([queueReminder(deps, 'p1', dueAt), queueReminder(deps, 'p1', dueAt)])).sort()).toEqual(['queued', 'unchanged']);
    const [id] = access.pending;
    // The second delivery meets the first one's lease: it fails transiently (the stream brings it back), and finds it done then.
    const outcomes = await Promise.allSettled([processOutboxItem(worker, id!, new AbortController().signal), processOutboxItem(worker, id!, new AbortController().signal)]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).name))).toEqual(['done', 'OutboxBusy']);
    expect(await processOutboxItem(worker, id!, new AbortController().signal)).toBe('already-done');
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(reminded()).toHaveLength(1);
  });

  it('a re-invite meanwhile supersedes the queued reminder (the fresh invitation has its own)', async () => {
    await grant();
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await job();
    await reinvite(deps, 'p1', { contactId: 'p1' }, 'staff:ops');
    await drain();
    expect(mailsTo('ann@example.com').map((m) => m.subject)).toEqual([
      'Your invitation to the Azure Interior customer portal',
      'Your invitation to the Azure Interior customer portal',
    ]);
    expect(access.contact('p1').invitation).toMatchObject({ invitedBy: 'staff:ops', remindAt: new Date(world.clock.getTime() + REMIND_SECONDS * 1000).toISOString() });
  });

  it('a re-invite still on its way when its predecessor\'s reminder comes due: no reminder; the re-invite is mailed, and the line says sent, then accepted', async () => {
    await grant();
    world.clock = at(REMIND_SECONDS * 1000 - 1000);
    await job();
    await reinvite(deps, 'p1', { contactId: 'p1', message: 'Here is a fresh link.' }, 'staff:ops');
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await job();
    expect(await drain()).toEqual([]);
    expect(reminded()).toEqual([]);
    const [, fresh] = mailsTo('ann@example.com');
    expect(fresh).toMatchObject({ subject: 'Your invitation to the Azure Interior customer portal', text: expect.stringContaining('Here is a fresh link.') });
    expect((await line()).delivery).toBe('sent');
    await accept(tokenOf(fresh));
    expect(await line()).toMatchObject({ status: 'active', delivery: 'sent', invitation: { status: 'accepted' } });
  });
});

describe('delivery on a revoked line', () => {
  it('revoked before the worker mailed the invitation: no mail, and the line no longer says queued; revoked after: it still says sent', async () => {
    await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true }] }, 'staff:mia');
    expect((await line()).delivery).toBe('queued');
    await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: false }] }, 'staff:mia');
    expect(await drain()).toEqual([]);
    expect(mails).toEqual([]);
    expect(await line()).toMatchObject({ status: 'revoked', inPortal: false });
    expect((await line()).delivery).toBeUndefined();

    access.add({ id: 'p2', name: 'Bo Smith', email: 'bo@example.com' });
    await grant('p2');
    await applyPortalAccess(deps, 'p2', { lines: [{ contactId: 'p2', inPortal: false }] }, 'staff:mia');
    expect(await drain()).toEqual([]);
    expect(await line('p2')).toMatchObject({ status: 'revoked', delivery: 'sent' });
  });
});

describe('the expiry', () => {
  it('the line reads expired from expiresAt; the job records it once, audited, with PortalInvitationExpired; the contact stays invited', async () => {
    await grant();
    await run(); // the job has been running all along (its watermarks start now)
    const expiresAt = access.contact('p1').invitation!.expiresAt;
    world.clock = new Date(Date.parse(expiresAt));
    expect((await line()).invitation?.status).toBe('expired');
    expect((await line()).status).toBe('invited');
    await expect(accept(tokenOf(mails.at(-1)))).rejects.toBeInstanceOf(Gone);

    await run();
    expect(events.filter((e) => e.type === 'PortalInvitationExpired')).toEqual([{ type: 'PortalInvitationExpired', detail: { contactId: 'p1', email: 'ann@example.com', at: expiresAt } }]);
    expect(access.audit.filter((a) => a.action === 'invitation.expired')).toEqual([expect.objectContaining({ actor: 'schedule', details: expect.objectContaining({ expiresAt }) })]);
    expect(access.contact('p1').invitation?.expiredAt).toBe(world.clock.toISOString());
    // Both entries are gone: the reminder's (a run at expiry finds nothing to remind of) and the expiry's.
    expect(access.due.size).toBe(0);
    expect(mails).toHaveLength(1);
    world.clock = new Date(world.clock.getTime() + HOUR);
    await run();
    expect(events.filter((e) => e.type === 'PortalInvitationExpired')).toHaveLength(1);
  });

  it('an event that could not be sent is sent by a later run, once', async () => {
    await grant();
    const expiresAt = access.contact('p1').invitation!.expiresAt;
    const emit = delivery.events.emit;
    delivery.events.emit = async () => {
      throw new Error('bus down');
    };
    world.clock = new Date(Date.parse(expiresAt) + 1000);
    expect((await run()).reports.find((r) => r.task === DUE_TASKS.invitationExpiry)).toMatchObject({ failed: 1 });
    expect(access.contact('p1').invitation?.expiredAt).toBeDefined();
    delivery.events.emit = emit;
    world.clock = new Date(world.clock.getTime() + DUE_CLAIM_STALE_MS / 2);
    await run(); // still claimed by the failed run: left alone
    expect(events.filter((e) => e.type === 'PortalInvitationExpired')).toHaveLength(0);
    world.clock = new Date(world.clock.getTime() + DUE_CLAIM_STALE_MS);
    await run();
    world.clock = new Date(world.clock.getTime() + HOUR);
    await run();
    expect(events.filter((e) => e.type === 'PortalInvitationExpired').map((e) => e.detail.at)).toEqual([expiresAt]);
    expect(access.audit.filter((a) => a.action === 'invitation.expired')).toHaveLength(1);
  });

  it('a re-invite revives it: pending with a new expiry and a new reminder', async () => {
    await grant();
    world.clock = at(TTL_SECONDS * 1000 + 1000);
    await run();
    await reinvite(deps, 'p1', { contactId: 'p1' }, 'staff:ops');
    await drain();
    const revived = access.contact('p1').invitation!;
    expect(revived).toMatchObject({ invitedBy: 'staff:ops', expiresAt: new Date(world.clock.getTime() + TTL_SECONDS * 1000).toISOString() });
    expect(revived.expiredAt).toBeUndefined();
    expect((await line()).invitation).toMatchObject({ status: 'pending' });
    expect([...access.due.values()].map((d) => d.at).sort()).toEqual([revived.remindAt, revived.expiresAt].sort());
    await accept(tokenOf(mails.at(-1)));
    expect(access.contact('p1').portal.status).toBe('active');
  });
});

describe('a link handed to staff', () => {
  it('answers the link, mails nothing, kills the old link, audits; the link works, and a repeated grant line leaves it alone', async () => {
    await grant();
    const shared = await reinvite(deps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:ops');
    expect(shared).toEqual({ url: expect.stringMatching(/^https:\/\/portal\.example\/invitation\?token=[A-Za-z0-9_-]{43}$/), expiresAt: at(TTL_SECONDS * 1000).toISOString() });
    expect(await drain()).toEqual([]);
    expect(mails).toHaveLength(1);
    expect(access.audit.at(-1)).toMatchObject({ action: 'portal.reinvited', actor: 'staff:ops', details: { email: 'ann@example.com', delivery: 'link' } });
    // Out (handed over), not mailed: no sentAt, no delivery to show; the record names no outbox item.
    expect(await line()).toMatchObject({ status: 'invited', invitation: { status: 'pending', expiresAt: shared!.expiresAt } });
    expect((await line()).invitation?.sentAt).toBeUndefined();
    expect((await line()).delivery).toBeUndefined();
    expect(access.contact('p1').outbox).toBeUndefined();
    const [repeat] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true }] }, 'staff:ops');
    expect(repeat?.outcome).toBe('unchanged');
    await expect(accept(tokenOf(mails[0]))).rejects.toBeInstanceOf(Gone);
    await accept(new URL(shared!.url).searchParams.get('token')!);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('supersedes a mailed re-invite still on its way (its mail would kill the link)', async () => {
    await grant();
    await reinvite(deps, 'p1', { contactId: 'p1' }, 'staff:ops');
    const shared = await reinvite(deps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:ops');
    await drain();
    expect(mails).toHaveLength(1);
    await accept(new URL(shared!.url).searchParams.get('token')!);
  });

  it('is refused while the login is still being made (nobody could accept it yet)', async () => {
    await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true }] }, 'staff:mia');
    await expect(reinvite(deps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:ops')).rejects.toBeInstanceOf(Conflict);
    await drain();
    expect(mails).toHaveLength(1);
  });
});
