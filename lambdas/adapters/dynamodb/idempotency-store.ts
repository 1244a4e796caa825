import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyId, IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../domain/idempotency';
import { documentClient, tableName } from './client';
import { conditionalWrite } from './conditions';
import { ENTITY, keys } from './keys';

const keyOf = (id: IdempotencyId) => keys.idempotency(id.scope, id.key);

/** `Idempotency-Key` records, TTL'd after their retention. */
export class DynamoIdempotencyStore implements IdempotencyStore {
  async begin(id: IdempotencyId, record: IdempotencyRecord, abandonedBefore: string, expiresAt: Date): Promise<IdempotencyRecord | undefined> {
    // Twice: the record that refused us may have been released before we could read it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const begun = await conditionalWrite(
        documentClient().send(
          new PutCommand({
            TableName: tableName(),
            Item: { ...keyOf(id), entity: ENTITY.idempotency, ...record, ttl: Math.ceil(expiresAt.getTime() / 1000) },
            ConditionExpression: 'attribute_not_exists(pk) OR (#state = :inProgress AND startedAt < :abandoned)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':inProgress': 'in-progress', ':abandoned': abandonedBefore },
          }),
        ),
      );
      if (begun) return undefined;
      const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keyOf(id), ConsistentRead: true }));
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
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keyOf(id),
        UpdateExpression: 'SET #state = :done, #response = :response',
        ConditionExpression: 'bodyHash = :bodyHash',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':done': 'done', ':response': response, ':bodyHash': bodyHash },
      }),
    );
  }

  async release(id: IdempotencyId, startedAt: string): Promise<void> {
    await conditionalWrite(
      documentClient().send(
        new DeleteCommand({
          TableName: tableName(),
          Key: keyOf(id),
          ConditionExpression: '#state = :inProgress AND startedAt = :startedAt',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':inProgress': 'in-progress', ':startedAt': startedAt },
        }),
      ),
    );
  }
}
