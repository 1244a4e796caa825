/**
 * The invitation lifecycle over in-memory stores and a moving clock: the due entries a grant
 * writes, the one reminder (a fresh link, the inviter's notice) and its repeats after failures,
 * never after acceptance, two runs at once, the expiry with its event, a re-invite that revives
 * it, and a link handed to staff.
 */
import { Gone } from '../../lambdas/contract/errors';
import { DUE_CLAIM_STALE_MS, DUE_TASKS } from '../../lambdas/contract/schedule';
import type { AccessEventType } from '../../lambdas/contract/events';
import { invitationTasks } from '../../lambdas/domain/invitation-tasks';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { acceptInvitation } from '../../lambdas/domain/portal-access/invitations';
import type { CustomerLogins, InvitationMail, PortalAccessDeps, StaffProfile } from '../../lambdas/domain/portal-access/ports';
import { deliverReminder } from '../../lambdas/domain/portal-access/reminder';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { getWizard } from '../../lambdas/domain/portal-access/wizard';
import { runSchedule } from '../../lambdas/domain/schedule';
import { MemoryAccess } from './portal-access.fakes';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const HOUR = 3_600_000;
const TTL_SECONDS = 7 * 24 * 3600;
const REMIND_SECONDS = 72 * 3600;
const PASSWORD = 'Correct-Horse-7-battery';

let access: MemoryAccess;
let clock: Date;
let mails: InvitationMail[];
let events: { type: AccessEventType; detail: { contactId: string; email: string; at: string } }[];
/** Mails to these addresses fail (once each), as a refusing SES would. */
let failingMail: Set<string>;
let profiles: Record<string, StaffProfile | Error>;
let deps: PortalAccessDeps;

const logins: CustomerLogins = {
  create: async (email) => ({ username: `u-${email}`, sub: `sub-${email}` }),
  find: async () => undefined,
  enable: async () => undefined,
  isEnabled: async () => true,
  disable: async () => undefined,
  signOut: async () => undefined,
  setPassword: async () => undefined,
  changeEmail: async () => undefined,
};

beforeEach(() => {
  access = new MemoryAccess();
  clock = new Date(T0);
  mails = [];
  events = [];
  failingMail = new Set();
  profiles = { mia: { name: 'Mia Staff', email: 'mia@example.com', locale: 'nl' } };
  deps = {
    contacts: access.contactStore,
    store: access,
    logins,
    mailer: {
      send: async (mail) => {
        await Promise.resolve(); // a real send yields: concurrent runs interleave here
        if (failingMail.delete(mail.to)) throw new Error('SES said no');
        mails.push(mail);
      },
    },
    staff: {
      profile: async (username) => {
        const found = profiles[username];
        if (found instanceof Error) throw found;
        return found;
      },
    },
    events: { emit: async (type, detail) => void events.push({ type, detail }) },
    now: () => clock,
    config: { portalUrl: 'https://portal.example', invitationTtlSeconds: TTL_SECONDS, reminderAfterSeconds: REMIND_SECONDS, businessName: 'Azure Interior', applyConcurrency: 4 },
    warn: () => undefined,
  };
  access.add({ id: 'p1', name: 'Ann Smith', email: 'ann@example.com' });
});

const at = (ms: number) => new Date(T0 + ms);
const tokenOf = (mail: InvitationMail | undefined) => /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1] ?? '';
const mailsTo = (to: string) => mails.filter((m) => m.to === to);
const accept = (token: string) => acceptInvitation({ contacts: access.contactStore, store: access, logins, now: () => clock }, token, PASSWORD);
const grant = async (id = 'p1', actor = 'staff:mia') => {
  const [line] = await applyPortalAccess(deps, id, { lines: [{ contactId: id, inPortal: true }] }, actor);
  expect(line).toMatchObject({ outcome: 'granted' });
};
const tasks = () => invitationTasks({ due: access, claims: access, reminders: { remind: (id, dueAt) => deliverReminder(deps, id, dueAt) }, expiry: deps, now: () => clock });
const watermarks = () => {
  const marks = new Map<string, string>();
  return { watermark: async (task: string) => marks.get(task), advanceWatermark: async (task: string, hour: string) => void marks.set(task, hour) };
};
let marks = watermarks();
beforeEach(() => (marks = watermarks()));
const run = () => runSchedule({ watermarks: marks, now: () => clock, warn: () => undefined }, tasks(), Number.MAX_SAFE_INTEGER);
const line = async (id = 'p1') => (await getWizard(deps, id)).lines.find((l) => l.contactId === id)!;

