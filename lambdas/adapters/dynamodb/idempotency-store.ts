import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyId, IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../domain/idempotency';
import { conditionalWrite, deleteIf } from './conditions';
import { ENTITY, keys } from '../../contract/keys';
import { TableStore } from './table-store';

const keyOf = (id: IdempotencyId) => keys.idempotency(id.scope, id.key);

/** `Idempotency-Key` records, TTL'd after their retention. */
export class DynamoIdempotencyStore extends TableStore implements IdempotencyStore {
  async begin(id: IdempotencyId, record: IdempotencyRecord, abandonedBefore: string, expiresAt: Date): Promise<IdempotencyRecord | undefined> {
    // Twice: the record that refused us may have been released before we could read it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const begun = await conditionalWrite(
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keyOf(id), entity: ENTITY.idempotency, ...record, ttl: Math.ceil(expiresAt.getTime() / 1000) },
            ConditionExpression: 'attribute_not_exists(pk) OR (#state = :inProgress AND startedAt < :abandoned)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':inProgress': 'in-progress', ':abandoned': abandonedBefore },
          }),
        ),
      );
      if (begun) return undefined;
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
