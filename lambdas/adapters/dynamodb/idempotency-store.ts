import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Begun, IdempotencyId, IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../domain/idempotency';
import { deleteIf, isConditionFailure } from './conditions';
import { ENTITY, keys } from '../../contract/keys';
import { TableStore } from './table-store';

const keyOf = (id: IdempotencyId) => keys.idempotency(id.scope, id.key);

/** `Idempotency-Key` records, TTL'd after their retention. */
export class DynamoIdempotencyStore extends TableStore implements IdempotencyStore {
  async begin(id: IdempotencyId, record: IdempotencyRecord & { runId: string }, abandonedBefore: string, expiresAt: Date): Promise<Begun | IdempotencyRecord> {
    // Twice: the record that refused us may have been released before we could read it.
    for (let attempt = 0; attempt < 2; attempt++) {
      // An update, not a put: a record taken over keeps the `runId` of the request's earlier attempts.
      const begun = await this.db
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: keyOf(id),
            UpdateExpression: 'SET entity = :entity, bodyHash = :bodyHash, #state = :inProgress, startedAt = :startedAt, #ttl = :ttl, runId = if_not_exists(runId, :runId)',
            ConditionExpression: 'attribute_not_exists(pk) OR (#state = :inProgress AND startedAt < :abandoned AND bodyHash = :bodyHash)',
            ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':entity': ENTITY.idempotency,
              ':bodyHash': record.bodyHash,
              ':inProgress': 'in-progress',
              ':startedAt': record.startedAt,
              ':ttl': Math.ceil(expiresAt.getTime() / 1000),
              ':runId': record.runId,
              ':abandoned': abandonedBefore,
            },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .then(
          (out) => String(out.Attributes?.runId ?? record.runId),
          (error: unknown) => {
            if (isConditionFailure(error)) return undefined;
            throw error;
          },
        );
      if (begun !== undefined) return { begun: true, runId: begun };
      const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keyOf(id), ConsistentRead: true }));
      const item = out.Item;
      if (item)
        return {
          bodyHash: String(item.bodyHash),
          state: item.state === 'done' ? 'done' : 'in-progress',
          startedAt: String(item.startedAt),
          ...(item.response ? { response: item.response as StoredResponse } : {}),
        };
    }
    throw Object.assign(new Error('idempotency record kept changing'), { name: 'ServiceUnavailable' });
  }

  async complete(id: IdempotencyId, bodyHash: string, response: StoredResponse): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keyOf(id),
        UpdateExpression: 'SET #state = :done, #response = :response',
        ConditionExpression: 'bodyHash = :bodyHash',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':done': 'done', ':response': response, ':bodyHash': bodyHash },
      }),
    );
  }

  async release(id: IdempotencyId, startedAt: string): Promise<void> {
    await deleteIf(this, {
      Key: keyOf(id),
      ConditionExpression: '#state = :inProgress AND startedAt = :startedAt',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':inProgress': 'in-progress', ':startedAt': startedAt },
    });
  }
}
