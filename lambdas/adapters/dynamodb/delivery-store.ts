/**
 * What the outbox worker records of a grant's and a revocation's steps, on the contact item and the
 * items beside it: the Cognito login (with its subject pointer `SUB#<sub>`), a fresh invitation
 * `INVITATION#<sha256>`, the mail's `sentAt` (with the outbox item's step marker), a refusal, a
 * withdrawn grant, the disabled login. Every write is conditioned on the contact still naming the
 * outbox item (`outbox.id`): a newer item follows the record, and this one's writes are refused.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryError } from '../../contract/schemas/portal-access';
import type { AuditEntry } from '../../domain/audit';
import type { ContactRecord } from '../../domain/contact-record';
import type { Lease } from '../../domain/outbox';
import type { DeliveryStore, Invitation, LoginRecord, RecordLoginResult, ReplaceOptions } from '../../domain/portal-access/ports';
import { auditItem } from './audit-store';
import { updateIf } from './conditions';
import { ENTITY, keys } from '../../contract/keys';
import { invitationDuePuts } from './invitation-due';
import { LEASE_HELD, LEASE_NAMES } from './outbox-store';
import { TableStore } from './table-store';
import { deleteIfMine, transact, type TransactItems } from './transact';

export class DynamoDeliveryStore extends TableStore implements DeliveryStore {
  async subjectHolder(sub: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.loginSubject(sub), ConsistentRead: true }));
    return typeof out.Item?.contactId === 'string' ? out.Item.contactId : undefined;
  }

  async recordLogin(contactId: string, outboxId: string, login: LoginRecord, replacedSub?: string): Promise<RecordLoginResult> {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contactId),
          UpdateExpression: 'SET #login = :login',
          ConditionExpression: '#outbox.#id = :outbox AND #portal.#status = :invited AND #login.#email = :email',
          ExpressionAttributeNames: { '#login': 'login', '#outbox': 'outbox', '#id': 'id', '#portal': 'portal', '#status': 'status', '#email': 'email' },
          ExpressionAttributeValues: { ':login': login, ':outbox': outboxId, ':invited': 'invited', ':email': login.email },
        },
      },
      // We hold the email's guard and this Cognito user has that email; but a subject another contact links stays theirs.
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.loginSubject(login.sub), entity: ENTITY.loginSubject, contactId, sub: login.sub },
          ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
          ExpressionAttributeValues: { ':me': contactId },
        },
      },
    ];
    // A login deleted from the pool: its subject's pointer goes (a subject is never handed out again).
    if (replacedSub !== undefined && replacedSub !== login.sub) items.push(deleteIfMine(this.table, keys.loginSubject(replacedSub), contactId));
    const result = await transact(this.db, items);
    if (result === true) return 'recorded';
    return result === 1 ? 'subject-taken' : 'superseded';
  }

  async replaceInvitation(contactId: string, invitation: Invitation, previousHash: string | undefined, outboxId: string, options: ReplaceOptions): Promise<'replaced' | 'claimed' | 'superseded'> {
    const items: TransactItems = [
      {
        Put: {
          TableName: this.table,
          Item: {
            ...keys.invitation(invitation.tokenHash),
            entity: ENTITY.invitation,
            contactId,
            expiresAt: invitation.expiresAt,
            ttl: Math.ceil(Date.parse(invitation.expiresAt) / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contactId),
          UpdateExpression: 'SET #invitation = :invitation',
          ConditionExpression: `#portal.#status = :invited AND #outbox.#id = :outbox AND ${previousHash ? '#invitation.tokenHash = :previous' : 'attribute_not_exists(#invitation)'}`,
          ExpressionAttributeNames: { '#invitation': 'invitation', '#portal': 'portal', '#status': 'status', '#outbox': 'outbox', '#id': 'id' },
          ExpressionAttributeValues: {
            ':invitation': { ...invitation, outboxId },
            ':invited': 'invited',
            ':outbox': outboxId,
            ...(previousHash ? { ':previous': previousHash } : {}),
          },
        },
      },
    ];
    // An acceptance under way holds the old link's item (its claim): the reminder waits for it.
    const unclaimed = options.unlessClaimedSince === undefined ? {} : { ConditionExpression: 'attribute_not_exists(claimedAt) OR claimedAt < :stale', ExpressionAttributeValues: { ':stale': options.unlessClaimedSince } };
    const previousAt = items.length;
    if (previousHash) items.push({ Delete: { TableName: this.table, Key: keys.invitation(previousHash), ...unclaimed } });
    if (options.schedule) items.push(...invitationDuePuts(this.table, contactId, invitation));
    // Still this delivery's item, and no mail of it handed over: a link that went out is never replaced by its own item.
    items.push({
      ConditionCheck: {
        TableName: this.table,
        Key: keys.outbox(outboxId),
        ConditionExpression: `${LEASE_HELD} AND attribute_not_exists(#sending) AND attribute_not_exists(doneAt)`,
        ExpressionAttributeNames: { '#sending': 'sending', ...LEASE_NAMES },
        ExpressionAttributeValues: { ':holder': options.holder },
      },
    });
    const result = await transact(this.db, items);
    if (result === true) return 'replaced';
    return previousHash !== undefined && result === previousAt ? 'claimed' : 'superseded';
  }

  async markReminded(contactId: string, tokenHash: string, outboxId: string, at: string, audit: AuditEntry): Promise<boolean> {
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contactId),
          UpdateExpression: 'SET #invitation.remindedAt = :at',
          ConditionExpression: '#invitation.tokenHash = :hash AND #outbox.#id = :outbox',
          ExpressionAttributeNames: { '#invitation': 'invitation', '#outbox': 'outbox', '#id': 'id' },
          ExpressionAttributeValues: { ':at': at, ':hash': tokenHash, ':outbox': outboxId },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
      this.#mailStep(outboxId, at),
    ]);
    return result === true;
  }

  /** The outbox item's `mail` step marker, written in the same transaction as the mail's record. */
  #mailStep(outboxId: string, at: string) {
    return {
      Update: {
        TableName: this.table,
        Key: keys.outbox(outboxId),
        UpdateExpression: 'SET #steps.#mail = :at',
        ExpressionAttributeNames: { '#steps': 'steps', '#mail': 'mail' },
        ExpressionAttributeValues: { ':at': at },
      },
    };
  }

  async markMailSending(contactId: string, tokenHash: string, outboxId: string, at: string, lease: Lease): Promise<'marked' | 'lease-lost' | 'superseded'> {
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.outbox(outboxId),
          UpdateExpression: 'SET #sending = :sending, #lease.#until = :until',
          ConditionExpression: `${LEASE_HELD} AND attribute_not_exists(#sending) AND attribute_not_exists(doneAt)`,
          ExpressionAttributeNames: { '#sending': 'sending', '#until': 'until', ...LEASE_NAMES },
          ExpressionAttributeValues: { ':sending': { tokenHash, at }, ':until': lease.untilMs, ':holder': lease.holder },
        },
      },
      {
        ConditionCheck: {
          TableName: this.table,
          Key: keys.contact(contactId),
          ConditionExpression: '#outbox.#id = :outbox AND #portal.#status = :invited AND #invitation.tokenHash = :hash',
          ExpressionAttributeNames: { '#outbox': 'outbox', '#id': 'id', '#portal': 'portal', '#status': 'status', '#invitation': 'invitation' },
          ExpressionAttributeValues: { ':outbox': outboxId, ':invited': 'invited', ':hash': tokenHash },
        },
      },
    ]);
    if (result === true) return 'marked';
    return result === 0 ? 'lease-lost' : 'superseded';
  }

  async clearMailSending(outboxId: string, holder: string): Promise<void> {
    await updateIf(this, {
      Key: keys.outbox(outboxId),
      UpdateExpression: 'REMOVE #sending',
      ConditionExpression: LEASE_HELD,
      ExpressionAttributeNames: { '#sending': 'sending', ...LEASE_NAMES },
      ExpressionAttributeValues: { ':holder': holder },
    });
  }

  async markInvitationSent(contactId: string, tokenHash: string, outboxId: string, at: string): Promise<boolean> {
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contactId),
          UpdateExpression: 'SET #invitation.sentAt = :at, #portal.#delivery = :sent, #updatedAt = :at REMOVE #deliveryError ADD #version :one',
          ConditionExpression: '#invitation.tokenHash = :hash',
          ExpressionAttributeNames: {
            '#invitation': 'invitation',
            '#portal': 'portal',
            '#delivery': 'delivery',
            '#updatedAt': 'updatedAt',
            '#version': 'version',
            '#deliveryError': 'deliveryError',
          },
          ExpressionAttributeValues: { ':at': at, ':sent': 'sent', ':hash': tokenHash, ':one': 1 },
        },
      },
      this.#mailStep(outboxId, at),
    ]);
    return result === true;
  }

  async markDeliveryFailed(contact: ContactRecord, outboxId: string, error: DeliveryError, audit: AuditEntry): Promise<boolean> {
    // The invitation item is dead once the contact no longer names it (accept checks the contact's hash); its TTL removes it.
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          UpdateExpression: 'SET #portal.#delivery = :failed, #deliveryError = :error, #updatedAt = :at REMOVE #invitation ADD #version :one',
          ConditionExpression: '#outbox.#id = :outbox AND #portal.#status = :invited',
          ExpressionAttributeNames: {
            '#portal': 'portal',
            '#delivery': 'delivery',
            '#status': 'status',
            '#deliveryError': 'deliveryError',
            '#updatedAt': 'updatedAt',
            '#invitation': 'invitation',
            '#version': 'version',
            '#outbox': 'outbox',
            '#id': 'id',
          },
          ExpressionAttributeValues: { ':failed': 'failed', ':error': error, ':at': error.at, ':one': 1, ':outbox': outboxId, ':invited': 'invited' },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ]);
    return result === true;
  }

  async withdrawGrant(contact: ContactRecord, outboxId: string, fallback: 'none' | 'revoked', error: DeliveryError, audit: AuditEntry): Promise<boolean> {
    const portal = { status: fallback, ...(fallback === 'revoked' ? { revokedAt: error.at } : {}), delivery: 'failed' };
    const items: TransactItems = [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          // The status partition of the listings (gsi4) moves with the status; the contact is not archived (a condition).
          UpdateExpression: 'SET #portal = :portal, #deliveryError = :error, #updatedAt = :at, gsi4pk = :statusPartition REMOVE #login, #invitation ADD #version :one',
          ConditionExpression: '#outbox.#id = :outbox AND #portal.#status = :invited AND attribute_not_exists(#login.#username) AND #archived = :false',
          ExpressionAttributeNames: {
            '#portal': 'portal',
            '#status': 'status',
            '#deliveryError': 'deliveryError',
            '#updatedAt': 'updatedAt',
            '#login': 'login',
            '#username': 'username',
            '#invitation': 'invitation',
            '#version': 'version',
            '#outbox': 'outbox',
            '#id': 'id',
            '#archived': 'archived',
          },
          ExpressionAttributeValues: {
            ':portal': portal,
            ':error': error,
            ':at': error.at,
            ':one': 1,
            ':outbox': outboxId,
            ':invited': 'invited',
            ':false': false,
            ':statusPartition': keys.contactStatusPartition(fallback),
          },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ];
    if (contact.login) items.push(deleteIfMine(this.table, keys.loginEmail(contact.login.email), contact.id));
    return (await transact(this.db, items)) === true;
  }

  async markLoginDisabled(contactId: string, at: string): Promise<void> {
    // Refused when re-granted meanwhile: the login is enabled again and must not be marked disabled.
    await updateIf(this, {
      Key: keys.contact(contactId),
      UpdateExpression: 'SET #login.disabledAt = :at',
      ConditionExpression: 'attribute_exists(#login.username) AND #portal.#status = :revoked',
      ExpressionAttributeNames: { '#login': 'login', '#portal': 'portal', '#status': 'status' },
      ExpressionAttributeValues: { ':at': at, ':revoked': 'revoked' },
    });
  }
}