describe('a grant', () => {
  it('schedules its reminder REMINDER_AFTER after issuing it and its expiry at expiresAt; sent by who granted', async () => {
    await grant();
    const invitation = access.contact('p1').invitation!;
    expect(invitation).toMatchObject({ invitedBy: 'staff:mia', remindAt: at(REMIND_SECONDS * 1000).toISOString(), expiresAt: at(TTL_SECONDS * 1000).toISOString() });
    expect([...access.due.values()].map((d) => [d.task, d.at]).sort()).toEqual([
      [DUE_TASKS.invitationExpiry, invitation.expiresAt],
      [DUE_TASKS.invitationReminder, invitation.remindAt],
    ]);
    expect(await line()).toMatchObject({ status: 'invited', invitation: { status: 'pending', sentAt: clock.toISOString(), expiresAt: invitation.expiresAt } });
  });

  it('schedules no reminder when REMINDER_AFTER is not before the link expires', async () => {
    deps.config = { ...deps.config, reminderAfterSeconds: TTL_SECONDS };
    await grant();
    expect(access.contact('p1').invitation?.remindAt).toBeUndefined();
    expect([...access.due.values()].map((d) => d.task)).toEqual([DUE_TASKS.invitationExpiry]);
  });

  it('mails the invitation in the contact’s language, naming the business and the inviter from the staff pool', async () => {
    access.add({ id: 'p2', name: 'Bram', email: 'bram@example.com', lang: 'nl' });
    await grant('p2');
    expect(mails[0]!.subject).toBe('Uw uitnodiging voor het klantenportaal van Azure Interior');
    expect(mails[0]!.text).toContain('Mia Staff heeft u uitgenodigd');
    profiles.mia = new Error('pool down');
    access.add({ id: 'p3', name: 'Cas', email: 'cas@example.com' });
    await grant('p3');
    // The pool did not answer: the mail goes out all the same, naming the username.
    expect(mails[1]!.text).toContain('mia has invited you');
  });
});

