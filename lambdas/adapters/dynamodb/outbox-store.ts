/**
 * Outbox items on the single table (`OUTBOX#<id>` / `OUTBOX`). They are written by the stores of the
 * changes they follow, inside those changes' transactions (`outboxPut`); this store reads them for
 * the worker and records its steps. A finished item is TTL'd a week later.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_KINDS } from '../../contract/outbox';
import type { OutboxItem, OutboxOutcome, OutboxStore } from '../../domain/outbox';
import { ENTITY, keys } from '../../contract/keys';
import { TableStore } from './table-store';

const KEEP_DONE_SECONDS = 7 * 24 * 60 * 60;
const ITEM_FIELDS = ['id', 'kind', 'contactId', 'actor', 'at', 'reason', 'message', 'email', 'steps', 'doneAt', 'outcome'] as const;

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

export class DynamoOutboxStore extends TableStore implements OutboxStore {
  async get(id: string): Promise<OutboxItem | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.outbox(id), ConsistentRead: true }));
    if (!Item || Item.entity !== ENTITY.outbox || !(OUTBOX_KINDS as readonly unknown[]).includes(Item.kind)) return undefined;
    const item: Record<string, unknown> = {};
    for (const field of ITEM_FIELDS) if (Item[field] !== undefined) item[field] = Item[field];
    return item as unknown as OutboxItem;
  }

  async markStep(id: string, step: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.outbox(id),
        UpdateExpression: 'SET #steps.#step = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#steps': 'steps', '#step': step },
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async finish(id: string, outcome: OutboxOutcome, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.outbox(id),
        UpdateExpression: 'SET doneAt = :at, outcome = :outcome, #ttl = :ttl',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':at': at, ':outcome': outcome, ':ttl': Math.ceil(Date.parse(at) / 1000) + KEEP_DONE_SECONDS },
      }),
    );
  }
}
