import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditPage, AuditStore } from '../../domain/audit';
import { listingScope } from '../../domain/listing';
import type { AuditEvent } from '../../contract/schemas/portal-access';
import { decodeCursor, encodeCursor } from './cursor';
import { Invalid } from '../../contract/errors';
import { ENTITY, keys } from '../../contract/keys';
import { TableStore } from './table-store';

/** The audit item of an entry; written by the access store inside the transaction of the change it records. */
export function auditItem(entry: AuditEntry): Record<string, unknown> {
  return { ...keys.audit(entry.contactId, entry.at, randomBytes(6).toString('hex')), entity: ENTITY.audit, ...entry };
}

const scopeOf = (contactId: string) => listingScope('audit', contactId);

export class DynamoAuditStore extends TableStore implements AuditStore {
  /**
   * One page, newest first. Reads one entry more than it answers: a page of the last `limit` entries
   * carries no cursor (DynamoDB's LastEvaluatedKey would name one, and its page would be empty). A
   * Query answers 1 MB at most — some 17 entries of a 500-line company apply — so a page may hold
   * fewer entries than asked: then one more entry is read to tell whether older ones follow.
   */
  async list(contactId: string, cursor: string | undefined, limit: number): Promise<AuditPage> {
    const pk = keys.auditPartition(contactId);
    const start = decodeCursor(cursor, scopeOf(contactId), ['pk', 'sk'], { pk });
    // A start key without its sort key, or with one DynamoDB could never hold, is refused there as a ValidationException (a 500).
    if (start !== undefined && !(start.sk !== undefined && start.sk !== '' && Buffer.byteLength(start.sk) <= 1024))
      throw new Invalid('The cursor is not valid for this listing.', 'cursor');
    const query = (from: Record<string, unknown> | undefined, n: number) =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: n,
          ...(from ? { ExclusiveStartKey: from } : {}),
        }),
      );
    const out = await query(start, limit + 1);
    const found = out.Items ?? [];
    const shown = found.slice(0, limit);
    const more = found.length > limit || (out.LastEvaluatedKey !== undefined && ((await query(out.LastEvaluatedKey, 1)).Items ?? []).length > 0);
    const last = more ? shown[shown.length - 1] : undefined;
    const items = shown.map(
      (item): AuditEvent => ({
        at: String(item.at),
        actor: String(item.actor),
        action: String(item.action),
        contactId: String(item.contactId),
        details: (item.details as Record<string, unknown> | undefined) ?? {},
      }),
    );
    return {
      items,
      ...(last ? { nextCursor: encodeCursor(scopeOf(contactId), { pk: String(last.pk), sk: String(last.sk) }) } : {}),
    };
  }
}