describe('the reminder', () => {
  it('once REMINDER_AFTER has passed: a fresh link (the old one dead), the inviter told; a later run does nothing', async () => {
    await grant();
    const first = tokenOf(mails[0]);
    clock = at(REMIND_SECONDS * 1000 - 1);
    await run();
    expect(mails).toHaveLength(1);

    clock = at(REMIND_SECONDS * 1000 + 30_000);
    const [reminderReport] = await run();
    expect(reminderReport).toMatchObject({ task: DUE_TASKS.invitationReminder, handled: 1, failed: 0 });
    const [reminder] = mailsTo('ann@example.com').slice(1);
    expect(reminder?.subject).toBe('Reminder: your invitation to the Azure Interior customer portal');
    expect(reminder?.text).toContain('On 1 March 2026 at 10:00 UTC, Mia Staff invited you');
    expect(tokenOf(reminder)).not.toBe(first);
    const [notice] = mailsTo('mia@example.com');
    expect(notice?.subject).toBe('Herinnering verstuurd: Ann Smith heeft de portaaluitnodiging nog niet geaccepteerd');
    const invitation = access.contact('p1').invitation!;
    expect(invitation).toMatchObject({ remindedAt: clock.toISOString(), noticedAt: clock.toISOString(), sentAt: new Date(T0).toISOString(), expiresAt: at(TTL_SECONDS * 1000).toISOString() });
    expect(access.audit.filter((a) => a.action === 'invitation.reminded')).toEqual([expect.objectContaining({ actor: 'schedule', details: { email: 'ann@example.com', invitedBy: 'staff:mia' } })]);
    expect([...access.due.values()].map((d) => d.task)).toEqual([DUE_TASKS.invitationExpiry]);
    expect((await line()).invitation).toEqual({ status: 'pending', sentAt: new Date(T0).toISOString(), expiresAt: invitation.expiresAt, remindedAt: clock.toISOString() });

    await expect(accept(first)).rejects.toBeInstanceOf(Gone);
    clock = at(REMIND_SECONDS * 1000 + HOUR);
    await run();
    expect(mails).toHaveLength(3);
    await accept(tokenOf(reminder));
    expect((await line()).invitation?.status).toBe('accepted');
  });

  it('never after acceptance: the entry is dropped, nothing is sent', async () => {
    await grant();
    await accept(tokenOf(mails[0]));
    clock = at(REMIND_SECONDS * 1000 + 1000);
    await run();
    expect(mails).toHaveLength(1);
    expect([...access.due.values()].map((d) => d.task)).toEqual([DUE_TASKS.invitationExpiry]);
  });

  it('a reminder that could not be mailed is tried again once the run’s claim is stale: one reminder delivered', async () => {
    await grant();
    failingMail.add('ann@example.com');
    clock = at(REMIND_SECONDS * 1000 + 1000);
    expect((await run())[0]).toMatchObject({ handled: 0, failed: 1 });
    expect(mails).toHaveLength(1);
    clock = new Date(clock.getTime() + DUE_CLAIM_STALE_MS / 2);
    await run(); // still claimed by the failed run: left alone
    expect(mails).toHaveLength(1);
    clock = new Date(clock.getTime() + DUE_CLAIM_STALE_MS);
    await run();
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com')).toHaveLength(1);
    expect(access.audit.filter((a) => a.action === 'invitation.reminded')).toHaveLength(1);
  });

  it('a notice that could not be sent is tried again alone: the reminder is not sent twice', async () => {
    await grant();
    profiles.mia = new Error('staff pool down');
    clock = at(REMIND_SECONDS * 1000 + 1000);
    expect((await run())[0]).toMatchObject({ failed: 1 });
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    profiles.mia = { name: 'Mia', email: 'mia@example.com' };
    clock = new Date(clock.getTime() + DUE_CLAIM_STALE_MS + 1000);
    await run();
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com')).toHaveLength(1);
    expect(mailsTo('mia@example.com')[0]!.subject).toBe('Reminder sent: Ann Smith has not accepted the portal invitation yet');
  });

  it('tells nobody when the inviter has no email in the staff pool (or is no staff user)', async () => {
    profiles.mia = { name: 'Mia' };
    await grant();
    clock = at(REMIND_SECONDS * 1000 + 1000);
    await run();
    expect(mails.map((m) => m.to)).toEqual(['ann@example.com', 'ann@example.com']);
    expect(access.contact('p1').invitation?.noticedAt).toBe(clock.toISOString());
  });

  it('two runs at once: one reminder and one notice', async () => {
    await grant();
    clock = at(REMIND_SECONDS * 1000 + 1000);
    const reports = await Promise.all([run(), run(), run()]);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com')).toHaveLength(1);
    expect(reports.map((r) => r[0]!.handled).reduce((a, b) => a + b)).toBe(1);
  });

  it('without the run’s claim, the fresh link’s condition still lets only one run mail the invitee', async () => {
    await grant();
    clock = at(REMIND_SECONDS * 1000 + 1000);
    const dueAt = access.contact('p1').invitation!.remindAt!;
    const outcomes = await Promise.all([deliverReminder(deps, 'p1', dueAt), deliverReminder(deps, 'p1', dueAt)]);
    expect(outcomes.sort()).toEqual(['reminded', 'unchanged']);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
  });
});

