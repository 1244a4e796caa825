/**
 * The mail pacer: a token bucket in the table, shared by every worker. Each wall-clock second has a
 * counter item (`PACE#mail#<epoch second>`, TTL'd after an hour); a worker may send when it adds one
 * to the current second's counter below the rate (a conditional update), else it waits for the
 * next second. A slot is used only early in its second — taken then, and still then when the mail
 * is handed over (`MailSlot.usable`) — so that the mail lands within the second it was counted in
 * (SES counts its maximum send rate per second); a slot that went stale on the way is left unused.
 *
 * Why not reserved concurrency 1 and pacing in one process: revocations and logins would queue
 * behind the mail, the stream's other shards would be throttled (and their records age), and one
 * slow SES call would stall everything. A conditional update per mail is cheap (1 WCU) and its
 * partition changes every second.
 *
 * Within one process the waiting mails queue in order, and only the head of the queue asks the
 * table: a batch's hundred invitations waiting for their turn cost the rate's writes a second (and
 * one refused take when the second is full), not a hundred — which every second would be refused
 * writes on one item, a hot key as soon as a few workers wait at once.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Unavailable } from '../../contract/errors';
import type { MailPacer, MailSlot } from '../../domain/portal-access/ports';
import { ENTITY, keys } from '../../contract/keys';
import { conditionalWrite } from './conditions';
import { TableStore } from './table-store';
import { sleep } from '../../platform/sleep';

/** A signal that never aborts: the pump's pause is the process's, not one mail's. */
const NEVER = new AbortController().signal;

/**
 * A second's slots are used during its first 700 ms only: a mail handed over then lands in that
 * second (the rest is the send's own round trip).
 */
const USE_BY_MS = 700;

interface Waiter {
  resolve: (slot: MailSlot) => void;
  reject: (error: unknown) => void;
  /** Stops listening to the waiter's signal (once it is served or gone). */
  done: () => void;
}

const noSlot = () => new Unavailable('No mail slot before the invocation ends; the item comes back.');

export class DynamoMailPacer extends TableStore implements MailPacer {
  readonly #rate: number;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** This process's mails waiting for a slot, first come first served. */
  readonly #queue: Waiter[] = [];
  #pumping = false;

  constructor(db: DynamoDBDocumentClient, table: string, ratePerSecond: number, clock: () => number = Date.now, wait: (ms: number) => Promise<void> = (ms) => sleep(ms, NEVER)) {
    super(db, table);
    if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1) throw new Error('the mail rate must be a whole number of mails a second');
    [this.#rate, this.#clock, this.#sleep] = [ratePerSecond, clock, wait];
  }

  acquire(signal: AbortSignal): Promise<MailSlot> {
    if (signal.aborted) return Promise.reject(noSlot());
    return new Promise<MailSlot>((resolve, reject) => {
      const leave = () => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(noSlot());
      };
      const waiter: Waiter = { resolve, reject, done: () => signal.removeEventListener('abort', leave) };
      signal.addEventListener('abort', leave, { once: true });
      this.#queue.push(waiter);
      void this.#pump();
    });
  }

  /** Takes slots for the queue's head, one after the other, while mails wait; one loop per process. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const second = Math.floor(this.#clock() / 1000);
        const slot: MailSlot = { usable: () => this.#clock() < second * 1000 + USE_BY_MS };
        let taken = false;
        if (slot.usable()) {
          try {
            taken = await this.#take(second);
          } catch (error) {
            // The table failed this take: the mail at the head hears of it (a transient error: its item comes back).
            this.#serve((waiter) => waiter.reject(error));
            continue;
          }
        }
        // A take that answered late (a slow table) is stale already: its second keeps the count unused.
        if (taken && slot.usable()) {
          this.#serve((waiter) => waiter.resolve(slot));
          continue;
        }
        if (taken) continue;
        // This second is full, or past its first 700 ms: the next one, with a little jitter so that workers do not all ask at once.
        await this.#sleep(Math.max(0, (second + 1) * 1000 - this.#clock()) + Math.random() * 50);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** The queue's head, if it still waits (one that gave up has left it), is served. */
  #serve(answer: (waiter: Waiter) => void): void {
    const head = this.#queue.shift();
    if (!head) return;
    head.done();
    answer(head);
  }

  #take(second: number): Promise<boolean> {
    return conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.mailSecond(second),
          UpdateExpression: 'SET #entity = :entity, #ttl = :ttl ADD #n :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :rate',
          ExpressionAttributeNames: { '#entity': 'entity', '#ttl': 'ttl', '#n': 'n' },
          ExpressionAttributeValues: { ':entity': ENTITY.pace, ':ttl': second + 3600, ':one': 1, ':rate': this.#rate },
        }),
      ),
    );
  }
}
