/**
 * The reminder at its edges, over the in-memory stores and a moving clock: when the scheduled job
 * finds it due (each condition in turn), a reminder SES refuses, a worker that dies after each of its
 * steps, a contact who accepts or whose link runs out while it is sent, a link handed to staff instead
 * of mailed, the invitee's language, and the inviter's notice (who, in which language, under which
 * name, naming which dates).
 */
import { Gone } from '../../lambdas/contract/errors';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { MailRefused } from '../../lambdas/domain/portal-access/ports';
import { ABANDONED_AFTER_MS } from '../../lambdas/contract/runtime';
import { hashToken } from '../../lambdas/domain/tokens';
import { AcceptanceUnderWay, queueReminder } from '../../lambdas/domain/portal-access/reminder';
import { reinvite } from '../../lambdas/domain/portal-access/reinvite';
import { HOUR, InvitationWorld, REMIND_SECONDS, TTL_SECONDS, at, tokenOf } from './invitation-world';

let world: InvitationWorld;
let access: InvitationWorld['access'];
let mails: InvitationWorld['mails'];
let profiles: InvitationWorld['profiles'];
let deps: InvitationWorld['deps'];
let delivery: InvitationWorld['delivery'];
let worker: InvitationWorld['worker'];

beforeEach(() => {
  world = new InvitationWorld();
  ({ access, mails, profiles, deps, delivery, worker } = world);
});

const mailsTo = (to: string) => world.mailsTo(to);
const accept = (token: string) => world.accept(token);
const drain = () => world.drain();
const grant = (id?: string, actor?: string) => world.grant(id, actor);
const job = () => world.job();
const run = () => world.run();
const reminded = () => world.reminded();
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
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
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
    ['whose invitation hard-bounced', (c) => void (c.portal.delivery = 'bounced')],
    ['who complained about the invitation (marked it as spam)', (c) => void (c.portal.delivery = 'complained')],
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
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
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
    expect(contact.deliveryError).toEqual({ code: 'recipient_rejected', detail: 'The mail service refused the address ann@example.com: Address blacklisted.', at: world.clock.toISOString() });
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

  it.each(['bounced', 'complained'] as const)('a %s notice that comes in after the reminder was queued: no reminder, no notice, the old link still works', async (delivery) => {
    await grant();
    await due();
    access.contacts.get('p1')!.portal.delivery = delivery;
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(1);
    expect(mailsTo('mia@example.com')).toEqual([]);
    expect([...access.outboxItems.values()].find((i) => i.kind === 'reminder')?.outcome).toBe('superseded');
    await accept(tokenOf(mails[0]));
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('the invitee is accepting the link when the reminder goes: the reminder waits; the acceptance answers 204, and no reminder and no notice go', async () => {
    await grant();
    await due();
    let during: unknown[] = [];
    await world.accept(tokenOf(mails[0]), async () => {
      during = await drain();
    });
    expect(during).toEqual([expect.any(AcceptanceUnderWay)]);
    expect(access.contact('p1').portal.status).toBe('active');
    expect(await drain()).toEqual([]);
    expect([...access.outboxItems.values()].find((i) => i.kind === 'reminder')?.outcome).toBe('superseded');
    expect(mailsTo('ann@example.com')).toHaveLength(1);
    expect(mailsTo('mia@example.com')).toEqual([]);
    expect(reminded()).toEqual([]);
  });

  it('an acceptance under way that fails (the pool refuses the password): the reminder waits, then goes once the claim is released; its fresh link works', async () => {
    await grant();
    await due();
    const first = tokenOf(mails[0]);
    let during: unknown[] = [];
    await expect(
      world.accept(first, async () => {
        during = await drain();
        throw new Error('password refused by the pool');
      }),
    ).rejects.toThrow('password refused by the pool');
    expect(during).toEqual([expect.any(AcceptanceUnderWay)]);
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(mailsTo('mia@example.com')).toHaveLength(1);
    await expect(accept(first)).rejects.toBeInstanceOf(Gone);
    await accept(tokenOf(mailsTo('ann@example.com').at(-1)));
    expect(access.contact('p1').portal.status).toBe('active');
  });

  it('a claim its acceptance abandoned (the request died) holds the reminder back only until ABANDONED_AFTER_MS', async () => {
    await grant();
    await due();
    const claimedAt = world.clock.toISOString();
    expect(await access.claimInvitation(hashToken(tokenOf(mails[0])), claimedAt, claimedAt)).toBe(true);
    expect(await drain()).toEqual([expect.any(AcceptanceUnderWay)]);
    expect(mailsTo('ann@example.com')).toHaveLength(1);
    world.clock = new Date(world.clock.getTime() + ABANDONED_AFTER_MS + 1);
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com')).toHaveLength(2);
    expect(reminded()).toHaveLength(1);
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
      if (name === 'reminder-marked') world.clock = at(TTL_SECONDS * 1000 + 1);
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
    world.clock = at(HOUR);
    await reinvite(deps, 'p1', { contactId: 'p1', delivery: 'link' }, 'staff:mia');
    expect(access.contact('p1').invitation).toMatchObject({ sharedAt: at(HOUR).toISOString() });
    expect(access.contact('p1').invitation?.sentAt).toBeUndefined();
    world.clock = at(HOUR + REMIND_SECONDS * 1000 + 1000);
    await job();
    expect(await drain()).toEqual([]);
    expect(mailsTo('ann@example.com').at(-1)?.text).toContain('On 1 March 2026 at 11:00 UTC, Mia Staff invited you');
    // The link was handed over, never mailed: neither mail speaks of an earlier email or of sending it.
    expect(mailsTo('ann@example.com').at(-1)?.text).toContain('The link you were given earlier no longer works.');
    expect(mailsTo('ann@example.com').at(-1)?.text).not.toContain('email no longer works');
    expect(mailsTo('mia@example.com').at(-1)?.text).toContain('die u op 1 maart 2026 om 11:00 UTC deelde');
  });
});

describe("the inviter's notice", () => {
  const remind = async () => {
    world.clock = at(REMIND_SECONDS * 1000 + 1000);
    await run();
  };

  it('greets the staff user by username when the pool has no name (or a blank one), in English without a locale; names the contact by its login email', async () => {
    profiles.mia = { name: '   ', email: 'mia@example.com', portalAdmin: true };
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
