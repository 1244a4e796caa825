/**
 * An invitation item delivered again — by the stream after the table was down for the rest of an
 * invocation, or by a second delivery while the first still runs — over the in-memory stores: the
 * link is minted for one mail, a redelivery never mails a second link once SES may have the first,
 * and only the worker holding the item's lease may finish it (a dead holder's lease runs out, and
 * the redelivery goes on where it stopped).
 */
import { OUTBOX_STREAM } from '../../lambdas/contract/outbox';
import { processOutboxItem, type OutboxDeps, type StepHook } from '../../lambdas/domain/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { deliverInvitation } from '../../lambdas/domain/portal-access/delivery';
import { hashToken } from '../../lambdas/domain/portal-access/invitations';
import { MailDeferred, type DeliveryDeps, type InvitationMail, type PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { deliverReminder, queueReminder } from '../../lambdas/domain/portal-access/reminder';
import { settleRevocation } from '../../lambdas/domain/portal-access/revoke';
import { isTransient } from '../../lambdas/platform/transient';
import { MemoryAccess } from './portal-access.fakes';

/** Longer than any lease and any invocation: a stream retry that comes this much later finds the dead holder's lease expired. */
const LATER_MS = (OUTBOX_STREAM.workerTimeoutSeconds + 60) * 1000;
const tableDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { name: 'Error', code: 'ECONNREFUSED' });
/** A promise that never settles: a worker that died there does nothing more. */
const never = () => new Promise<never>(() => undefined);

let access: MemoryAccess;
let clock: Date;
let mails: InvitationMail[];
let events: string[];
let users: number;
let deps: PortalAccessDeps;
let delivery: DeliveryDeps;
let worker: OutboxDeps;
/** Called with each mail as SES takes it. */
let onSent: (mail: InvitationMail) => Promise<void>;

beforeEach(() => {
  access = new MemoryAccess();
  clock = new Date('2026-03-01T10:00:00.000Z');
  mails = [];
  events = [];
  users = 0;
  onSent = async () => undefined;
  const now = () => clock;
  let ids = 0;
  deps = { contacts: access.contactStore, store: access, now, config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
  delivery = {
    contacts: access.contactStore,
    store: access,
    outbox: access,
    logins: {
      create: async () => ({ username: `user-${++users}`, sub: `sub-${users}` }),
      find: async () => undefined,
      enable: async () => undefined,
      disable: async () => undefined,
      isEnabled: async () => true,
      signOut: async () => undefined,
      changeEmail: async () => undefined,
    },
    mailer: {
      send: async (mail) => {
        mails.push(mail);
        await onSent(mail);
      },
    },
    pacer: { acquire: async () => ({ usable: () => true }) },
    events: { emit: async (type) => void events.push(type) },
    now,
    staff: { profile: async () => undefined },
    config: { portalUrl: 'https://portal.example.com', invitationTtlSeconds: 7 * 86_400, reminderAfterSeconds: 3 * 86_400, businessName: 'Example' },
    warn: () => undefined,
    sleep: async (ms) => void (clock = new Date(clock.getTime() + ms)),
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
});

/** The failure of a worker that must not go on now: transient, so the stream brings the record back. */
async function expectTransient(work: Promise<unknown>): Promise<void> {
  const failure: unknown = await work.then(
    (outcome) => ({ resolved: outcome }),
    (error: unknown) => error,
  );
  expect({ failure, transient: isTransient(failure) }).toEqual({ failure, transient: true });
}

const tokenOf = (mail: InvitationMail | undefined) => /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] ?? '';

async function granted(): Promise<string> {
  access.add({ id: 'p1', name: 'Pat', email: 'pat@example.com' });
  const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true }] }, 'staff:alice');
  expect(line).toMatchObject({ outcome: 'granted' });
  return access.pending.shift()!;
}

