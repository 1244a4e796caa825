/**
 * The one shape of every store on the single table: it is given the document client and the
 * table's name (lambdas/wiring/ builds both, once per container). Conditional writes go through
 * conditions.ts, which answers a refused condition as `false`, never as a decision of its own.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export abstract class TableStore {
  declare readonly db: DynamoDBDocumentClient;
  declare readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }
}
