/**
 * The reminder at its edges, over the in-memory stores and a moving clock: when the scheduled job
 * finds it due (each condition in turn), a reminder SES refuses, a worker that dies after each of its
 * steps, a contact who accepts or whose link runs out while it is sent, a link handed to staff instead
 * of mailed, the invitee's language, and the inviter's notice (who, in which language, under which
 * name, naming which dates).
 */
import { Gone } from '../../lambdas/contract/errors';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { AccessEventType } from '../../lambdas/contract/events';
import { invitationTasks } from '../../lambdas/domain/invitation-tasks';
import { processOutboxItem, type OutboxDeps } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import { acceptInvitation } from '../../lambdas/domain/portal-access/invitations';
import { MailRefused, type CustomerLogins, type DeliveryDeps, type InvitationMail, type ReinviteDeps, type StaffProfile } from '../../lambdas/domain/portal-access/ports';
import { deliverReminder, queueReminder } from '../../lambdas/domain/portal-access/reminder';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { runSchedule } from '../../lambdas/domain/schedule';
import { MemoryAccess, MemoryDueClaims } from './portal-access.fakes';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const HOUR = 3_600_000;
const TTL_SECONDS = 7 * 24 * 3600;
const REMIND_SECONDS = 72 * 3600;
const PASSWORD = 'Correct-Horse-7-battery';

let access: MemoryAccess;
let due: MemoryDueClaims;
let clock: Date;
let ids: number;
let mails: InvitationMail[];
let events: { type: AccessEventType; detail: { contactId: string; email: string; at: string } }[];
/** Mails to these addresses fail (once each), as an unreachable SES would. */
let failingMail: Set<string>;
let profiles: Record<string, StaffProfile | Error>;
let deps: ReinviteDeps;
let delivery: DeliveryDeps;
let worker: OutboxDeps;
let marks: Map<string, string>;

const logins: Omit<CustomerLogins, 'setPassword'> = {
  create: async (email) => ({ username: `u-${email}`, sub: `sub-${email}` }),
  find: async () => undefined,
  enable: async () => undefined,
  isEnabled: async () => true,
  disable: async () => undefined,
  signOut: async () => undefined,
  changeEmail: async () => undefined,
};

beforeEach(() => {
  access = new MemoryAccess();
  due = new MemoryDueClaims(access);
  clock = new Date(T0);
  ids = 0;
  mails = [];
  events = [];
  failingMail = new Set();
  marks = new Map();
  profiles = { mia: { name: 'Mia Staff', email: 'mia@example.com', locale: 'nl' } };
  const now = () => clock;
  const invitationConfig = { portalUrl: 'https://portal.example', invitationTtlSeconds: TTL_SECONDS, reminderAfterSeconds: REMIND_SECONDS };
  deps = { contacts: access.contactStore, store: access, now, config: { applyConcurrency: 4, ...invitationConfig }, newId: () => `o-${++ids}`, warn: () => undefined };
  delivery = {
    contacts: access.contactStore,
    store: access,
    outbox: access,
    logins,
    mailer: {
      send: async (mail) => {
        await Promise.resolve(); // a real send yields: concurrent workers interleave here
        if (failingMail.delete(mail.to)) throw new Error('SES unreachable');
        mails.push(mail);
      },
    },
    pacer: { acquire: async () => ({ usable: () => true }) },
    staff: {
      profile: async (username) => {
        const found = profiles[username];
        if (found instanceof Error) throw found;
        return found;
      },
    },
    events: { emit: async (type, detail) => void events.push({ type, detail }) },
    now,
    config: { ...invitationConfig, businessName: 'Azure Interior' },
    warn: () => undefined,
    sleep: async () => undefined,
  };
  worker = {
    outbox: access,
    now,
    handlers: {
      invitation: (item, run) => deliverInvitation(delivery, item, run),
      revocation: (item, run) => settleRevocation(delivery, item, run),
      reminder: (item, run) => deliverReminder(delivery, item, run),
    },
  };
  access.add({ id: 'p1', name: 'Ann Smith', email: 'ann@example.com' });
});

