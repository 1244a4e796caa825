/**
 * The portal-access fields of the contact item (`portal`, `login`, `invitation`) and the items
 * beside it: the login email guard `LOGIN#<email>`, the subject pointer `SUB#<sub>`, invitations
 * `INVITATION#<sha256>`, and audit entries (written in the same transaction as their change).
 * Every multi-item change is one TransactWriteItems whose conditions are the domain's preconditions;
 * a refused condition is answered as `false` (or which condition refused), never decided here.
 */
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../domain/audit';
import type { ContactRecord } from '../../domain/contact-record';
import type { AccessStore, ClaimResult, Invitation, InvitationRecord, LoginClaim, LoginRecord } from '../../domain/portal-access/ports';
import type { StoredSettings } from '../../domain/portal-access/settings';
import { auditItem } from './audit-store';
import { cancellationReasons, deleteIf, updateIf } from './conditions';
import { DUE_ATTRIBUTES, ENTITY, keys } from '../../contract/keys';
import { DUE_TASKS } from '../../contract/schedule';
import { TableStore } from './table-store';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;
type TransactItem = TransactItems[number];

const CONFLICT_RETRIES = 6;

/**
 * The access's end as a due entry (the scheduled job's `access-expiry` partition of the hour), or
 * its removal: `sets` and `removes` for an UpdateExpression, the values to add.
 */
