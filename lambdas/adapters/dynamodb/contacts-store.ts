/**
 * The contact store on the single table: one item per contact (`CONTACT#<id>`), listed through
 * gsi1 (a company's persons), gsi2 (all by name) and gsi3 (all by email). Archived contacts carry
 * no index keys, so they leave every listing. See docs/data-model.md.
 */
import { createHash } from 'node:crypto';
import {
  BatchGetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { portalStatusAt } from '../../domain/access-policy';
import type { AuditEntry } from '../../domain/audit';
import type { ContactRecord } from '../../domain/contact-record';
import { listingScope } from '../../domain/listing';
import { CompanyUnavailable, type ContactBatchReader, type ContactPage, type ContactQuery, type ContactStore, type LoginEmailMove } from '../../domain/contacts';
import { Conflict, EmailInUse, Invalid, NotFound, Unavailable } from '../../contract/errors';
import { auditItem } from './audit-store';
import { cancellationReasons, isConditionFailure, isTransactionCancelled } from './conditions';
import { decodeCursor, encodeCursor } from './cursor';
import { DOCUMENT_COUNTS, ENTITY, HOLDINGS, keys, nameFold, nameKey } from '../../contract/keys';
import { DynamoContactReader, toRecord } from './contact-reader';
import { keysLeftUnprocessed, UNPROCESSED_ROUNDS, unprocessedPause } from './unprocessed';

type Item = Record<string, unknown>;

const INDEX_ATTRIBUTES = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk'] as const;
/** The fields a PATCH may change; everything else on the item belongs to its own writer. */
const PATCHABLE = ['name', 'email', 'phone', 'companyId', 'lang'] as const;
const LIVE_PORTAL = [':invited', ':active'];

/**
 * The index keys a contact carries (archived ones in the archived partitions). Writers of `name`,
 * `email`, `companyId` or `archived` set them too; writers of `portal.status` set `gsi4pk`.
 */
export function contactIndexKeys(record: Pick<ContactRecord, 'id' | 'name' | 'email' | 'companyId' | 'archived' | 'portal'>): Record<string, string> {
  const archived = record.archived;
  return {
    ...keys.contactByName(record.name, record.id, archived),
    ...(record.companyId === undefined ? {} : keys.contactByCompany(record.companyId, record.name, record.id, archived)),
    ...(record.email === undefined ? {} : keys.contactByEmail(record.email, record.id, archived)),
    ...keys.contactByPortalStatus(record.portal.status, record.name, record.id, archived),
  };
}

/** A contact's failed condition: `Conflict` when it exists, `NotFound` when it does not (`ALL_OLD` returns it). */
const conditionFailed = (item: unknown) =>
  item ? new Conflict('The contact changed meanwhile.') : new NotFound('No such contact.');

/** One listing: the index, its partition, the sort-key prefix, and the exact test of each row. */
interface Listing {
  index: 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4';
  partition: string;
  prefix: string;
  matches: (item: Item) => boolean;
  /** Whether `matches` may refuse many rows (then read full pages rather than `limit` rows). */
  sparse: boolean;
}

/**
 * The index that serves a query. Each of a company, an email prefix and a portal status has its
 * own index, name prefixes are every index's sort key, archived contacts have partitions of their
 * own: one filter is a `Query` of exactly its rows. Two of them at once read the narrower
 * partition and test each row for the other (a company's persons, or the contacts of an email
 * prefix), so such a page costs at most that partition, never the table.
 */
function listingOf(query: ContactQuery): Listing {
  const namePrefix = query.namePrefix === undefined ? '' : nameKey(query.namePrefix);
  // The key keeps 100 characters of a name: a longer search narrows the Query by its key and is tested whole on each row.
  const nameSearch = query.namePrefix === undefined ? '' : nameFold(query.namePrefix);
  const emailPrefix = query.emailPrefix ?? '';
  const archived = query.archived === true;
  const status = query.portalStatus;
  // The sort keys are `<nameKey or email>#<id>`: a prefix holding '#' could match into the id, so each row is tested too.
  const byName = (item: Item) => nameFold(String(item.name)).startsWith(nameSearch);
  const byEmail = (item: Item) => emailPrefix === '' || (typeof item.email === 'string' && item.email.startsWith(emailPrefix));
  // The status as it reads at the query's moment (an ended `until` is `expired` before the job stores it).
  const at = query.at ?? new Date();
  const byStatus = (item: Item) => status === undefined || (item.portal !== undefined && portalStatusAt(item.portal as ContactRecord['portal'], at) === status);
  if (query.companyId !== undefined)
    return {
      index: 'gsi1',
      partition: keys.contactByCompany(query.companyId, '', '', archived).gsi1pk,
      prefix: namePrefix,
      // An email or status filter within a company reads the company's persons in name order and keeps the matching ones.
      matches: (item) => byName(item) && byEmail(item) && byStatus(item),
      sparse: emailPrefix !== '' || status !== undefined,
    };
  if (emailPrefix !== '')
    return {
      index: 'gsi3',
      partition: keys.contactByEmail('', '', archived).gsi3pk,
      prefix: emailPrefix,
      matches: (item) => byEmail(item) && byStatus(item),
      sparse: status !== undefined,
    };
  if (status !== undefined)
    return { index: 'gsi4', partition: keys.contactStatusPartition(status, archived), prefix: namePrefix, matches: byName, sparse: false };
  return { index: 'gsi2', partition: keys.contactByName('', '', archived).gsi2pk, prefix: namePrefix, matches: byName, sparse: false };
}

/** A cursor is valid for one listing only: its index, partition and search. */
function scopeOf(listing: Listing, query: ContactQuery): string {
  const search = createHash('sha256')
    .update(
      JSON.stringify([
        query.companyId ?? '',
        query.namePrefix === undefined ? '' : nameFold(query.namePrefix),
        query.emailPrefix ?? '',
        query.portalStatus ?? '',
        query.archived === true,
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
  return listingScope('contacts', listing.index, search);
}

/** BatchGetItem's most keys a request. */
const BATCH_KEYS = 100;

/** The whole contact store: the reader's `get`, the listings and the writes. */
export class DynamoContactStore extends DynamoContactReader implements ContactStore, ContactBatchReader {
  /** BatchGetItem by 100 ids, consistent, the requests side by side; unprocessed keys asked again a few rounds (unprocessed.ts). */
  async getMany(ids: readonly string[]): Promise<Map<string, ContactRecord>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, ContactRecord>();
    const chunks = Array.from({ length: Math.ceil(unique.length / BATCH_KEYS) }, (_, i) => unique.slice(i * BATCH_KEYS, (i + 1) * BATCH_KEYS));
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Record<string, unknown>[] = chunk.map((id) => keys.contact(id));
        for (let round = 0; pending.length > 0; round++) {
          if (round === UNPROCESSED_ROUNDS) throw keysLeftUnprocessed();
          if (round > 0) await unprocessedPause(round);
          const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }));
          for (const item of out.Responses?.[this.table] ?? []) if (item.entity === ENTITY.contact) found.set(String(item.id), toRecord(item));
          pending = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
        }
      }),
    );
    return found;
  }

  async create(record: ContactRecord): Promise<void> {
    const put = {
      TableName: this.table,
      // The holdings start at 0 and the per-type counts at none: the documents' and grants' transactions keep them (keys.ts, HOLDINGS, DOCUMENT_COUNTS).
      Item: {
        ...keys.contact(record.id),
        entity: ENTITY.contact,
        ...record,
        ...contactIndexKeys(record),
        [HOLDINGS.documents]: 0,
        [HOLDINGS.grants]: 0,
        [DOCUMENT_COUNTS.kept]: true,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (record.companyId === undefined) {
      try {
        await this.db.send(new PutCommand(put));
      } catch (error) {
        if (isConditionFailure(error)) throw new Conflict('A contact with this id exists.');
        throw error;
      }
      return;
    }
    await this.#transact({ TransactItems: [{ Put: put }, { ConditionCheck: this.#companyCheck(record.companyId) }] }, (error) => {
      const [contact, company] = cancellationReasons(error);
      if (company?.Code === 'ConditionalCheckFailed') return new CompanyUnavailable('The company is missing or archived.');
      if (contact?.Code === 'ConditionalCheckFailed') return new Conflict('A contact with this id exists.');
      return undefined;
    });
  }

  async update(before: ContactRecord, after: ContactRecord, move?: LoginEmailMove): Promise<void> {
    if (move) return this.#updateMovingLogin(before, after, move);
    const update = this.#updateOf(before, after);
    if (after.companyId === undefined || after.companyId === before.companyId) {
      try {
        await this.db.send(new UpdateCommand({ ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      } catch (error) {
        if (isConditionFailure(error)) throw conditionFailed((error as { Item?: unknown }).Item);
        throw error;
      }
      return;
    }
    await this.#transact(
      { TransactItems: [{ Update: { ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } }, { ConditionCheck: this.#companyCheck(after.companyId) }] },
      (error) => {
        const [contact, company] = cancellationReasons(error);
        if (contact?.Code === 'ConditionalCheckFailed') return conditionFailed(contact.Item);
        if (company?.Code === 'ConditionalCheckFailed') return new CompanyUnavailable('The company is missing or archived.');
        return undefined;
      },
    );
  }

  async archive(before: ContactRecord, at: string, audit: AuditEntry): Promise<void> {
    // The index keys move to the archived partitions; they depend on the contact as read, hence its version.
    const archivedKeys = contactIndexKeys({ ...before, archived: true });
    const names = Object.fromEntries(Object.keys(archivedKeys).map((name) => [`#${name}`, name]));
    const values = Object.fromEntries(Object.entries(archivedKeys).map(([name, value]) => [`:${name}`, value]));
    await this.#transact(
      {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.contact(before.id),
              UpdateExpression: `SET archived = :true, version = :next, updatedAt = :at, ${Object.keys(archivedKeys).map((name) => `#${name} = :${name}`).join(', ')}`,
              ConditionExpression: 'attribute_exists(pk) AND archived = :false AND version = :read',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...values, ':true': true, ':false': false, ':read': before.version, ':next': before.version + 1, ':at': at },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          { Put: { TableName: this.table, Item: auditItem(audit) } },
        ],
      },
      (error) => {
        const [contact] = cancellationReasons(error);
        return contact?.Code === 'ConditionalCheckFailed' ? conditionFailed(contact.Item) : undefined;
      },
    );
  }

  async restore(before: ContactRecord, after: ContactRecord, audit: AuditEntry): Promise<void> {
    const liveKeys = contactIndexKeys(after);
    const names: Record<string, string> = { '#login': 'login', '#invitation': 'invitation', '#portal': 'portal', '#status': 'status' };
    const values: Record<string, unknown> = { ':false': false, ':true': true, ':read': before.version, ':next': after.version, ':at': after.updatedAt, ':invited': 'invited', ':active': 'active' };
    for (const [name, value] of Object.entries(liveKeys)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
    }
    await this.#transact(
      {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.contact(before.id),
              UpdateExpression: `SET archived = :false, version = :next, updatedAt = :at, restoredAt = :at, ${Object.keys(liveKeys).map((name) => `#${name} = :${name}`).join(', ')} REMOVE #login, #invitation`,
              // Its access must be revoked already (the archive's revocation finished): restoring never restores access.
              ConditionExpression: `attribute_exists(pk) AND archived = :true AND version = :read AND NOT (#portal.#status IN (${LIVE_PORTAL.join(', ')}))`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          { Put: { TableName: this.table, Item: auditItem(audit) } },
        ],
      },
      (error) => {
        const [contact] = cancellationReasons(error);
        return contact?.Code === 'ConditionalCheckFailed' ? conditionFailed(contact.Item) : undefined;
      },
    );
  }

  /**
   * A change of a contact with a live portal login whose email changes: the contact (its email and
   * its login's), the guard moved from the old address to the new one, the pending invitation dead,
   * the audit entry — one transaction, conditioned on the version read and the login's old email.
   */
  async #updateMovingLogin(before: ContactRecord, after: ContactRecord, move: LoginEmailMove): Promise<void> {
    const update = this.#updateOf(before, after, move);
    const me = before.id;
    const items: TransactWriteCommandInput['TransactItems'] = [
      { Update: { ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.loginEmail(move.to), entity: ENTITY.loginEmail, email: move.to, contactId: me, at: after.updatedAt },
          ConditionExpression: move.takeOverFrom === undefined ? 'attribute_not_exists(pk) OR contactId = :me' : 'contactId = :holder',
          ExpressionAttributeValues: move.takeOverFrom === undefined ? { ':me': me } : { ':holder': move.takeOverFrom },
        },
      },
      {
        Delete: {
          TableName: this.table,
          Key: keys.loginEmail(move.from),
          ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
          ExpressionAttributeValues: { ':me': me },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(move.audit) } },
    ];
    if (before.invitation) items.push({ Delete: { TableName: this.table, Key: keys.invitation(before.invitation.tokenHash) } });
    const companyCheck = after.companyId !== undefined && after.companyId !== before.companyId ? items.length : undefined;
    if (companyCheck !== undefined) items.push({ ConditionCheck: this.#companyCheck(after.companyId as string) });
    await this.#transact({ TransactItems: items }, (error) => {
      const reasons = cancellationReasons(error);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return conditionFailed(reasons[0].Item);
      if (reasons[1]?.Code === 'ConditionalCheckFailed') return new EmailInUse("The email is another contact's portal login.");
      if (companyCheck !== undefined && reasons[companyCheck]?.Code === 'ConditionalCheckFailed') return new CompanyUnavailable('The company is missing or archived.');
      if (reasons[2]?.Code === 'ConditionalCheckFailed') return new Conflict('The login email guard changed meanwhile; repeat the request.');
      return undefined;
    });
  }

  listCompanyPersons(companyId: string, cursor?: string, limit = 100): Promise<ContactPage> {
    return this.list({ companyId, limit, ...(cursor === undefined ? {} : { cursor }) });
  }

  /**
   * One page, in index order. Reads until `limit + 1` rows matched (so a page is never empty while
   * more rows exist, and the last page carries no cursor); the cursor is the last returned row's key.
   */
  async list(query: ContactQuery): Promise<ContactPage> {
    const listing = listingOf(query);
    const scope = scopeOf(listing, query);
    const [pkName, skName] = [`${listing.index}pk`, `${listing.index}sk`];
    let start: Item | undefined = this.#startKey(query.cursor, scope, listing, pkName, skName);
    const found: Item[] = [];
    const want = query.limit + 1;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: listing.index,
          KeyConditionExpression: listing.prefix === '' ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: listing.prefix === '' ? { '#pk': pkName } : { '#pk': pkName, '#sk': skName },
          ExpressionAttributeValues: listing.prefix === '' ? { ':pk': listing.partition } : { ':pk': listing.partition, ':prefix': listing.prefix },
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          ...(listing.sparse ? {} : { Limit: want - found.length }),
        }),
      );
      for (const item of out.Items ?? []) if (found.length < want && listing.matches(item)) found.push(item);
      start = out.LastEvaluatedKey;
    } while (found.length < want && start !== undefined);
    const items = found.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toRecord),
      ...(found.length > query.limit && last
        ? { nextCursor: encodeCursor(scope, { pk: String(last.pk), sk: String(last.sk), [pkName]: String(last[pkName]), [skName]: String(last[skName]) }) }
        : {}),
    };
  }

  /** The cursor's key, only if it is a full key of this listing's partition inside its prefix: anything else is a 400. */
  #startKey(cursor: string | undefined, scope: string, listing: Listing, pkName: string, skName: string): Item | undefined {
    const key = decodeCursor(cursor, scope, ['pk', 'sk', pkName, skName], { [pkName]: listing.partition });
    if (key === undefined) return undefined;
    const usable = ['pk', 'sk', pkName, skName].every((name) => {
      const value = key[name];
      return value !== undefined && value !== '' && Buffer.byteLength(value) <= 1024;
    });
    if (!usable || !String(key[skName]).startsWith(listing.prefix) || !String(key.pk).startsWith('CONTACT#'))
      throw new Invalid('The cursor is not valid for this listing.', 'cursor');
    return key;
  }

  /** The update of the fields that differ, their index keys, the version and the time, under the optimistic conditions. */
  #updateOf(before: ContactRecord, after: ContactRecord, move?: LoginEmailMove) {
    const names: Record<string, string> = { '#version': 'version', '#archived': 'archived' };
    const values: Record<string, unknown> = { ':expected': before.version, ':false': false };
    const set: string[] = [];
    const remove: string[] = [];
    const write = (attribute: string, value: unknown) => {
      names[`#${attribute}`] = attribute;
      if (value === undefined) remove.push(`#${attribute}`);
      else {
        values[`:${attribute}`] = value;
        set.push(`#${attribute} = :${attribute}`);
      }
    };
    for (const field of PATCHABLE) if (before[field] !== after[field]) write(field, after[field]);
    const [oldKeys, newKeys] = [contactIndexKeys(before), contactIndexKeys(after)];
    for (const attribute of INDEX_ATTRIBUTES) if (oldKeys[attribute] !== newKeys[attribute]) write(attribute, newKeys[attribute]);
    write('version', after.version);
    write('updatedAt', after.updatedAt);
    const conditions = ['#version = :expected', '#archived = :false'];
    if (move) {
      // The login moves with the email (its guard in the same transaction); a pending invitation went to the old address.
      Object.assign(names, { '#login': 'login', '#loginEmail': 'email', '#invitation': 'invitation', '#portal': 'portal', '#status': 'status' });
      Object.assign(names, { '#signedOutAt': 'signedOutAt' });
      Object.assign(values, { ':from': move.from, ':to': move.to, ':status': before.portal.status, ':movedAt': move.at });
      set.push('#login.#loginEmail = :to', '#login.#signedOutAt = :movedAt');
      remove.push('#invitation');
      conditions.push('#login.#loginEmail = :from', '#portal.#status = :status');
    } else if (before.email !== after.email) {
      // The email of a live portal login is guarded by the login's own uniqueness item: it cannot move here.
      Object.assign(names, { '#portal': 'portal', '#status': 'status' });
      Object.assign(values, { ':invited': 'invited', ':active': 'active' });
      if (after.email !== undefined) names['#login'] = 'login';
      const keepsLogin = after.email === undefined ? '' : ' OR #login.#email = :email';
      conditions.push(`(NOT (#portal.#status IN (${LIVE_PORTAL.join(', ')}))${keepsLogin})`);
    }
    return {
      TableName: this.table,
      Key: keys.contact(before.id),
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  #companyCheck(companyId: string) {
    return {
      TableName: this.table,
      Key: keys.contact(companyId),
      ConditionExpression: '#kind = :company AND #archived = :false',
      ExpressionAttributeNames: { '#kind': 'kind', '#archived': 'archived' },
      ExpressionAttributeValues: { ':company': 'company', ':false': false },
    };
  }

  /**
   * A transaction; `refusal` names the domain error of a failed condition. A cancellation only by
   * concurrent transactions on the same items (a company's persons all check the company) is retried.
   */
  async #transact(input: TransactWriteCommandInput, refusal: (error: unknown) => Error | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand(input));
        return;
      } catch (error) {
        if (!isTransactionCancelled(error)) throw error;
        const refused = refusal(error);
        if (refused) throw refused;
        const onlyConflicts = cancellationReasons(error).every((r) => r.Code === 'None' || r.Code === 'TransactionConflict');
        if (!onlyConflicts) throw error;
        if (attempt >= 5) throw new Unavailable('The contact is being changed concurrently; please retry.');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }
}