/** One mail, its link the contact's live invitation, the line `sent`, the events once, the item done. */
function expectOneLiveMail(id: string): void {
  expect(mails).toHaveLength(1);
  const hash = hashToken(tokenOf(mails[0]));
  expect(access.contact('p1')).toMatchObject({ portal: { delivery: 'sent' }, invitation: { tokenHash: hash, sentAt: expect.any(String) } });
  expect([...access.invitations.keys()]).toEqual([hash]);
  expect(events.sort()).toEqual(['PortalAccessGranted', 'PortalInvitationSent']);
  expect(access.outboxItems.get(id)).toMatchObject({ outcome: 'done', doneAt: expect.any(String) });
}

describe('the table down from SES taking the mail until the invocation ends', () => {
  it('the redelivery records the mail SES took and sends no second one (no second link)', async () => {
    const id = await granted();
    // The table stops as SES takes the mail (the fault suite's "DynamoDB Local stopped while the outbox sends").
    let down = false;
    onSent = async () => {
      down = mails.length === 1;
    };
    const markSent = access.markInvitationSent.bind(access);
    access.markInvitationSent = async (...args) => {
      if (down) throw tableDown();
      return markSent(...args);
    };
    // The marker's write is insisted on until the invocation's time is up.
    const ending = new AbortController();
    let waits = 0;
    delivery.sleep = async (ms) => {
      clock = new Date(clock.getTime() + ms);
      if (++waits >= 5) ending.abort();
    };
    await expectTransient(processOutboxItem(worker, id, ending.signal));
    expect(mails).toHaveLength(1);

    // The table is back; the stream brings the record again.
    down = false;
    clock = new Date(clock.getTime() + LATER_MS);
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('done');
    expectOneLiveMail(id);
  });
});

describe('two deliveries of one item at once (a stream retry while the first still runs)', () => {
  it('the second waits while the first holds the item; one mail, one live link, the events once', async () => {
    const id = await granted();
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let first = true;
    worker.afterStep = (async (step) => {
      if (step === 'login' && first) {
        first = false;
        await paused;
      }
    }) as StepHook;
    const running = processOutboxItem(worker, id, new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));

    // The second delivery meets the first one's hold: a transient failure, so the stream brings it back.
    await expectTransient(processOutboxItem(worker, id, new AbortController().signal));
    expect(mails).toHaveLength(0);

    resume();
    expect(await running).toBe('done');
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('already-done');
    expectOneLiveMail(id);
  });

  it('the holder dies after SES took the mail: the other finishes nothing meanwhile; once the lease runs out it records that mail and sends none', async () => {
    const id = await granted();
    worker.afterStep = (async (step) => {
      if (step === 'mail') await never();
    }) as StepHook;
    void processOutboxItem(worker, id, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mails).toHaveLength(1);
    worker.afterStep = undefined;

    await expectTransient(processOutboxItem(worker, id, new AbortController().signal));
    expect(access.outboxItems.get(id)?.doneAt).toBeUndefined();
    expect(access.contact('p1').portal.delivery).toBe('queued');

    clock = new Date(clock.getTime() + LATER_MS);
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('done');
    expectOneLiveMail(id);
  });

  it('the remaining window: the holder dies during the SES call, before SES had the mail — recorded as sent, never mailed twice', async () => {
    const id = await granted();
    delivery.mailer = { send: () => never() };
    void processOutboxItem(worker, id, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 10));

    delivery.mailer = { send: async (mail) => void mails.push(mail) };
    clock = new Date(clock.getTime() + LATER_MS);
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('done');
    // Whether SES had it is unknowable: the redelivery does not send a second link; the line says sent.
    expect(mails).toHaveLength(0);
    expect(access.contact('p1').portal.delivery).toBe('sent');
  });
});

