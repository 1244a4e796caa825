/**
 * Attachment records on the single table, in their document's item collection (contract/keys.ts):
 * `DOC#<type>#<id> / ATTACHMENT#<attachmentId>` (the record; a pending one carries a `ttl`) and
 * `DOC#<type>#<id> / ATTACHMENTS` (`n`, the count of completed ones, which guards the maximum).
 * Every read is a GetItem or one Query of that collection; writes are conditioned on the state read.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentType } from '../../contract/document-types';
import { ENTITY, keys } from '../../contract/keys';
import type { AttachmentReader, AttachmentRecord, AttachmentStore, MarkReadyOutcome } from '../../domain/attachments/ports';
import { cancellationReasons } from './conditions';
import { TableStore } from './table-store';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const FIELDS = ['id', 'fileName', 'contentType', 'size', 'status', 'createdAt', 'uploadExpiresAt', 'completedAt'] as const;

function toRecord(item: Item): AttachmentRecord {
  const record: Item = {};
  for (const field of FIELDS) if (item[field] !== undefined) record[field] = item[field];
  return record as unknown as AttachmentRecord;
}

/** The positions of a cancelled transaction's items whose condition failed (none: it failed otherwise, or was no transaction). */
const failedConditions = (error: unknown): number[] =>
  cancellationReasons(error).flatMap((reason, i) => (reason.Code === 'ConditionalCheckFailed' ? [i] : []));

/** The reads alone (the portal's), so that its bundle carries no write. */
export class DynamoAttachmentReader extends TableStore implements AttachmentReader {
  async list(type: DocumentType, id: string): Promise<AttachmentRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.document(type, id).pk, ':prefix': keys.attachmentPrefix },
      ConsistentRead: true,
    });
    return items.map(toRecord).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  async get(type: DocumentType, id: string, attachmentId: string): Promise<AttachmentRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.attachment(type, id, attachmentId), ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }
}

export class DynamoAttachmentStore extends DynamoAttachmentReader implements AttachmentStore {
  async addPending(type: DocumentType, id: string, record: AttachmentRecord, expiresAtEpochSeconds: number): Promise<boolean> {
    const item = { ...keys.attachment(type, id, record.id), entity: ENTITY.attachment, ...record, ttl: expiresAtEpochSeconds };
    // The id is 128 random bits: a record already there under it (item 0) is a fault, not an answer.
    const put = { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
    return (await this.#transact([put, this.#documentExists(type, id)], [1])).length === 0;
  }

  async markReady(type: DocumentType, id: string, attachmentId: string, completedAt: string, max: number): Promise<MarkReadyOutcome> {
    const failed = await this.#transact([
      {
        Update: {
          TableName: this.table,
          Key: keys.attachment(type, id, attachmentId),
          UpdateExpression: 'SET #status = :ready, #completedAt = :at REMOVE #ttl',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#completedAt': 'completedAt', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':ready': 'ready', ':pending': 'pending', ':at': completedAt },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.attachmentCount(type, id),
          UpdateExpression: 'SET #entity = :entity ADD #n :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
          ExpressionAttributeNames: { '#entity': 'entity', '#n': 'n' },
          ExpressionAttributeValues: { ':entity': ENTITY.attachmentCount, ':one': 1, ':max': max },
        },
      },
      this.#documentExists(type, id),
    ], [0, 1, 2]);
    if (failed.includes(0)) return 'not-pending';
    if (failed.includes(2)) return 'document-missing';
    if (failed.includes(1)) return 'full';
    return 'done';
  }

  async remove(type: DocumentType, id: string, record: AttachmentRecord): Promise<boolean> {
    const deleteRecord = {
      Delete: {
        TableName: this.table,
        Key: keys.attachment(type, id, record.id),
        ConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': record.status },
      },
    };
    // A completed one gives its place back in the same transaction.
    const giveBack = {
      Update: {
        TableName: this.table,
        Key: keys.attachmentCount(type, id),
        UpdateExpression: 'ADD #n :minus',
        ConditionExpression: '#n > :zero',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      },
    };
    const items = record.status === 'ready' ? [deleteRecord, giveBack] : [deleteRecord];
    return (await this.#transact(items, [0, 1])).length === 0;
  }

  #documentExists(type: DocumentType, id: string) {
    return { ConditionCheck: { TableName: this.table, Key: keys.document(type, id), ConditionExpression: 'attribute_exists(pk)' } };
  }

  /**
   * One transaction: the positions of the items whose condition refused it (empty when it was
   * written), when one of them is among those the caller `answers`; any other failure is thrown.
   */
  async #transact(items: TransactItem[], answers: readonly number[]): Promise<number[]> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return [];
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed.some((i) => answers.includes(i))) throw error;
      return failed;
    }
  }
}
