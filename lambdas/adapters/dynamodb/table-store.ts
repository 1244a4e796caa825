/**
 * The one shape of every store on the single table: it is given the document client and the
 * table's name (lambdas/wiring/ builds both, once per container). Conditional writes go through
 * conditions.ts, which answers a refused condition as `false`, never as a decision of its own.
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export abstract class TableStore {
  declare readonly db: DynamoDBDocumentClient;
  declare readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }

  /** Every item a Query finds, page after page (an item collection bounded by the domain's own limits). */
  protected async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ TableName: this.table, ...input, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