function dueOf(contactId: string, until: string | undefined): { sets: string[]; removes: string[]; values: Record<string, unknown> } {
  if (until === undefined) return { sets: [], removes: [...DUE_ATTRIBUTES], values: {} };
  const due = keys.due(DUE_TASKS.accessExpiry, until, contactId);
  return { sets: ['duepk = :duepk', 'duesk = :duesk'], removes: [], values: { ':duepk': due.duepk, ':duesk': due.duesk } };
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One transaction. `true` when written; otherwise the index of the first item whose condition
 * failed. Transactions that merely collided with another one on the same items are retried.
 */
async function transact(db: DynamoDBDocumentClient, items: TransactItems): Promise<true | number> {
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

export class DynamoAccessStore extends TableStore implements AccessStore {
  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: auditItem(entry) }));
  }

  async loginHolder(email: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.loginEmail(email), ConsistentRead: true }));
    return typeof out.Item?.contactId === 'string' ? out.Item.contactId : undefined;
  }

  async subjectHolder(sub: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.loginSubject(sub), ConsistentRead: true }));
    return typeof out.Item?.contactId === 'string' ? out.Item.contactId : undefined;
  }

  async claimLogin({ contact, email, storeEmail, at, takeOverFrom, settings }: LoginClaim): Promise<ClaimResult> {
    const me = contact.id;
    const previous = contact.login;
    const sameLogin = previous?.email === email;
    const read = contact.portal.status;
    const due = dueOf(me, settings.until);
    // The status partition of the listings (gsi4) moves with the status; the contact is not archived (a condition).
    const sets = ['#portal = :portal', '#updatedAt = :at', 'gsi4pk = :statusPartition', ...due.sets];
    const values: Record<string, unknown> = {
      ...due.values,
      ':portal': { status: 'invited', invitedAt: at, ...settings },
      ':statusPartition': keys.contactStatusPartition('invited'),
      ':at': at,
      ':one': 1,
      ':read': read,
      ':false': false,
    };
    if (!sameLogin) {
      sets.push('#login = :login');
      values[':login'] = { email };
    }
    if (storeEmail) {
      sets.push('email = :email', 'gsi3pk = :gsi3pk', 'gsi3sk = :gsi3sk');
      const byEmail = keys.contactByEmail(email, me);
      Object.assign(values, { ':email': email, ':gsi3pk': byEmail.gsi3pk, ':gsi3sk': byEmail.gsi3sk });
    }
    const statusAsRead = read === 'none' ? '(attribute_not_exists(#portal) OR #portal.#status = :read)' : '#portal.#status = :read';
    // The same login, re-granted: the grant enables it next, so it is no longer "disabled by a revocation".
    const removes = ['#invitation', 'expiryClaim', ...due.removes, ...(sameLogin ? ['#login.disabledAt'] : [])];
    const items: TransactItems = [
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.loginEmail(email), entity: ENTITY.loginEmail, email, contactId: me, at },
          ConditionExpression: takeOverFrom === undefined ? 'attribute_not_exists(pk) OR contactId = :me' : 'contactId = :holder',
          ExpressionAttributeValues: takeOverFrom === undefined ? { ':me': me } : { ':holder': takeOverFrom },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(me),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')} ADD #version :one`,
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false) AND ${statusAsRead}`,
          ExpressionAttributeNames: {
            '#portal': 'portal',
            '#status': 'status',
            '#archived': 'archived',
            '#updatedAt': 'updatedAt',
            '#invitation': 'invitation',
            '#version': 'version',
            '#login': 'login',
          },
          ExpressionAttributeValues: values,
        },
      },
    ];
    // A person of a company gets no access once the company is archived (its archive revokes them all).
    const companyCheck = contact.companyId === undefined ? undefined : items.length;
    if (contact.companyId !== undefined)
      items.push({
        ConditionCheck: {
          TableName: this.table,
          Key: keys.contact(contact.companyId),
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false)',
          ExpressionAttributeNames: { '#archived': 'archived' },
          ExpressionAttributeValues: { ':false': false },
        },
      });
    // A re-grant with another email: the old login's guard and subject pointer no longer name this contact.
    if (previous && !sameLogin) {
      items.push(this.#deleteIfMine(keys.loginEmail(previous.email), me));
      if (previous.sub) items.push(this.#deleteIfMine(keys.loginSubject(previous.sub), me));
    }
    const result = await transact(this.db, items);
    if (result === true) return 'claimed';
    if (result === companyCheck) return 'company-archived';
    return result === 0 ? 'email-taken' : 'contact-changed';
  }

  #deleteIfMine(key: { pk: string; sk: string }, me: string): TransactItem {
    return {
      Delete: {
        TableName: this.table,
        Key: key,
        ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
        ExpressionAttributeValues: { ':me': me },
      },
    };
  }

  async replaceInvitation(contactId: string, invitation: Invitation, previousHash: string | undefined, login?: LoginRecord): Promise<boolean> {
    const names: Record<string, string> = { '#invitation': 'invitation', '#portal': 'portal', '#status': 'status' };
    const values: Record<string, unknown> = { ':invitation': invitation, ':invited': 'invited', ...(previousHash ? { ':previous': previousHash } : {}) };
    const conditions = ['#portal.#status = :invited', previousHash ? '#invitation.tokenHash = :previous' : 'attribute_not_exists(#invitation)'];
    const sets = ['#invitation = :invitation'];
    if (login) {
      Object.assign(names, { '#login': 'login' });
      Object.assign(values, { ':login': login, ':loginEmail': login.email });
      conditions.push('#login.email = :loginEmail');
      sets.push('#login = :login');
    }
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
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    if (previousHash) items.push({ Delete: { TableName: this.table, Key: keys.invitation(previousHash) } });
    // We hold the email's guard and this Cognito user has that email; but a subject another contact links stays theirs.
    if (login)
      items.push({
        Put: {
          TableName: this.table,
          Item: { ...keys.loginSubject(login.sub), entity: ENTITY.loginSubject, contactId, sub: login.sub },
          ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
          ExpressionAttributeValues: { ':me': contactId },
        },
      });
    return (await transact(this.db, items)) === true;
  }

  async dropUnsentInvitation(contactId: string, tokenHash: string): Promise<void> {
    // One item only: the invitation item is dead once the contact no longer names it (accept checks
    // `contact.invitation.tokenHash`), and its TTL removes it.
    await updateIf(this, {
      Key: keys.contact(contactId),
      UpdateExpression: 'REMOVE #invitation',
      ConditionExpression: '#invitation.tokenHash = :hash AND attribute_not_exists(#invitation.sentAt)',
      ExpressionAttributeNames: { '#invitation': 'invitation' },
      ExpressionAttributeValues: { ':hash': tokenHash },
    });
  }

  async markInvitationSent(contactId: string, tokenHash: string, at: string, audit: AuditEntry): Promise<boolean> {
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contactId),
          UpdateExpression: 'SET #invitation.sentAt = :at, #portal.delivery = :sent, #updatedAt = :at ADD #version :one',
          ConditionExpression: '#invitation.tokenHash = :hash',
          ExpressionAttributeNames: { '#invitation': 'invitation', '#portal': 'portal', '#updatedAt': 'updatedAt', '#version': 'version' },
          ExpressionAttributeValues: { ':at': at, ':sent': 'sent', ':hash': tokenHash, ':one': 1 },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ]);
    return result === true;
  }

  async revoke(contact: ContactRecord, at: string, audit: AuditEntry, releaseLogin: boolean): Promise<boolean> {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          UpdateExpression: `SET #portal.#status = :revoked, #portal.revokedAt = :at, #updatedAt = :at, gsi4pk = :statusPartition REMOVE #invitation, expiryClaim, ${DUE_ATTRIBUTES.join(', ')} ADD #version :one`,
          // Archived as read, so that the status partition (archived ones apart) is the right one.
          ConditionExpression: '#portal.#status = :read AND #archived = :archived',
          ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#updatedAt': 'updatedAt', '#invitation': 'invitation', '#version': 'version', '#archived': 'archived' },
          ExpressionAttributeValues: {
            ':revoked': 'revoked',
            ':at': at,
            ':read': contact.portal.status,
            ':one': 1,
            ':archived': contact.archived,
            ':statusPartition': keys.contactStatusPartition('revoked', contact.archived),
          },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ];
    if (contact.invitation) items.push({ Delete: { TableName: this.table, Key: keys.invitation(contact.invitation.tokenHash) } });
    if (releaseLogin && contact.login) {
      items.push(this.#deleteIfMine(keys.loginEmail(contact.login.email), contact.id));
      if (contact.login.sub) items.push(this.#deleteIfMine(keys.loginSubject(contact.login.sub), contact.id));
    }
    const result = await transact(this.db, items);
    if (result === true) return true;
    if (result === 0) return false;
    throw new Error(`revoke refused by item ${result}`);
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

  async releaseLogin(login: { email: string; sub?: string }, contactId: string): Promise<void> {
    const keysOf = [keys.loginEmail(login.email), ...(login.sub ? [keys.loginSubject(login.sub)] : [])];
    for (const key of keysOf) await deleteIf(this, { Key: key, ConditionExpression: 'contactId = :me', ExpressionAttributeValues: { ':me': contactId } });
  }

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

  async updateSettings(contact: ContactRecord, settings: StoredSettings, at: string, audit: AuditEntry): Promise<boolean> {
    const due = dueOf(contact.id, settings.until);
    const names: Record<string, string> = { '#portal': 'portal', '#status': 'status', '#archived': 'archived', '#updatedAt': 'updatedAt', '#version': 'version' };
    const values: Record<string, unknown> = { ...due.values, ':read': contact.portal.status, ':false': false, ':at': at, ':one': 1 };
    const sets = ['#updatedAt = :at', ...due.sets];
    const removes = [...due.removes];
    for (const field of ['scope', 'types', 'until'] as const) {
      names[`#${field}`] = field;
      const value = settings[field];
      if (value === undefined) removes.push(`#portal.#${field}`);
      else {
        values[`:${field}`] = value;
        sets.push(`#portal.#${field} = :${field}`);
      }
    }
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''} ADD #version :one`,
          ConditionExpression: '#portal.#status = :read AND #archived = :false',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ]);
    return result === true;
  }

  async markExpired(contact: ContactRecord, claim: string, audit: AuditEntry): Promise<boolean> {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          UpdateExpression: 'SET #portal.#status = :expired, expiryClaim = :claim, #updatedAt = :claim, gsi4pk = :statusPartition REMOVE #invitation ADD #version :one',
          // Archived as read, so that the status partition of the listings (archived ones apart) is the right one.
          ConditionExpression: '#portal.#status = :read AND #portal.#until = :until AND #archived = :archived',
          ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#until': 'until', '#updatedAt': 'updatedAt', '#invitation': 'invitation', '#version': 'version', '#archived': 'archived' },
          ExpressionAttributeValues: {
            ':expired': 'expired',
            ':claim': claim,
            ':read': contact.portal.status,
            ':until': contact.portal.until,
            ':one': 1,
            ':archived': contact.archived,
            ':statusPartition': keys.contactStatusPartition('expired', contact.archived),
          },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ];
    // The invitation link dies with the access (accept checks the contact too; this removes the item).
    if (contact.invitation) items.push({ Delete: { TableName: this.table, Key: keys.invitation(contact.invitation.tokenHash) } });
    return (await transact(this.db, items)) === true;
  }

  claimExpiry(contactId: string, until: string, previous: string | undefined, claim: string): Promise<boolean> {
    return updateIf(this, {
      Key: keys.contact(contactId),
      UpdateExpression: 'SET expiryClaim = :claim',
      ConditionExpression: `#portal.#status = :expired AND #portal.#until = :until AND ${previous === undefined ? 'attribute_not_exists(expiryClaim)' : 'expiryClaim = :previous'}`,
      ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#until': 'until' },
      ExpressionAttributeValues: { ':claim': claim, ':expired': 'expired', ':until': until, ...(previous === undefined ? {} : { ':previous': previous }) },
    });
  }

  async expiryAnnounced(contactId: string, until: string): Promise<void> {
    await updateIf(this, {
      Key: keys.contact(contactId),
      UpdateExpression: `SET expiryAnnounced = :until REMOVE expiryClaim, ${DUE_ATTRIBUTES.join(', ')}`,
      ConditionExpression: '#portal.#status = :expired AND #portal.#until = :until',
      ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#until': 'until' },
      ExpressionAttributeValues: { ':expired': 'expired', ':until': until },
    });
  }
}
