/**
 * The scheduled job on the table: what is due (a Query of one `due` partition: task and hour, sort
 * key `<at>#…` up to now) and each task's watermark (`SCHEDULE#<task> / WATERMARK`). The `due` index
 * projects keys only; the items' own keys say what they are (keys.ts, `keyParts`).
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentType } from '../../contract/document-types';
import { ENTITY, keyParts, keys } from '../../contract/keys';
import { DUE_TASKS } from '../../contract/schedule';
import type { DueItem, WatermarkStore } from '../../domain/schedule';
import { isConditionFailure } from './conditions';
import { TableStore } from './table-store';

type Item = Record<string, unknown>;

export class DynamoScheduleStore extends TableStore implements WatermarkStore {
  async watermark(task: string): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.scheduleWatermark(task), ConsistentRead: true }));
    return typeof Item?.hour === 'string' ? Item.hour : undefined;
  }

  async advanceWatermark(task: string, hour: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.scheduleWatermark(task),
          UpdateExpression: 'SET #hour = :hour, #entity = :entity',
          ConditionExpression: 'attribute_not_exists(#hour) OR #hour < :hour',
          ExpressionAttributeNames: { '#hour': 'hour', '#entity': 'entity' },
          ExpressionAttributeValues: { ':hour': hour, ':entity': ENTITY.schedule },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // a concurrent run moved it as far or further
    }
  }

  /** Accesses whose `until` came in this hour, up to `now`. */
  async dueAccesses(hour: string, now: string): Promise<DueItem<{ contactId: string }>[]> {
    return (await this.#due(DUE_TASKS.accessExpiry, hour, now)).flatMap((item) => {
      const contactId = keyParts.contactId(String(item.pk));
      return contactId ? [{ ref: { contactId }, at: keyParts.dueAt(String(item.duesk)) }] : [];
    });
  }

  /** Explicit grants whose `until` came in this hour, up to `now`. */
  async dueGrants(hour: string, now: string): Promise<DueItem<{ type: DocumentType; id: string; contactId: string }>[]> {
    return (await this.#due(DUE_TASKS.grantExpiry, hour, now)).flatMap((item) => {
      const document = keyParts.document(String(item.pk));
      const contactId = keyParts.grantee(String(item.sk));
      return document && contactId ? [{ ref: { type: document.type as DocumentType, id: document.id, contactId }, at: keyParts.dueAt(String(item.duesk)) }] : [];
    });
  }

  async #due(task: string, hour: string, now: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'due',
          // `<at>#…` with `at ≤ now` sorts below `<now>$` ('$' follows '#').
          KeyConditionExpression: 'duepk = :pk AND duesk < :bound',
          ExpressionAttributeValues: { ':pk': keys.dueBucket(task, hour), ':bound': `${now}$` },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