describe('SES deferring until the invocation ends', () => {
  /** The invocation ends after `waits` backoffs. */
  const endingAfter = (waits: number) => {
    const ending = new AbortController();
    let n = 0;
    delivery.sleep = async (ms) => {
      clock = new Date(clock.getTime() + ms);
      if (++n >= waits) ending.abort();
    };
    return ending.signal;
  };

  it('every attempt answered with an error: the item holds no handed-over mail, and the retry mails one fresh link', async () => {
    const id = await granted();
    const send = delivery.mailer.send;
    delivery.mailer = { send: async () => Promise.reject(new MailDeferred('TooManyRequestsException')) };
    await expectTransient(processOutboxItem(worker, id, endingAfter(3)));
    expect(access.outboxItems.get(id)?.sending).toBeUndefined();

    delivery.mailer = { send };
    delivery.sleep = async () => undefined;
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('done');
    expectOneLiveMail(id);
  });

  it('an attempt without an answer (SES may have the mail): the retry mails nothing more and records it', async () => {
    const id = await granted();
    let attempts = 0;
    delivery.mailer = {
      send: async (mail) => {
        attempts += 1;
        // SES took it, but its answer was lost; the next attempts are throttled.
        if (attempts === 1) {
          mails.push(mail);
          throw new MailDeferred('TimeoutError', true);
        }
        throw new MailDeferred('TooManyRequestsException');
      },
    };
    await expectTransient(processOutboxItem(worker, id, endingAfter(3)));
    expect(attempts).toBeGreaterThan(1);
    expect(access.outboxItems.get(id)?.sending).toMatchObject({ tokenHash: hashToken(tokenOf(mails[0])) });

    delivery.mailer = { send: async (mail) => void mails.push(mail) };
    delivery.sleep = async () => undefined;
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('done');
    expectOneLiveMail(id);
  });
});

describe('a holder whose lease ran out while it was still alive', () => {
  it('cannot record a step or finish the item once another delivery took it over; one mail', async () => {
    const id = await granted();
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let first = true;
    worker.afterStep = (async (step) => {
      if (step === 'login' && first) {
        first = false;
        await paused;
      }
    }) as StepHook;
    const slow = processOutboxItem(worker, id, new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));

    // The first stalls past its lease; a redelivery takes the item over and completes it.
    clock = new Date(clock.getTime() + LATER_MS);
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('done');
    resume();
    await expect(slow).rejects.toMatchObject({ name: 'OutboxBusy' });
    expectOneLiveMail(id);
  });
});

describe('the reminder: the worker dies after SES took its fresh link', () => {
  it('the redelivery records that reminder and mails no second link', async () => {
    const id = await granted();
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('done');
    const remindAt = access.contact('p1').invitation!.remindAt!;
    clock = new Date(Date.parse(remindAt) + 1000);
    expect(await queueReminder(deps, 'p1', remindAt)).toBe('queued');
    const reminder = access.pending.shift()!;
    worker.afterStep = (async (step) => {
      if (step === 'reminder-mail') await never();
    }) as StepHook;
    void processOutboxItem(worker, reminder, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mails).toHaveLength(2);
    worker.afterStep = undefined;

    clock = new Date(clock.getTime() + LATER_MS);
    expect(await processOutboxItem(worker, reminder, new AbortController().signal)).toBe('done');
    expect(mails).toHaveLength(2);
    const hash = hashToken(tokenOf(mails[1]));
    expect(access.contact('p1').invitation).toMatchObject({ tokenHash: hash, remindedAt: expect.any(String) });
    expect([...access.invitations.keys()]).toEqual([hash]);
    expect(access.audit.filter((a) => a.action === 'invitation.reminded')).toHaveLength(1);
  });
});

describe('the bus down after the mail was recorded, the contact revoked before the redelivery', () => {
  it("the grant's events still go out (it did happen), then the revocation's", async () => {
    const id = await granted();
    const emit = delivery.events.emit;
    delivery.events.emit = async () => {
      throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    };
    await expectTransient(processOutboxItem(worker, id, new AbortController().signal));
    expect({ mails: mails.length, events }).toEqual({ mails: 1, events: [] });

    const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: false }] }, 'staff:alice');
    expect(line).toMatchObject({ outcome: 'revoked' });
    const revocation = access.pending.shift()!;

    // The bus is back; the stream brings the grant's record again, then the revocation's.
    delivery.events.emit = emit;
    expect(await processOutboxItem(worker, id, new AbortController().signal)).toBe('superseded');
    expect(await processOutboxItem(worker, revocation, new AbortController().signal)).toBe('done');
    expect(events).toEqual(['PortalInvitationSent', 'PortalAccessGranted', 'PortalAccessRevoked']);
    expect(mails).toHaveLength(1);
  });
});
