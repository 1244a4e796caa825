/**
 * Share links on the single table (contract/keys.ts, docs/data-model.md): the link item
 * `LINK#<sha256(token)> / LINK` holds everything the link's holder needs (one GetItem, one UpdateItem
 * per view); its entry `DOC#<type>#<id> / LINK#<linkId>` in the document's item collection lets staff
 * list and revoke by id (one strongly consistent Query); the guard `DOC#<type>#<id> / LINKS` carries
 * the version that serialises creations. Both items of a link carry the same TTL.
 */
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentType } from '../../contract/document-types';
import { ENTITY, keys } from '../../contract/keys';
import type { AuditEntry } from '../../domain/audit';
import { keptUntil, type ShareLink } from '../../domain/share-links/links';
import type { SharedLinkReader, ShareLinkStore } from '../../domain/share-links/ports';
import { auditItem } from './audit-store';
import { cancellationReasons, updateIf } from './conditions';
import { TableStore } from './table-store';
import { keysLeftUnprocessed, UNPROCESSED_ROUNDS, unprocessedPause } from './unprocessed';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const FIELDS = ['id', 'tokenHash', 'type', 'documentId', 'documentCreatedAt', 'documentCustomerId', 'contactId', 'createdBy', 'createdAt', 'expiresAt', 'maxViews', 'views', 'revokedAt'] as const;
/** BatchGetItem takes at most 100 keys. */
const BATCH = 100;

const epochSeconds = (at: Date) => Math.ceil(at.getTime() / 1000);

function toLink(item: Item): ShareLink {
  const link: Item = {};
  for (const field of FIELDS) if (item[field] !== undefined) link[field] = item[field];
  link.views = Number(item.views ?? 0);
  if (item.maxViews !== undefined) link.maxViews = Number(item.maxViews);
  return link as unknown as ShareLink;
}

/** A transaction refused by one of its conditions (or by a concurrent one): the domain reads again. */
function refused(error: unknown): boolean {
  if ((error as { name?: string } | null)?.name === 'TransactionConflictException') return true;
  const codes = cancellationReasons(error).map((reason) => reason.Code);
  return codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict');
}