const at = (ms: number) => new Date(T0 + ms);
const tokenOf = (mail: InvitationMail | undefined) => /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1] ?? '';
const mailsTo = (to: string) => mails.filter((m) => m.to === to);
const accept = (token: string) => acceptInvitation({ contacts: access.contactStore, store: access, logins: { setPassword: async () => undefined, signOut: async () => undefined }, now: () => clock }, token, PASSWORD);

/** The outbox items written so far, to the worker, as the stream would; one that throws stays (the stream retries it). */
async function drain(): Promise<unknown[]> {
  const errors: unknown[] = [];
  while (access.pending.length > 0) {
    const id = access.pending[0]!;
    try {
      await processOutboxItem(worker, id, new AbortController().signal);
      access.pending.shift();
    } catch (error) {
      errors.push(error);
      break;
    }
  }
  return errors;
}

const grant = async (id = 'p1', actor = 'staff:mia') => {
  const [line] = await applyPortalAccess(deps, id, { lines: [{ contactId: id, inPortal: true }] }, actor);
  expect(line).toMatchObject({ outcome: 'granted' });
  expect(await drain()).toEqual([]);
};
const tasks = () =>
  invitationTasks({
    due,
    claims: due,
    reminders: { remind: (id, dueAt) => queueReminder(deps, id, dueAt) },
    expiry: { contacts: access.contactStore, store: access, events: delivery.events, now: () => clock },
    now: () => clock,
  });
const watermarks = { watermark: async (task: string) => marks.get(task), advanceWatermark: async (task: string, hour: string) => void marks.set(task, hour) };
/** One run of the job (without the drain that follows it). */
const job = () => runSchedule({ watermarks, now: () => clock, warn: () => undefined }, tasks(), Number.MAX_SAFE_INTEGER);
const run = async () => {
  const reports = await job();
  return { reports, errors: await drain() };
};
const reminded = () => access.audit.filter((a) => a.action === 'invitation.reminded');

const REMIND_AT = at(REMIND_SECONDS * 1000).toISOString();
const EXPIRES_AT = at(TTL_SECONDS * 1000).toISOString();

