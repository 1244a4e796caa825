/**
 * One TransactWriteItems on the single table, answered as the stores need it: `true` when written,
 * otherwise the index of the first item whose condition failed (the domain decides what that
 * means). Transactions that merely collided with another one on the same items are retried.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons } from './conditions';

export type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;
export type TransactItem = TransactItems[number];

const CONFLICT_RETRIES = 6;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function transact(db: DynamoDBDocumentClient, items: TransactItems): Promise<true | number> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed >= 0) return failed;
      const collided = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!collided || attempt >= CONFLICT_RETRIES) throw error;
      await pause(20 * 2 ** attempt + Math.random() * 50);
    }
  }
}

/** Deletes an item that names `contactId` (a guard, a subject pointer), or is already gone. */
export function deleteIfMine(table: string, key: { pk: string; sk: string }, contactId: string): TransactItem {
  return {
    Delete: {
      TableName: table,
      Key: key,
      ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
      ExpressionAttributeValues: { ':me': contactId },
    },
  };
}