export class DynamoShareLinkStore extends TableStore implements ShareLinkStore, SharedLinkReader {
  async get(tokenHash: string): Promise<ShareLink | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.shareLink(tokenHash), ConsistentRead: true }));
    return Item && Item.entity === ENTITY.shareLink ? toLink(Item) : undefined;
  }

  countView(tokenHash: string, at: string): Promise<boolean> {
    return updateIf(this, {
      Key: keys.shareLink(tokenHash),
      UpdateExpression: 'ADD #views :one',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt) AND #expiresAt > :at AND (attribute_not_exists(#maxViews) OR #views < #maxViews)',
      ExpressionAttributeNames: { '#views': 'views', '#revokedAt': 'revokedAt', '#expiresAt': 'expiresAt', '#maxViews': 'maxViews' },
      ExpressionAttributeValues: { ':one': 1, ':at': at },
    });
  }

  async ofDocument(type: DocumentType, id: string): Promise<{ links: ShareLink[]; guardVersion: number }> {
    const { pk } = keys.documentLinkGuard(type, id);
    const entries: Item[] = [];
    let guardVersion = 0;
    let start: Item | undefined;
    do {
      // The guard's sort key (`LINKS`) begins like the links' (`LINK#…`): one Query reads both.
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': 'LINK' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        if (item.entity === ENTITY.documentLinkGuard) guardVersion = Number(item.version);
        else if (item.entity === ENTITY.documentLink) entries.push(item);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return { links: await this.#links(entries.map((entry) => String(entry.tokenHash))), guardVersion };
  }

  async byId(type: DocumentType, id: string, linkId: string): Promise<ShareLink | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.documentLink(type, id, linkId), ConsistentRead: true }));
    if (!Item || Item.entity !== ENTITY.documentLink) return undefined;
    const link = await this.get(String(Item.tokenHash));
    return link?.id === linkId ? link : undefined;
  }

  async create(link: ShareLink, guardVersion: number, audit: AuditEntry): Promise<boolean> {
    const ttl = epochSeconds(keptUntil(link));
    const items: TransactItem[] = [
      { Put: { TableName: this.table, Item: { ...keys.shareLink(link.tokenHash), entity: ENTITY.shareLink, ...link, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.documentLink(link.type, link.documentId, link.id), entity: ENTITY.documentLink, linkId: link.id, tokenHash: link.tokenHash, ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.documentLinkGuard(link.type, link.documentId),
          UpdateExpression: 'SET #entity = :entity, #version = :next',
          ConditionExpression: guardVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :read',
          ExpressionAttributeNames: { '#entity': 'entity', '#version': 'version' },
          ExpressionAttributeValues: { ':entity': ENTITY.documentLinkGuard, ':next': guardVersion + 1, ...(guardVersion === 0 ? {} : { ':read': guardVersion }) },
        },
      },
      // Still the document the link was made for (not deleted, not deleted and published again, not moved to another customer).
      {
        ConditionCheck: {
          TableName: this.table,
          Key: keys.document(link.type, link.documentId),
          ConditionExpression: link.documentCustomerId === undefined ? 'attribute_exists(pk) AND #createdAt = :createdAt' : 'attribute_exists(pk) AND #createdAt = :createdAt AND #customerId = :customerId',
          ExpressionAttributeNames: { '#createdAt': 'createdAt', ...(link.documentCustomerId === undefined ? {} : { '#customerId': 'customerId' }) },
          ExpressionAttributeValues: { ':createdAt': link.documentCreatedAt, ...(link.documentCustomerId === undefined ? {} : { ':customerId': link.documentCustomerId }) },
        },
      },
      ...(link.contactId === undefined
        ? []
        : [
            {
              ConditionCheck: {
                TableName: this.table,
                Key: keys.contact(link.contactId),
                ConditionExpression: 'attribute_exists(pk) AND #archived = :false',
                ExpressionAttributeNames: { '#archived': 'archived' },
                ExpressionAttributeValues: { ':false': false },
              },
            },
          ]),
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ];
    return this.#transact(items);
  }

  revoke(link: ShareLink, at: string, keptUntil: Date, audit: AuditEntry): Promise<boolean> {
    const ttl = epochSeconds(keptUntil);
    return this.#transact([
      {
        Update: {
          TableName: this.table,
          Key: keys.shareLink(link.tokenHash),
          UpdateExpression: 'SET #revokedAt = :at, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt)',
          ExpressionAttributeNames: { '#revokedAt': 'revokedAt', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':at': at, ':ttl': ttl },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.documentLink(link.type, link.documentId, link.id),
          UpdateExpression: 'SET #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':ttl': ttl },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(audit) } },
    ]);
  }

  async #transact(items: TransactItem[]): Promise<boolean> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (refused(error)) return false;
      throw error;
    }
  }

  /** The link items of these hashes, strongly consistent; those already gone (TTL) are left out. */
  async #links(hashes: string[]): Promise<ShareLink[]> {
    const found: ShareLink[] = [];
    for (let i = 0; i < hashes.length; i += BATCH) {
      let pending: Item[] | undefined = hashes.slice(i, i + BATCH).map((hash) => keys.shareLink(hash));
      for (let round = 0; pending && pending.length > 0; round++) {
        // Keys left unprocessed are throttled reads: tried again a few times, then a 503.
        if (round === UNPROCESSED_ROUNDS) throw keysLeftUnprocessed();
        if (round > 0) await unprocessedPause(round);
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.table] ?? []) if (item.entity === ENTITY.shareLink) found.push(toLink(item));
        pending = out.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined;
      }
    }
    return found;
  }
}
