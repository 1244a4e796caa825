import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttachmentReader, AttachmentRecord, AttachmentStore, MarkReadyOutcome } from '../../domain/attachments';
import type { DocumentType } from '../../domain/document-types';
import { documentClient, tableName } from './client';
import { ENTITY, keys } from './keys';

/**
 * Attachment records on the single table, in their document's item collection:
 * `DOC#<type>#<id> / ATTACHMENT#<attachmentId>` (the record; a pending one carries a `ttl`) and
 * `DOC#<type>#<id> / ATTACHMENTS` (`n`, the count of completed ones, which guards the maximum).
 * Every read is a GetItem or one Query of that collection; writes are conditioned on the state read.
 */
type Item = Record<string, unknown>;

const FIELDS = ['id', 'fileName', 'contentType', 'size', 'status', 'createdAt', 'uploadExpiresAt', 'completedAt'] as const;

function toRecord(item: Item): AttachmentRecord {
  const record: Item = {};
  for (const field of FIELDS) if (item[field] !== undefined) record[field] = item[field];
  return record as unknown as AttachmentRecord;
}

/** The indexes of the transaction's items whose condition failed (empty: it failed otherwise). */
function failedConditions(error: unknown): number[] | undefined {
  const cancelled = error as Partial<TransactionCanceledException>;
  if (cancelled.name !== 'TransactionCanceledException') return undefined;
  return (cancelled.CancellationReasons ?? []).flatMap((reason, i) => (reason.Code === 'ConditionalCheckFailed' ? [i] : []));
}

const conditionFailed = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** The reads alone (the portal's), so that its bundle carries no write. */
export function dynamoAttachmentReader(client: DynamoDBDocumentClient = documentClient(), table: string = tableName()): AttachmentReader {
  return {
    async list(type, id) {
      const records: AttachmentRecord[] = [];
      let start: Item | undefined;
      do {
        const out = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': keys.document(type, id).pk, ':prefix': keys.attachmentPrefix },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) records.push(toRecord(item));
        start = out.LastEvaluatedKey;
      } while (start);
      return records.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    },

    async get(type, id, attachmentId) {
      const { Item } = await client.send(new GetCommand({ TableName: table, Key: keys.attachment(type, id, attachmentId), ConsistentRead: true }));
      return Item ? toRecord(Item) : undefined;
    },
  };
}

export function dynamoAttachmentStore(client: DynamoDBDocumentClient = documentClient(), table: string = tableName()): AttachmentStore {
  const documentExists = (type: DocumentType, id: string) => ({
    ConditionCheck: { TableName: table, Key: keys.document(type, id), ConditionExpression: 'attribute_exists(pk)' },
  });

  return {
    ...dynamoAttachmentReader(client, table),

    async addPending(type, id, record, expiresAtEpochSeconds) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: { ...keys.attachment(type, id, record.id), entity: ENTITY.attachment, ...record, ttl: expiresAtEpochSeconds },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              documentExists(type, id),
            ],
          }),
        );
        return true;
      } catch (error) {
        if (failedConditions(error)?.includes(1)) return false;
        throw error;
      }
    },

    async markReady(type, id, attachmentId, completedAt, max): Promise<MarkReadyOutcome> {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.attachment(type, id, attachmentId),
                  UpdateExpression: 'SET #status = :ready, #completedAt = :at REMOVE #ttl',
                  ConditionExpression: '#status = :pending',
                  ExpressionAttributeNames: { '#status': 'status', '#completedAt': 'completedAt', '#ttl': 'ttl' },
                  ExpressionAttributeValues: { ':ready': 'ready', ':pending': 'pending', ':at': completedAt },
                },
              },
              {
                Update: {
                  TableName: table,
                  Key: keys.attachmentCount(type, id),
                  UpdateExpression: 'SET #entity = :entity ADD #n :one',
                  ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
                  ExpressionAttributeNames: { '#entity': 'entity', '#n': 'n' },
                  ExpressionAttributeValues: { ':entity': ENTITY.attachmentCount, ':one': 1, ':max': max },
                },
              },
              documentExists(type, id),
            ],
          }),
        );
        return 'done';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed?.includes(0)) return 'not-pending';
        if (failed?.includes(2)) return 'document-missing';
        if (failed?.includes(1)) return 'full';
        throw error;
      }
    },

    async remove(type, id, record) {
      const deleteRecord = {
        TableName: table,
        Key: keys.attachment(type, id, record.id),
        ConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': record.status },
      };
      try {
        if (record.status === 'pending') await client.send(new DeleteCommand(deleteRecord));
        else
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                { Delete: deleteRecord },
                {
                  Update: {
                    TableName: table,
                    Key: keys.attachmentCount(type, id),
                    UpdateExpression: 'ADD #n :minus',
                    ConditionExpression: '#n > :zero',
                    ExpressionAttributeNames: { '#n': 'n' },
                    ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
                  },
                },
              ],
            }),
          );
        return true;
      } catch (error) {
        if (conditionFailed(error) || failedConditions(error)?.length) return false;
        throw error;
      }
    },
  };
}