describe('when the job finds a reminder due', () => {
  /** An invited contact whose invitation went out at T0, with its reminder due at REMIND_AT. */
  const waiting = (over: (c: ContactRecord) => void = () => undefined) => {
    const contact = access.add({
      id: 'p2',
      name: 'Bo',
      email: 'bo@example.com',
      portal: { status: 'invited', invitedAt: at(0).toISOString(), delivery: 'sent' },
      login: { email: 'bo@example.com', username: 'u-bo', sub: 'sub-bo' },
      invitation: { tokenHash: 'h-bo', expiresAt: EXPIRES_AT, issuedAt: at(0).toISOString(), sentAt: at(0).toISOString(), remindAt: REMIND_AT, invitedBy: 'staff:mia' },
      outbox: { id: 'o-old', kind: 'invitation', at: at(0).toISOString() },
    });
    over(contact);
    access.contacts.set('p2', structuredClone(contact));
    clock = at(REMIND_SECONDS * 1000 + 1000);
  };

  it('queues one reminder item for an invitation that went out and waits', async () => {
    waiting();
    expect(await queueReminder(deps, 'p2', REMIND_AT)).toBe('queued');
    expect(access.pending).toHaveLength(1);
    expect(access.outboxItems.get(access.pending[0]!)).toMatchObject({ kind: 'reminder', contactId: 'p2', actor: 'schedule', remindAt: REMIND_AT });
    expect(access.contact('p2').outbox).toMatchObject({ kind: 'reminder' });
  });

  it.each<[string, (c: ContactRecord) => void]>([
    ['a link handed to staff instead of mailed', (c) => {
      delete c.invitation!.sentAt;
      c.invitation!.sharedAt = at(0).toISOString();
    }],
    ['a contact that names no outbox item (its link was handed over)', (c) => void delete c.outbox],
  ])('queues it too for %s', async (_, change) => {
    waiting(change);
    expect(await queueReminder(deps, 'p2', REMIND_AT)).toBe('queued');
  });

  it.each<[string, (c: ContactRecord) => void]>([
    ['archived', (c) => void (c.archived = true)],
    ['accepted (active)', (c) => void (c.portal = { status: 'active', activatedAt: at(1000).toISOString() })],
    ['revoked', (c) => void (c.portal = { status: 'revoked', revokedAt: at(1000).toISOString() })],
    ["past its access's until", (c) => void (c.portal.until = at(2000).toISOString())],
    ['whose link has expired', (c) => void (c.invitation!.expiresAt = at(REMIND_SECONDS * 1000 + 500).toISOString())],
    ['whose invitation never went out (neither mailed nor handed over)', (c) => void delete c.invitation!.sentAt],
    ['already reminded', (c) => void (c.invitation!.remindedAt = at(REMIND_SECONDS * 1000).toISOString())],
    ['whose reminder is queued already', (c) => void (c.outbox = { id: 'o-r', kind: 'reminder', at: at(REMIND_SECONDS * 1000).toISOString() })],
    ['whose invitation is a newer one, due at another time', (c) => void (c.invitation!.remindAt = at(REMIND_SECONDS * 1000 + 500).toISOString())],
  ])('queues nothing for a contact %s', async (_, change) => {
    waiting(change);
    expect(await queueReminder(deps, 'p2', REMIND_AT)).toBe('unchanged');
    expect(access.pending).toEqual([]);
  });

  it('queues nothing for a contact that is gone', async () => {
    expect(await queueReminder(deps, 'nobody', REMIND_AT)).toBe('unchanged');
    expect(access.pending).toEqual([]);
  });
});

