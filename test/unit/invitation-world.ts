/**
 * The invitation lifecycle's test world: in-memory stores, a moving clock, a mailer that records
 * (or fails for chosen addresses), the outbox worker with its three handlers, and the scheduled job.
 * One per test (`new InvitationWorld()` in `beforeEach`); `clock` is the time every part reads.
 */
import type { AccessEventType } from '../../lambdas/contract/events';
import { invitationTasks } from '../../lambdas/domain/invitation-tasks';
import { processOutboxItem, type OutboxDeps } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import { acceptInvitation } from '../../lambdas/domain/portal-access/invitations';
import type { CustomerLogins, DeliveryDeps, InvitationMail, ReinviteDeps, StaffProfile } from '../../lambdas/domain/portal-access/ports';
import { deliverReminder, queueReminder } from '../../lambdas/domain/portal-access/reminder';
import { settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { runSchedule } from '../../lambdas/domain/schedule';
import { MemoryAccess, MemoryDueClaims } from './portal-access.fakes';

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const HOUR = 3_600_000;
export const TTL_SECONDS = 7 * 24 * 3600;
export const REMIND_SECONDS = 72 * 3600;
export const PASSWORD = 'Correct-Horse-7-battery';

/** `ms` after T0. */
export const at = (ms: number) => new Date(T0 + ms);
/** The link's token in a mail, or ''. */
export const tokenOf = (mail: InvitationMail | undefined) => /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1] ?? '';

const logins: Omit<CustomerLogins, 'setPassword'> = {
  create: async (email) => ({ username: `u-${email}`, sub: `sub-${email}` }),
  find: async () => undefined,
  enable: async () => undefined,
  isEnabled: async () => true,
  disable: async () => undefined,
  signOut: async () => undefined,
  changeEmail: async () => undefined,
};

export class InvitationWorld {
  readonly access = new MemoryAccess();
  readonly due = new MemoryDueClaims(this.access);
  clock = new Date(T0);
  readonly mails: InvitationMail[] = [];
  readonly events: { type: AccessEventType; detail: { contactId: string; email: string; at: string } }[] = [];
  /** Mails to these addresses fail (once each), as an unreachable SES would. */
  readonly failingMail = new Set<string>();
  readonly profiles: Record<string, StaffProfile | Error> = { mia: { name: 'Mia Staff', email: 'mia@example.com', locale: 'nl', portalAdmin: true } };
  /** The scheduled job's watermarks, by task. */
  readonly marks = new Map<string, string>();
  readonly deps: ReinviteDeps;
  readonly delivery: DeliveryDeps;
  readonly worker: OutboxDeps;
  #ids = 0;

  constructor() {
    const now = () => this.clock;
    const invitationConfig = { portalUrl: 'https://portal.example', invitationTtlSeconds: TTL_SECONDS, reminderAfterSeconds: REMIND_SECONDS };
    this.deps = { contacts: this.access.contactStore, store: this.access, now, config: { applyConcurrency: 4, ...invitationConfig }, newId: () => `o-${++this.#ids}`, warn: () => undefined };
    this.delivery = {
      contacts: this.access.contactStore,
      store: this.access,
      outbox: this.access,
      logins,
      mailer: {
        send: async (mail) => {
          await Promise.resolve(); // a real send yields: concurrent workers interleave here
          if (this.failingMail.delete(mail.to)) throw new Error('SES unreachable');
          this.mails.push(mail);
        },
      },
      pacer: { acquire: async () => ({ usable: () => true }) },
      staff: {
        profile: async (username) => {
          const found = this.profiles[username];
          if (found instanceof Error) throw found;
          return found;
        },
      },
      events: { emit: async (type, detail) => void this.events.push({ type, detail }) },
      now,
      config: { ...invitationConfig, businessName: 'Azure Interior' },
      warn: () => undefined,
      sleep: async () => undefined,
    };
    this.worker = {
      outbox: this.access,
      now,
      handlers: {
        invitation: (item, run) => deliverInvitation(this.delivery, item, run),
        revocation: (item, run) => settleRevocation(this.delivery, item, run),
        reminder: (item, run) => deliverReminder(this.delivery, item, run),
      },
    };
    this.access.add({ id: 'p1', name: 'Ann Smith', email: 'ann@example.com' });
  }

  mailsTo(to: string): InvitationMail[] {
    return this.mails.filter((m) => m.to === to);
  }

  /** Accepts `token`; `setPassword` stands for the pool's call (what happens while the password is being set). */
  accept(token: string, setPassword: () => Promise<void> = async () => undefined) {
    return acceptInvitation({ contacts: this.access.contactStore, store: this.access, logins: { setPassword, signOut: async () => undefined }, now: () => this.clock, sleep: async (ms) => void (this.clock = new Date(this.clock.getTime() + ms)) }, token, PASSWORD);
  }

  /** The outbox items written so far, to the worker, as the stream would; one that throws stays (the stream retries it). */
  async drain(): Promise<unknown[]> {
    const errors: unknown[] = [];
    while (this.access.pending.length > 0) {
      const id = this.access.pending[0]!;
      try {
        await processOutboxItem(this.worker, id, new AbortController().signal);
        this.access.pending.shift();
      } catch (error) {
        errors.push(error);
        break;
      }
    }
    return errors;
  }

  /** Grants portal access (by `actor`) and delivers the invitation. */
  async grant(id = 'p1', actor = 'staff:mia'): Promise<void> {
    const [line] = await applyPortalAccess(this.deps, id, { lines: [{ contactId: id, inPortal: true }] }, actor);
    expect(line).toMatchObject({ outcome: 'granted' });
    expect(await this.drain()).toEqual([]);
  }

  tasks() {
    return invitationTasks({
      due: this.due,
      claims: this.due,
      reminders: { remind: (id, dueAt) => queueReminder(this.deps, id, dueAt) },
      expiry: { contacts: this.access.contactStore, store: this.access, events: this.delivery.events, now: () => this.clock },
      now: () => this.clock,
    });
  }

  /** One run of the job (without the drain that follows it). */
  job() {
    const watermarks = { watermark: async (task: string) => this.marks.get(task), advanceWatermark: async (task: string, hour: string) => void this.marks.set(task, hour) };
    return runSchedule({ watermarks, now: () => this.clock, warn: () => undefined }, this.tasks(), Number.MAX_SAFE_INTEGER);
  }

  /** One run of the job, then a drain. */
  async run() {
    const reports = await this.job();
    return { reports, errors: await this.drain() };
  }

  /** The audit's reminder entries. */
  reminded() {
    return this.access.audit.filter((a) => a.action === 'invitation.reminded');
  }
}
