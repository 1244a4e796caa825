/**
 * Outbox items on the single table (`OUTBOX#<id>` / `OUTBOX`). They are written by the stores of the
 * changes they follow, inside those changes' transactions (`outboxPut`); this store reads them for
 * the worker and records its steps. A finished item is TTL'd a week later.
 *
 * The worker's lease is the item's `lease: { holder, until }` (epoch ms): taken when free, expired
 * or already this holder's; every step marker and the finish are conditioned on holding it.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, updateIf } from './conditions';
import { OUTBOX_KINDS } from '../../contract/outbox';
import type { Lease, OutboxItem, OutboxOutcome, OutboxStore } from '../../domain/outbox';
import { ENTITY, keys } from '../../contract/keys';
import { TableStore } from './table-store';

const KEEP_DONE_SECONDS = 7 * 24 * 60 * 60;
const ITEM_FIELDS = ['id', 'kind', 'contactId', 'actor', 'at', 'reason', 'message', 'email', 'remindAt', 'steps', 'sending', 'doneAt', 'outcome'] as const;
/** The item's lease is this holder's (a condition). */
export const LEASE_HELD = '#lease.#holder = :holder';
export const LEASE_NAMES = { '#lease': 'lease', '#holder': 'holder' } as const;

/** The `Put` of a new outbox item, for the transaction of the change it follows. Its step markers start empty. */
export function outboxPut(table: string, item: OutboxItem) {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.outbox(item.id), entity: ENTITY.outbox, ...item, steps: {} },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The contact's pointer to its current outbox item. */
export const outboxPointer = (item: OutboxItem) => ({ id: item.id, kind: item.kind, at: item.at });

/** The item as the domain sees it: its own fields, not the table's keys nor its lease. */
function itemOf(Item: Record<string, unknown> | undefined): OutboxItem | undefined {
  if (!Item || Item.entity !== ENTITY.outbox || !(OUTBOX_KINDS as readonly unknown[]).includes(Item.kind)) return undefined;
  const item: Record<string, unknown> = {};
  for (const field of ITEM_FIELDS) if (Item[field] !== undefined) item[field] = Item[field];
  return item as unknown as OutboxItem;
}

export class DynamoOutboxStore extends TableStore implements OutboxStore {
  async get(id: string): Promise<OutboxItem | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.outbox(id), ConsistentRead: true }));
    return itemOf(Item);
  }

  async claim(id: string, lease: Lease, nowMs: number): Promise<OutboxItem | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.outbox(id),
          UpdateExpression: 'SET #lease = :lease',
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(doneAt) AND (attribute_not_exists(#lease) OR #lease.#until < :now OR ${LEASE_HELD})`,
          ExpressionAttributeNames: { ...LEASE_NAMES, '#until': 'until' },
          ExpressionAttributeValues: { ':lease': { holder: lease.holder, until: lease.untilMs }, ':now': nowMs, ':holder': lease.holder },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return itemOf(Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  markStep(id: string, step: string, at: string, lease: Lease): Promise<boolean> {
    return updateIf(this, {
      Key: keys.outbox(id),
      UpdateExpression: 'SET #steps.#step = :at, #lease.#until = :until',
      ConditionExpression: LEASE_HELD,
      ExpressionAttributeNames: { '#steps': 'steps', '#step': step, '#until': 'until', ...LEASE_NAMES },
      ExpressionAttributeValues: { ':at': at, ':until': lease.untilMs, ':holder': lease.holder },
    });
  }

  finish(id: string, outcome: OutboxOutcome, at: string, holder: string): Promise<boolean> {
    return updateIf(this, {
      Key: keys.outbox(id),
      UpdateExpression: 'SET doneAt = :at, outcome = :outcome, #ttl = :ttl REMOVE #lease',
      ConditionExpression: LEASE_HELD,
      ExpressionAttributeNames: { '#ttl': 'ttl', ...LEASE_NAMES },
      ExpressionAttributeValues: { ':at': at, ':outcome': outcome, ':ttl': Math.ceil(Date.parse(at) / 1000) + KEEP_DONE_SECONDS, ':holder': holder },
    });
  }

  async release(id: string, holder: string): Promise<void> {
    await updateIf(this, { Key: keys.outbox(id), UpdateExpression: 'REMOVE #lease', ConditionExpression: LEASE_HELD, ExpressionAttributeNames: { ...LEASE_NAMES }, ExpressionAttributeValues: { ':holder': holder } });
  }
}