describe('sending the reminder', () => {
  const due = async () => {
    clock = at(REMIND_SECONDS * 1000 + 1000);
    await job();
  };

  it('refused by the mail service: the line says failed and why, audited as the reminder, the inviter not told, the old link dead', async () => {
    await grant();
    const first = tokenOf(mails[0]);
    const send = delivery.mailer.send;
    delivery.mailer = {
      send: async (mail, signal) => {
        if (mail.to === 'ann@example.com') throw new MailRefused('Address blacklisted.');
        return send(mail, signal);
      },
    };
    await due();
    expect(await drain()).toEqual([]);
    expect([...access.outboxItems.values()].find((i) => i.kind === 'reminder')?.outcome).toBe('failed');
    const contact = access.contact('p1');
    expect(contact.portal).toMatchObject({ status: 'invited', delivery: 'failed' });
    expect(contact.deliveryError).toEqual({ code: 'recipient_rejected', detail: 'The mail service refused the address ann@example.com: Address blacklisted.', at: clock.toISOString() });
    expect(access.audit.at(-1)).toEqual(expect.objectContaining({ action: 'invitation.failed', actor: 'schedule', contactId: 'p1', details: { email: 'ann@example.com', code: 'recipient_rejected', reminder: true } }));
    expect(mailsTo('mia@example.com')).toEqual([]);
    await expect(accept(first)).rejects.toBeInstanceOf(Gone);
  });

  it.each([
    ['reminder-link', 1],
    // SES took the reminder: the repeat finds the sending marker and records it, no second mail (delivery.ts).
    ['reminder-mail', 1],
    ['reminder-marked', 1],
  ])('a worker that dies after %s: the repeat goes on from there (%i reminder mail), one notice, one audit entry', async (step, reminders) => {
    await grant();
    await due();
    let died = false;
    worker.afterStep = async (name) => {
      if (name !== step || died) return;
      died = true;
      throw new Error(`died after ${step}`);
    };
    expect(await drain()).toEqual([expect.objectContaining({ message: `died after ${step}` })]);
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(1 + reminders);
    expect(mailsTo('mia@example.com')).toHaveLength(1);
    expect(reminded()).toHaveLength(1);
    const token = tokenOf(mailsTo('ann@example.com').at(-1));
    await accept(token);
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('the contact accepts the fresh link before the notice: the inviter is not told "not accepted"', async () => {
    await grant();
    await due();
    worker.afterStep = async (name) => {
      if (name === 'reminder-marked') await accept(tokenOf(mailsTo('ann@example.com').at(-1)));
    };
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com')).toEqual([]);
  });

  it('the fresh link runs out before the notice: nothing to tell', async () => {
    await grant();
    await due();
    worker.afterStep = async (name) => {
      if (name === 'reminder-marked') clock = at(TTL_SECONDS * 1000 + 1);
    };
    expect(await drain()).toEqual([]);
    expect(mailsTo('mia@example.com')).toEqual([]);
  });

  it('the store no longer names the item when the reminder is recorded (re-invited meanwhile): superseded, no notice', async () => {
    await grant();
    await due();
    access.markReminded = async () => false;
    expect(await drain()).toEqual([]);
    expect([...access.outboxItems.values()].find((i) => i.kind === 'reminder')?.outcome).toBe('superseded');
    expect(mailsTo('mia@example.com')).toEqual([]);
  });

  it('a contact archived after its reminder was queued (its revocation not through): no reminder, no notice, the item superseded', async () => {
    await grant();
    await due();
    access.contacts.get('p1')!.archived = true;
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(1);
    expect(mailsTo('mia@example.com')).toEqual([]);
    expect([...access.outboxItems.values()].find((i) => i.kind === 'reminder')?.outcome).toBe('superseded');
  });

  it("in the contact's language", async () => {
    await grant();
    access.contacts.get('p1')!.lang = 'nl';
    await due();
    await drain();
    expect(mailsTo('ann@example.com').at(-1)?.subject).toBe('Herinnering: uw uitnodiging voor het klantenportaal van Azure Interior');
  });

  it('a link handed to staff: reminded all the same, the reminder and the notice naming the day it was handed over', async () => {
    await grant();
    clock = at(HOUR);
    await reinvite(deps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:mia');
    expect(access.contact('p1').invitation).toMatchObject({ sharedAt: at(HOUR).toISOString() });
    expect(access.contact('p1').invitation?.sentAt).toBeUndefined();
    clock = at(HOUR + REMIND_SECONDS * 1000 + 1000);
    await job();
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com').at(-1)?.text).toContain('On 1 March 2026 at 11:00 UTC, Mia Staff invited you');
    expect(mailsTo('mia@example.com').at(-1)?.text).toContain('die u op 1 maart 2026 om 11:00 UTC verstuurde');
  });
});

describe("the inviter's notice", () => {
  const remind = async () => {
    clock = at(REMIND_SECONDS * 1000 + 1000);
    await run();
  };

  it('greets the staff user by username when the pool has no name (or a blank one), in English without a locale; names the contact by its login email', async () => {
    profiles.mia = { name: '   ', email: 'mia@example.com' };
    await grant();
    await remind();
    const [notice] = mailsTo('mia@example.com');
    expect(notice?.subject).toBe('Reminder sent: Ann Smith has not accepted the portal invitation yet');
    expect(notice?.text).toMatch(/^Hello mia,\n/);
    expect(notice?.text).toContain('Ann Smith (ann@example.com) has not yet accepted');
  });

  it('goes to nobody, and nobody is looked up, when the invitation was not sent by a staff user', async () => {
    const asked: string[] = [];
    const profile = delivery.staff.profile;
    delivery.staff = { profile: async (username) => (asked.push(username), profile(username)) };
    await grant('p1', 'event:crm');
    await remind();
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mails.map((m) => m.to)).toEqual(['ann@example.com', 'ann@example.com']);
    expect(asked).toEqual([]);
  });
});
