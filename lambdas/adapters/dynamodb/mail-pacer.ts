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
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Unavailable } from '../../contract/errors';
import type { MailPacer, MailSlot } from '../../domain/portal-access/ports';
import { ENTITY, keys } from '../../contract/keys';
import { conditionalWrite } from './conditions';
import { TableStore } from './table-store';
import { sleep } from '../../platform/sleep';

/**
 * A second's slots are used during its first 700 ms only: a mail handed over then lands in that
 * second (the rest is the send's own round trip).
 */
const USE_BY_MS = 700;

export class DynamoMailPacer extends TableStore implements MailPacer {
  readonly #rate: number;
  readonly #clock: () => number;

  constructor(db: DynamoDBDocumentClient, table: string, ratePerSecond: number, clock: () => number = Date.now) {
    super(db, table);
    if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1) throw new Error('the mail rate must be a whole number of mails a second');
    [this.#rate, this.#clock] = [ratePerSecond, clock];
  }

  async acquire(signal: AbortSignal): Promise<MailSlot> {
    for (;;) {
      if (signal.aborted) throw new Unavailable('No mail slot before the invocation ends; the item comes back.');
      const now = this.#clock();
      const second = Math.floor(now / 1000);
      const slot: MailSlot = { usable: () => this.#clock() < second * 1000 + USE_BY_MS };
      // A take that answered late (a slow table) is stale already: its second keeps the count unused.
      if (slot.usable() && (await this.#take(second)) && slot.usable()) return slot;
      // The next second, with a little jitter so that the workers do not all ask at once.
      const after = this.#clock();
      await sleep(Math.max(0, (second + 1) * 1000 - after) + Math.random() * 50, signal);
    }
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