describe('the expiry', () => {
  it('the line reads expired from expiresAt; the job records it once, audited, with PortalInvitationExpired; the contact stays invited', async () => {
    await grant();
    await run(); // the job has been running all along (its watermarks start now)
    const expiresAt = access.contact('p1').invitation!.expiresAt;
    clock = new Date(Date.parse(expiresAt));
    expect((await line()).invitation?.status).toBe('expired');
    expect((await line()).status).toBe('invited');
    await expect(accept(tokenOf(mails.at(-1)))).rejects.toBeInstanceOf(Gone);

    await run();
    expect(events.filter((e) => e.type === 'PortalInvitationExpired')).toEqual([{ type: 'PortalInvitationExpired', detail: { contactId: 'p1', email: 'ann@example.com', at: expiresAt } }]);
    expect(access.audit.filter((a) => a.action === 'invitation.expired')).toEqual([expect.objectContaining({ actor: 'schedule', details: expect.objectContaining({ expiresAt }) })]);
    expect(access.contact('p1').invitation?.expiredAt).toBe(clock.toISOString());
    // Both entries are gone: the reminder's (a run at expiry finds nothing to remind of) and the expiry's.
    expect(access.due.size).toBe(0);
    expect(mails).toHaveLength(1);
    clock = new Date(clock.getTime() + HOUR);
    await run();
    expect(events.filter((e) => e.type === 'PortalInvitationExpired')).toHaveLength(1);
  });

  it('an event that could not be sent is sent by a later run, once', async () => {
    await grant();
    const expiresAt = access.contact('p1').invitation!.expiresAt;
    const emit = deps.events.emit;
    deps.events.emit = async () => {
      throw new Error('bus down');
    };
    clock = new Date(Date.parse(expiresAt) + 1000);
    await run();
    expect(access.contact('p1').invitation?.expiredAt).toBeDefined();
    deps.events.emit = emit;
    clock = new Date(clock.getTime() + DUE_CLAIM_STALE_MS + 1000);
    await run();
    clock = new Date(clock.getTime() + HOUR);
    await run();
    expect(events.filter((e) => e.type === 'PortalInvitationExpired').map((e) => e.detail.at)).toEqual([expiresAt]);
    expect(access.audit.filter((a) => a.action === 'invitation.expired')).toHaveLength(1);
  });

  it('a re-invite revives it: pending with a new expiry and a new reminder', async () => {
    await grant();
    clock = at(TTL_SECONDS * 1000 + 1000);
    await run();
    await reinvite(deps, 'p1', { contactId: 'p1' }, 'staff:ops');
    const revived = access.contact('p1').invitation!;
    expect(revived).toMatchObject({ invitedBy: 'staff:ops', expiresAt: new Date(clock.getTime() + TTL_SECONDS * 1000).toISOString() });
    expect(revived.expiredAt).toBeUndefined();
    expect((await line()).invitation).toMatchObject({ status: 'pending' });
    expect([...access.due.values()].map((d) => d.at).sort()).toEqual([revived.remindAt, revived.expiresAt].sort());
    await accept(tokenOf(mails.at(-1)));
    expect(access.contact('p1').portal.status).toBe('active');
  });
});

describe('a link handed to staff', () => {
  it('answers the link, mails nothing, kills the old link, audits; the link works', async () => {
    await grant();
    const shared = await reinvite(deps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:ops');
    expect(shared).toEqual({ url: expect.stringMatching(/^https:\/\/portal\.example\/invitation\?token=[A-Za-z0-9_-]{43}$/), expiresAt: at(TTL_SECONDS * 1000).toISOString() });
    expect(mails).toHaveLength(1);
    expect(events.filter((e) => e.type === 'PortalInvitationSent')).toHaveLength(1);
    expect(access.audit.at(-1)).toMatchObject({ action: 'portal.reinvited', actor: 'staff:ops', details: { email: 'ann@example.com', delivery: 'link' } });
    // Out (handed over), not mailed: the line has no sentAt, and a repeated grant line leaves it alone.
    expect((await line()).invitation).toEqual({ status: 'pending', expiresAt: shared!.expiresAt });
    const [repeat] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true }] }, 'staff:ops');
    expect(repeat?.outcome).toBe('unchanged');
    await expect(accept(tokenOf(mails[0]))).rejects.toBeInstanceOf(Gone);
    await accept(new URL(shared!.url).searchParams.get('token')!);
    expect(access.contact('p1').portal.status).toBe('active');
  });
});
