/**
 * The scheduled job on the table: what is due (a Query of one `due` partition: task and hour, sort
 * key `<at>#…` up to now), each task's watermark (`SCHEDULE#<task> / WATERMARK`), and the claims
 * on invitations' due entries (`CONTACT#<id> / DUE#<task>`). The `due` index projects keys only;
 * the items' own keys say what they are (keys.ts, `keyParts`).
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentType } from '../../contract/document-types';
import { ENTITY, keyParts, keys } from '../../contract/keys';
import { DUE_TASKS, type InvitationTask } from '../../contract/schedule';
import type { DueClaims } from '../../domain/portal-access/ports';
import type { DueItem, WatermarkStore } from '../../domain/schedule';
import { deleteIf, isConditionFailure, updateIf } from './conditions';
import { TableStore } from './table-store';

type Item = Record<string, unknown>;

export class DynamoScheduleStore extends TableStore implements WatermarkStore, DueClaims {
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

  /** Invitations whose reminder, or expiry, came in this hour, up to `now`. */
  async dueInvitations(task: InvitationTask, hour: string, now: string): Promise<DueItem<{ contactId: string }>[]> {
    return (await this.#due(task, hour, now)).flatMap((item) => {
      const contactId = keyParts.contactId(String(item.pk));
      return contactId ? [{ ref: { contactId }, at: keyParts.dueAt(String(item.duesk)) }] : [];
    });
  }

  claim(task: string, contactId: string, at: string, claimedAt: string, staleBefore: string): Promise<boolean> {
    return updateIf(this, {
      Key: keys.invitationDue(contactId, task),
      UpdateExpression: 'SET claimedAt = :claimedAt',
      // Still the entry that was found due (not the next invitation's), and no live run holds it.
      ConditionExpression: 'duesk = :duesk AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
      ExpressionAttributeValues: { ':claimedAt': claimedAt, ':duesk': keys.due(task, at, contactId).duesk, ':stale': staleBefore },
    });
  }

  async finish(task: string, contactId: string, at: string, claimedAt: string): Promise<void> {
    await deleteIf(this, {
      Key: keys.invitationDue(contactId, task),
      ConditionExpression: 'duesk = :duesk AND claimedAt = :claimedAt',
      ExpressionAttributeValues: { ':claimedAt': claimedAt, ':duesk': keys.due(task, at, contactId).duesk },
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
