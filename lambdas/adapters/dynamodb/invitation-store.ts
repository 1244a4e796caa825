/** Invitations (`INVITATION#<sha256(token)>`) as their acceptance reads, claims and spends them. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../domain/audit';
import type { InvitationRecord, InvitationStore } from '../../domain/portal-access/ports';
import { auditItem } from './audit-store';
import { updateIf } from './conditions';
import { ENTITY, keys } from '../../contract/keys';
import { TableStore } from './table-store';
import { transact } from './transact';

export class DynamoInvitationStore extends TableStore implements InvitationStore {
  async getInvitation(tokenHash: string): Promise<InvitationRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.invitation(tokenHash), ConsistentRead: true }));
    const item = out.Item;
    if (!item || item.entity !== ENTITY.invitation) return undefined;
    return {
      contactId: String(item.contactId),
      expiresAt: String(item.expiresAt),
      ...(typeof item.claimedAt === 'string' ? { claimedAt: item.claimedAt } : {}),
    };
  }

  async claimInvitation(tokenHash: string, claimedAt: string, staleBefore: string): Promise<boolean> {
    return updateIf(this, {
      Key: keys.invitation(tokenHash),
      UpdateExpression: 'SET claimedAt = :claimedAt',
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :claimedAt AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
      ExpressionAttributeValues: { ':claimedAt': claimedAt, ':stale': staleBefore },
    });
  }

  async releaseInvitation(tokenHash: string, claimedAt: string): Promise<void> {
    await updateIf(this, {
      Key: keys.invitation(tokenHash),
      UpdateExpression: 'REMOVE claimedAt',
      ConditionExpression: 'claimedAt = :claimedAt',
      ExpressionAttributeValues: { ':claimedAt': claimedAt },
    });
  }

  async activate(contactId: string, tokenHash: string, claimedAt: string, at: string, audit: AuditEntry): Promise<boolean> {
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contactId),
          UpdateExpression: 'SET #portal.#status = :active, #portal.activatedAt = :at, #updatedAt = :at, gsi4pk = :statusPartition REMOVE #invitation ADD #version :one',
          // An archived contact's invitation is dead even before the archive's revocation deletes it;
          // an access whose end has come cannot be accepted any more (its status reads `expired`).
          ConditionExpression: '#invitation.tokenHash = :hash AND #portal.#status = :invited AND #archived = :false AND (attribute_not_exists(#portal.#until) OR #portal.#until > :at)',
          ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#until': 'until', '#updatedAt': 'updatedAt', '#invitation': 'invitation', '#version': 'version', '#archived': 'archived' },
          ExpressionAttributeValues: { ':active': 'active', ':invited': 'invited', ':at': at, ':hash': tokenHash, ':one': 1, ':false': false, ':statusPartition': keys.contactStatusPartition('active') },
        },
      },
      {
        Delete: {
          TableName: this.table,
          Key: keys.invitation(tokenHash),
          ConditionExpression: 'claimedAt = :claimedAt',
          ExpressionAttributeValues: { ':claimedAt': claimedAt },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ]);
    return result === true;
  }
}
