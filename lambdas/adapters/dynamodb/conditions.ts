/**
 * How DynamoDB says a write's condition refused it: the adapters answer that as the domain's
 * `false` (or a domain error), and let every other failure through.
 */
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand, type DeleteCommandInput, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

export const isConditionFailure = (error: unknown): boolean => (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** One conditional write: `true` when written, `false` when its condition refused it. */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export const isTransactionCancelled = (error: unknown): boolean => (error as { name?: string } | null)?.name === 'TransactionCanceledException';

type Table = { readonly db: DynamoDBDocumentClient; readonly table: string };

/** One conditional update of one item of the table: `false` when its condition refused it. */
export const updateIf = ({ db, table }: Table, input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> =>
  conditionalWrite(db.send(new UpdateCommand({ TableName: table, ...input })));

/** One conditional delete of one item of the table: `false` when its condition refused it. */
export const deleteIf = ({ db, table }: Table, input: Omit<DeleteCommandInput, 'TableName'>): Promise<boolean> =>
  conditionalWrite(db.send(new DeleteCommand({ TableName: table, ...input })));

/** Why each item of a cancelled transaction failed (`None` for those that did not); empty for any other error. */
export function cancellationReasons(error: unknown): { Code?: string; Item?: unknown }[] {
  if (!isTransactionCancelled(error)) return [];
  return (error as Partial<TransactionCanceledException>).CancellationReasons ?? [];
}
