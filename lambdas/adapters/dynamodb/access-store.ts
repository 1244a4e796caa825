/**
 * The portal-access fields of the contact item (`portal`, `login`, `invitation`, `outbox`,
 * `deliveryError`) and the items beside it, as the requests change them: the login email guard
 * `LOGIN#<email>`, the subject pointer `SUB#<sub>` (released with an archived contact), and the
 * audit entries and outbox items written in the same transaction as their change. Every change is
 * one TransactWriteItems whose conditions are the domain's preconditions; a refused condition is
 * answered as `false` (or which condition refused), never decided here. The worker's writes are
 * delivery-store.ts's, the acceptance's invitation-store.ts's.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../domain/audit';
import type { ContactRecord } from '../../domain/contact-record';
import type { InvitationItem, OutboxItem, ReminderItem, RevocationItem } from '../../domain/outbox';
import type { AccessStore, ClaimAnswer, ClaimResult, Invitation, LoginClaim } from '../../domain/portal-access/ports';
import type { StoredSettings } from '../../domain/portal-access/settings';
import { auditItem } from './audit-store';
import { cancellationReasons, deleteIf, updateIf } from './conditions';
import { DUE_ATTRIBUTES, ENTITY, keys } from '../../contract/keys';
import { DUE_TASKS } from '../../contract/schedule';
import { invitationDuePuts } from './invitation-due';
import { outboxPointer, outboxPut } from './outbox-store';
import { TableStore } from './table-store';
import { deleteIfMine, transact, type TransactItem, type TransactItems } from './transact';

/**
 * The access's end as a due entry (the scheduled job's `access-expiry` partition of the hour), or
 * its removal: `sets` and `removes` for an UpdateExpression, the values to add.
 */
function dueOf(contactId: string, until: string | undefined): { sets: string[]; removes: string[]; values: Record<string, unknown> } {
  if (until === undefined) return { sets: [], removes: [...DUE_ATTRIBUTES], values: {} };
  const due = keys.due(DUE_TASKS.accessExpiry, until, contactId);
  return { sets: ['duepk = :duepk', 'duesk = :duesk'], removes: [], values: { ':duepk': due.duepk, ':duesk': due.duesk } };
}

/** A claim's transaction items: its own (the guard, the contact, the rest) and the company whose check it needs. */
interface ClaimParts {
  guard: TransactItem;
  contact: TransactItem;
  rest: TransactItems;
  company?: string;
}
type IndexedParts = { index: number; parts: ClaimParts };

/** DynamoDB's most items in one transaction. */
const TRANSACTION_ITEMS = 100;
/** Collisions with other transactions tried again, as `transact` does for one claim. */
const CONFLICT_RETRIES = 6;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The company is there and not archived. */
function companyCheck(table: string, companyId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: table,
      Key: keys.contact(companyId),
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false)',
      ExpressionAttributeNames: { '#archived': 'archived' },
      ExpressionAttributeValues: { ':false': false },
    },
  };
}

const itemKey = (item: TransactItem): string => {
  const key = (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as { pk: string; sk: string };
  return `${key.pk}\u0000${key.sk}`;
};

/**
 * Claims in order, in groups that fit one transaction: at most 100 items with one check per company,
 * and no item twice (two claims of one email, one's old guard another's new one, a company's own
 * claim beside its persons' checks of it: different groups, in their order).
 */
function groupClaims(all: readonly ClaimParts[]): IndexedParts[][] {
  const groups: IndexedParts[][] = [];
  let current: IndexedParts[] = [];
  let written = new Set<string>();
  let checked = new Set<string>();
  all.forEach((parts, index) => {
    const own = [parts.guard, parts.contact, ...parts.rest].map(itemKey);
    const check = parts.company === undefined ? undefined : itemKey(companyCheck('', parts.company));
    const collides = () => own.some((key) => written.has(key) || checked.has(key)) || (check !== undefined && written.has(check));
    const size = () => written.size + checked.size + own.length + (check !== undefined && !checked.has(check) ? 1 : 0);
    if (current.length > 0 && (collides() || size() > TRANSACTION_ITEMS)) {
      groups.push(current);
      [current, written, checked] = [[], new Set(), new Set()];
    }
    current.push({ index, parts });
    for (const key of own) written.add(key);
    if (check !== undefined) checked.add(check);
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

export class DynamoAccessStore extends TableStore implements AccessStore {
  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: auditItem(entry) }));
  }

  async loginHolder(email: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.loginEmail(email), ConsistentRead: true }));
    return typeof out.Item?.contactId === 'string' ? out.Item.contactId : undefined;
  }

  async claimLogin(claim: LoginClaim): Promise<ClaimResult> {
    const parts = this.#claimParts(claim);
    const company = parts.company ? [companyCheck(this.table, parts.company)] : [];
    // Its order: the guard (0), the contact (1), the company's check (2, a person's), the rest.
    const result = await transact(this.db, [parts.guard, parts.contact, ...company, ...parts.rest]);
    if (result === true) return 'claimed';
    if (result === 0) return 'email-taken';
    return company.length > 0 && result === 2 ? 'company-archived' : 'contact-changed';
  }

  /**
   * Several claims, as many to a transaction as DynamoDB takes (100 items; a company's check once
   * for all its persons there). A transaction DynamoDB cancels names, per item, the conditions that
   * refused: the claims they belong to are tried alone (`claimLogin`: the answer each would have had
   * alone), the others together again. A mere collision with another transaction is tried again a
   * few times, then — as any other failure of a shared transaction — every claim of it alone.
   */
  async claimLogins(claims: readonly LoginClaim[]): Promise<ClaimAnswer[]> {
    const answers: ClaimAnswer[] = new Array(claims.length);
    const alone = async (index: number) => {
      try {
        answers[index] = await this.claimLogin(claims[index]!);
      } catch (error) {
        answers[index] = { error };
      }
    };
    for (const group of groupClaims(claims.map((claim) => this.#claimParts(claim)))) {
      let pending = group;
      for (let attempt = 0; pending.length > 1; attempt++) {
        const outcome = await this.#claimTogether(pending);
        if (outcome === 'claimed') {
          for (const { index } of pending) answers[index] = 'claimed';
          pending = [];
        } else if (outcome === 'collided' && attempt < CONFLICT_RETRIES) {
          await pause(20 * 2 ** attempt + Math.random() * 50);
        } else if (outcome === 'collided' || outcome === 'failed') {
          break;
        } else {
          for (const index of outcome.refused) await alone(index);
          pending = pending.filter(({ index }) => !outcome.refused.has(index));
        }
      }
      for (const { index } of pending) await alone(index);
    }
    return answers;
  }

  /** One transaction of several claims' items: written, refused (by which claims), collided, or failed otherwise. */
  async #claimTogether(group: readonly IndexedParts[]): Promise<'claimed' | 'collided' | 'failed' | { refused: Set<number> }> {
    const companies = [...new Set(group.flatMap(({ parts }) => (parts.company ? [parts.company] : [])))];
    const owners: number[][] = [];
    const items: TransactItems = [];
    for (const { index, parts } of group) {
      for (const item of [parts.guard, parts.contact, ...parts.rest]) {
        items.push(item);
        owners.push([index]);
      }
    }
    for (const company of companies) {
      items.push(companyCheck(this.table, company));
      owners.push(group.filter(({ parts }) => parts.company === company).map(({ index }) => index));
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'claimed';
    } catch (error) {
      const reasons = cancellationReasons(error);
      const refused = new Set(reasons.flatMap((reason, i) => (reason.Code === 'ConditionalCheckFailed' ? (owners[i] ?? []) : [])));
      if (refused.size > 0) return { refused };
      if (reasons.some((reason) => reason.Code === 'TransactionConflict') || (error as { name?: string }).name === 'TransactionConflictException') return 'collided';
      return 'failed';
    }
  }

  /** A claim's items: the guard, the contact, what else it writes; its company (whose check it needs) apart. */
  #claimParts({ contact, email, storeEmail, at, takeOverFrom, outbox, audit, settings, sameVersion }: LoginClaim): ClaimParts {
    const me = contact.id;
    const previous = contact.login;
    const sameLogin = previous?.email === email;
    const read = contact.portal.status;
    const due = dueOf(me, settings.until);
    // The status partition of the listings (gsi4) moves with the status; the contact is not archived (a condition).
    const sets = ['#portal = :portal', '#updatedAt = :at', '#outbox = :outbox', 'gsi4pk = :statusPartition', ...due.sets];
    const values: Record<string, unknown> = {
      ...due.values,
      ':portal': { status: 'invited', invitedAt: at, delivery: 'queued', ...settings },
      ':outbox': outboxPointer(outbox),
      ':statusPartition': keys.contactStatusPartition('invited'),
      ':at': at,
      ':one': 1,
      ':read': read,
      ':false': false,
      ...(sameVersion ? { ':version': contact.version } : {}),
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
    const removes = ['#invitation', '#deliveryError', 'expiryClaim', ...due.removes, ...(sameLogin ? ['#login.disabledAt'] : [])];
    const rest: TransactItems = [];
    // A re-grant with another email: the old login's guard and subject pointer no longer name this contact.
    if (previous && !sameLogin) {
      rest.push(deleteIfMine(this.table, keys.loginEmail(previous.email), me));
      if (previous.sub) rest.push(deleteIfMine(this.table, keys.loginSubject(previous.sub), me));
    }
    rest.push(outboxPut(this.table, outbox), { Put: { TableName: this.table, Item: auditItem(audit) } });
    return {
      guard: {
        Put: {
          TableName: this.table,
          Item: { ...keys.loginEmail(email), entity: ENTITY.loginEmail, email, contactId: me, at },
          ConditionExpression: takeOverFrom === undefined ? 'attribute_not_exists(pk) OR contactId = :me' : 'contactId = :holder',
          ExpressionAttributeValues: takeOverFrom === undefined ? { ':me': me } : { ':holder': takeOverFrom },
        },
      },
      contact: {
        Update: {
          TableName: this.table,
          Key: keys.contact(me),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')} ADD #version :one`,
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false) AND ${statusAsRead}${sameVersion ? ' AND #version = :version' : ''}`,
          ExpressionAttributeNames: {
            '#portal': 'portal',
            '#status': 'status',
            '#archived': 'archived',
            '#updatedAt': 'updatedAt',
            '#invitation': 'invitation',
            '#version': 'version',
            '#login': 'login',
            '#outbox': 'outbox',
            '#deliveryError': 'deliveryError',
          },
          ExpressionAttributeValues: values,
        },
      },
      // A person of a company gets no access once the company is archived (its archive revokes them all).
      ...(contact.companyId === undefined ? {} : { company: contact.companyId }),
      rest,
    };
  }

  async requeueInvitation(contact: ContactRecord, item: InvitationItem, audit: AuditEntry | undefined): Promise<boolean | 'exists'> {
    const hash = contact.invitation?.tokenHash;
    const pointer = this.#pointAt(contact, item, 'invited', { '#portal.#delivery': ':queued' }, { ':queued': 'queued' });
    const update = pointer.Update!;
    // And still the link it was read with: one shared or issued meanwhile is the link to kill, and
    // the Delete below names only the one read.
    update.ConditionExpression = `${update.ConditionExpression} AND ${hash ? '#invitation.tokenHash = :hash' : 'attribute_not_exists(#invitation)'}`;
    update.ExpressionAttributeNames = { ...update.ExpressionAttributeNames, '#invitation': 'invitation' };
    if (hash) update.ExpressionAttributeValues = { ...update.ExpressionAttributeValues, ':hash': hash };
    const items: TransactItems = [
      pointer,
      outboxPut(this.table, item),
      ...(audit ? [{ Put: { TableName: this.table, Item: auditItem(audit) } }] : []),
      // The current link dies now, not when the worker issues the next one (the contact keeps the
      // invitation's dates until then; an accept finds no invitation item and is refused).
      ...(hash ? [{ Delete: { TableName: this.table, Key: keys.invitation(hash) } }] : []),
    ];
    const result = await transact(this.db, items);
    // Only the outbox item's condition refused it (the contact is as read): that item exists already.
    return result === true || (result === 1 ? 'exists' : false);
  }

  async requeueRevocation(contact: ContactRecord, item: RevocationItem): Promise<boolean> {
    // Archived or not, as read: the revocation of an archived contact must still complete.
    const items: TransactItems = [this.#pointAt(contact, item, 'revoked', {}, {}, 'as-read'), outboxPut(this.table, item)];
    return (await transact(this.db, items)) === true;
  }

  /**
   * The contact names `item` as its outbox item now (and `sets`, `#path: :value` pairs), if it is
   * not archived (`archived: 'as-read'`: archived as it was read), has the status `status`, and
   * still names the outbox item it was read with (or none).
   */
  #pointAt(
    contact: ContactRecord,
    item: OutboxItem,
    status: 'invited' | 'revoked',
    sets: Record<string, string> = {},
    setValues: Record<string, unknown> = {},
    archived: 'not' | 'as-read' = 'not',
  ): TransactItem {
    const previous = contact.outbox?.id;
    const archive =
      archived === 'as-read' && contact.archived
        ? { condition: '#archived = :true', values: { ':true': true } }
        : { condition: '(attribute_not_exists(#archived) OR #archived = :false)', values: { ':false': false } };
    const assignments = ['#outbox = :outbox', '#updatedAt = :at', ...Object.entries(sets).map(([path, value]) => `${path} = ${value}`)];
    return {
      Update: {
        TableName: this.table,
        Key: keys.contact(contact.id),
        UpdateExpression: `SET ${assignments.join(', ')} REMOVE #deliveryError ADD #version :one`,
        ConditionExpression: `attribute_exists(pk) AND ${archive.condition} AND #portal.#status = :status AND ${previous ? '#outbox.#id = :previous' : 'attribute_not_exists(#outbox)'}`,
        ExpressionAttributeNames: {
          '#outbox': 'outbox',
          // Only a condition on the previous item names its id, and DynamoDB refuses a name no expression uses.
          ...(previous ? { '#id': 'id' } : {}),
          '#updatedAt': 'updatedAt',
          '#deliveryError': 'deliveryError',
          '#version': 'version',
          '#archived': 'archived',
          '#portal': 'portal',
          '#status': 'status',
          ...(Object.keys(sets).some((path) => path.includes('#delivery')) ? { '#delivery': 'delivery' } : {}),
        },
        ExpressionAttributeValues: {
          ':outbox': outboxPointer(item),
          ':at': item.at,
          ':one': 1,
          ...archive.values,
          ':status': status,
          ...(previous ? { ':previous': previous } : {}),
          ...setValues,
        },
      },
    };
  }

  async shareInvitation(contact: ContactRecord, invitation: Invitation, audit: AuditEntry): Promise<boolean> {
    const previous = contact.invitation?.tokenHash;
    const outbox = contact.outbox?.id;
    const names: Record<string, string> = {
      '#invitation': 'invitation',
      '#portal': 'portal',
      '#status': 'status',
      '#delivery': 'delivery',
      '#outbox': 'outbox',
      '#login': 'login',
      '#sub': 'sub',
      '#archived': 'archived',
      '#updatedAt': 'updatedAt',
      '#version': 'version',
      '#deliveryError': 'deliveryError',
      ...(outbox ? { '#id': 'id' } : {}),
    };
    const values: Record<string, unknown> = {
      ':invitation': invitation,
      ':invited': 'invited',
      ':false': false,
      ':at': audit.at,
      ':one': 1,
      ...(previous ? { ':previous': previous } : {}),
      ...(outbox ? { ':outbox': outbox } : {}),
    };
    const conditions = [
      'attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false) AND #portal.#status = :invited',
      // The Cognito user is recorded (the worker made it): the link can be accepted.
      'attribute_exists(#login.#sub)',
      previous ? '#invitation.tokenHash = :previous' : 'attribute_not_exists(#invitation)',
      outbox ? '#outbox.#id = :outbox' : 'attribute_not_exists(#outbox)',
    ];
    const items: TransactItems = [
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.invitation(invitation.tokenHash), entity: ENTITY.invitation, contactId: contact.id, expiresAt: invitation.expiresAt, ttl: Math.ceil(Date.parse(invitation.expiresAt) / 1000) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          // No outbox item follows the record now (one on its way is superseded); no email, so no delivery to show.
          UpdateExpression: 'SET #invitation = :invitation, #updatedAt = :at REMOVE #outbox, #portal.#delivery, #deliveryError ADD #version :one',
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      ...(previous ? [{ Delete: { TableName: this.table, Key: keys.invitation(previous) } }] : []),
      ...invitationDuePuts(this.table, contact.id, invitation),
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ];
    return (await transact(this.db, items)) === true;
  }

  async queueReminder(contact: ContactRecord, item: ReminderItem): Promise<boolean> {
    const hash = contact.invitation?.tokenHash;
    if (!hash) return false;
    const pointer = this.#pointAt(contact, item, 'invited');
    const update = pointer.Update!;
    // And still the invitation it was read with, not reminded yet.
    update.ConditionExpression = `${update.ConditionExpression} AND #invitation.tokenHash = :hash AND attribute_not_exists(#invitation.remindedAt)`;
    update.ExpressionAttributeNames = { ...update.ExpressionAttributeNames, '#invitation': 'invitation' };
    update.ExpressionAttributeValues = { ...update.ExpressionAttributeValues, ':hash': hash };
    return (await transact(this.db, [pointer, outboxPut(this.table, item)])) === true;
  }

  async markInvitationExpired(contact: ContactRecord, at: string, audit: AuditEntry): Promise<boolean> {
    const invitation = contact.invitation;
    if (!invitation) return false;
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          UpdateExpression: 'SET #invitation.expiredAt = :at, #updatedAt = :at ADD #version :one',
          ConditionExpression:
            '#portal.#status = :invited AND #invitation.tokenHash = :hash AND attribute_not_exists(#invitation.acceptedAt) AND attribute_not_exists(#invitation.expiredAt)',
          ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#invitation': 'invitation', '#updatedAt': 'updatedAt', '#version': 'version' },
          ExpressionAttributeValues: { ':at': at, ':invited': 'invited', ':hash': invitation.tokenHash, ':one': 1 },
        },
      },
      // The link dies with it (accept checks the expiry too; this removes the item before its TTL).
      { Delete: { TableName: this.table, Key: keys.invitation(invitation.tokenHash) } },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ]);
    return result === true;
  }

  async revoke(contact: ContactRecord, at: string, audit: AuditEntry, releaseLogin: boolean, outbox: RevocationItem, keepExpiry = false): Promise<boolean> {
    // An invitation still queued is never sent now (its item is superseded): the line must not say
    // `queued` for good. Conditioned on `queued` as read: had the worker marked it `sent` meanwhile,
    // the revocation reads again (revoke.ts) and `sent` stays.
    const unsent = contact.portal.delivery === 'queued';
    // An end still to be announced keeps its due entry and claim: the scheduled job announces it.
    const expiry = keepExpiry ? '' : `, expiryClaim, ${DUE_ATTRIBUTES.join(', ')}`;
    const items: TransactItems = [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          UpdateExpression: `SET #portal.#status = :revoked, #portal.revokedAt = :at, #updatedAt = :at, #outbox = :outbox, gsi4pk = :statusPartition REMOVE #invitation${expiry}${unsent ? ', #portal.#delivery' : ''} ADD #version :one`,
          // Archived as read, so that the status partition (archived ones apart) is the right one.
          ConditionExpression: `#portal.#status = :read AND #archived = :archived${unsent ? ' AND #portal.#delivery = :queued' : ''}`,
          ExpressionAttributeNames: {
            '#portal': 'portal',
            '#status': 'status',
            '#updatedAt': 'updatedAt',
            '#invitation': 'invitation',
            '#version': 'version',
            '#archived': 'archived',
            '#outbox': 'outbox',
            ...(unsent ? { '#delivery': 'delivery' } : {}),
          },
          ExpressionAttributeValues: {
            ':revoked': 'revoked',
            ':at': at,
            ':read': contact.portal.status,
            ':one': 1,
            ':archived': contact.archived,
            ':statusPartition': keys.contactStatusPartition('revoked', contact.archived),
            ':outbox': outboxPointer(outbox),
            ...(unsent ? { ':queued': 'queued' } : {}),
          },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
      outboxPut(this.table, outbox),
    ];
    if (contact.invitation) items.push({ Delete: { TableName: this.table, Key: keys.invitation(contact.invitation.tokenHash) } });
    if (releaseLogin && contact.login) {
      items.push(deleteIfMine(this.table, keys.loginEmail(contact.login.email), contact.id));
      if (contact.login.sub) items.push(deleteIfMine(this.table, keys.loginSubject(contact.login.sub), contact.id));
    }
    const result = await transact(this.db, items);
    if (result === true) return true;
    if (result === 0) return false;
    throw new Error(`revoke refused by item ${result}`);
  }

  async releaseLogin(login: { email: string; sub?: string }, contactId: string): Promise<void> {
    const keysOf = [keys.loginEmail(login.email), ...(login.sub ? [keys.loginSubject(login.sub)] : [])];
    for (const key of keysOf) await deleteIf(this, { Key: key, ConditionExpression: 'contactId = :me', ExpressionAttributeValues: { ':me': contactId } });
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
    // As a revocation does: an invitation still queued is never sent now (the worker finds the contact
    // no longer invited), so the line must not say `queued` for good. Conditioned on `queued` as read:
    // had the worker marked it `sent` meanwhile, this run answers pending and the next one reads again.
    const unsent = contact.portal.delivery === 'queued';
    const items: TransactItems = [
      {
        Update: {
          TableName: this.table,
          Key: keys.contact(contact.id),
          UpdateExpression: `SET #portal.#status = :expired, expiryClaim = :claim, #updatedAt = :claim, gsi4pk = :statusPartition REMOVE #invitation${unsent ? ', #portal.#delivery' : ''} ADD #version :one`,
          // Archived as read, so that the status partition of the listings (archived ones apart) is the right one.
          ConditionExpression: `#portal.#status = :read AND #portal.#until = :until AND #archived = :archived${unsent ? ' AND #portal.#delivery = :queued' : ''}`,
          ExpressionAttributeNames: {
            '#portal': 'portal',
            '#status': 'status',
            '#until': 'until',
            '#updatedAt': 'updatedAt',
            '#invitation': 'invitation',
            '#version': 'version',
            '#archived': 'archived',
            ...(unsent ? { '#delivery': 'delivery' } : {}),
          },
          ExpressionAttributeValues: {
            ...(unsent ? { ':queued': 'queued' } : {}),
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

  async claimExpiry(contactId: string, until: string, previous: string | undefined, claim: string, audit?: AuditEntry): Promise<boolean> {
    const claimed = {
      Key: keys.contact(contactId),
      UpdateExpression: 'SET expiryClaim = :claim',
      // Expired, or revoked since its end (revoke keeps the due entry of an end not yet announced).
      ConditionExpression: `#portal.#status IN (:expired, :revoked) AND #portal.#until = :until AND ${previous === undefined ? 'attribute_not_exists(expiryClaim)' : 'expiryClaim = :previous'}`,
      ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#until': 'until' },
      ExpressionAttributeValues: { ':claim': claim, ':expired': 'expired', ':revoked': 'revoked', ':until': until, ...(previous === undefined ? {} : { ':previous': previous }) },
    };
    if (!audit) return updateIf(this, claimed);
    return (await transact(this.db, [{ Update: { TableName: this.table, ...claimed } }, { Put: { TableName: this.table, Item: auditItem(audit) } }])) === true;
  }

  async expiryAnnounced(contactId: string, until: string): Promise<void> {
    await updateIf(this, {
      Key: keys.contact(contactId),
      UpdateExpression: `SET expiryAnnounced = :until REMOVE expiryClaim, ${DUE_ATTRIBUTES.join(', ')}`,
      ConditionExpression: '#portal.#status IN (:expired, :revoked) AND #portal.#until = :until',
      ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#until': 'until' },
      ExpressionAttributeValues: { ':expired': 'expired', ':revoked': 'revoked', ':until': until },
    });
  }
}
