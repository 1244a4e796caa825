import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TYPES, type DocumentType } from '../../contract/document-types';
import { Invalid } from '../../contract/errors';
import { StaleVersion, type DocumentChange, type DocumentPage, type DocumentStore, type StoredDocument } from '../../domain/documents';
import type { Counts, OrderedDocument, Stream, VisibilityStore } from '../../domain/visibility';
import { mergeNewestFirst } from '../../domain/visibility';
import type { Document } from '../../contract/schemas/documents';
import { cancellationReasons } from './conditions';
import { decodeCursor, encodeCursor } from './cursor';
import { ENTITY, keys } from '../../contract/keys';
import { TableStore } from './table-store';

/**
 * Documents on the single table (see contract/keys.ts): the document item `DOC#<type>#<id> / DOC` carries the
 * customer's listing keys (gsi1/gsi2) and the all-documents keys (gsi3/gsi4); each explicit grant
 * `DOC#<type>#<id> / GRANT#<contactId>` carries the grantee's listing keys and a copy of the document,
 * so every listing is one Query per stream. Counts per customer and type are kept in the same
 * transactions. Every listing's sort key is the document's order key, read backwards.
 */
type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const FIELDS = ['type', 'id', 'customerId', 'name', 'reference', 'state', 'date', 'amount', 'currency', 'data', 'createdAt', 'updatedAt'] as const;

export function toDocument(item: Item): Document {
  const document: Item = {};
  for (const field of FIELDS) if (item[field] !== undefined) document[field] = item[field];
  return document as Document;
}

const orderOf = (document: Document) => keys.documentOrder(document.type, document.id, document.date);

// dateKey is ISO: a 4-digit year, or ±6 digits at the edges that a time-zone offset can push a date to.
const ORDER = new RegExp(`^(\\d{4}|[+-]\\d{6})-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z#(${DOCUMENT_TYPES.join('|')})#[A-Za-z0-9._:-]{1,128}$`);

/**
 * A listing's cursor is only a position: the order key of the last document shown, bound to the
 * listing's scope. Each stream of the listing restarts strictly after it, so a forged cursor can at
 * most skip within what the caller may list anyway.
 */
export const orderCursor = {
  encode: (scope: string, order: string): string => encodeCursor(scope, { o: order }),
  decode(cursor: string | undefined, scope: string): string | undefined {
    const key = decodeCursor(cursor, scope, ['o']);
    if (key === undefined) return undefined;
    const order = key.o;
    if (order === undefined || !ORDER.test(order)) throw new Invalid('The cursor is not valid for this listing.', 'cursor');
    return order;
  },
};

/** The document's item as this store writes it (exported for the integration tests' bulk seeding). */
export function documentItem(document: Document, version: number): Item {
  const order = orderOf(document);
  return {
    ...keys.document(document.type, document.id),
    entity: ENTITY.document,
    ...keys.documentByCustomer(document.customerId, document.type, order),
    ...keys.documentInAll(document.type, order),
    ...document,
    version,
  };
}

/** A customer's count of one type as the transactions leave it after `n` creates (exported for bulk seeding). */
export function documentCountItem(customerId: string, type: DocumentType, n: number): Item {
  return { ...keys.documentCount(customerId, type), entity: ENTITY.documentCount, customerId, type, n };
}

function grantItem(document: Document, contactId: string): Item {
  return {
    ...keys.grant(document.type, document.id, contactId),
    entity: ENTITY.grant,
    ...keys.grantByGrantee(contactId, document.type, orderOf(document)),
    contactId,
    ...document,
  };
}

/** A transaction that failed its conditions (or met a concurrent one) is a stale read: the domain retries. */
function staleOrRethrow(error: unknown): never {
  const codes = cancellationReasons(error).map((reason) => reason.Code);
  if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) throw new StaleVersion('The document changed meanwhile.');
  if ((error as { name?: string }).name === 'TransactionConflictException') throw new StaleVersion('The document changed meanwhile.');
  throw error;
}

/** Which index and partition serves a listing: a customer's documents, or all of them; all types or one. */
function staffListing(filter: { customerId?: string; type?: DocumentType }): { index: string; partition: string } {
  const { customerId, type } = filter;
  if (customerId !== undefined) {
    const k = keys.documentByCustomer(customerId, type ?? DOCUMENT_TYPES[0], '');
    return type ? { index: 'gsi2', partition: k.gsi2pk } : { index: 'gsi1', partition: k.gsi1pk };
  }
  const k = keys.documentInAll(type ?? DOCUMENT_TYPES[0], '');
  return type ? { index: 'gsi4', partition: k.gsi4pk } : { index: 'gsi3', partition: k.gsi3pk };
}

function streamListing(stream: Stream, type: DocumentType | undefined): { index: string; partition: string } {
  if ('customerId' in stream) return staffListing({ customerId: stream.customerId, ...(type ? { type } : {}) });
  const k = keys.grantByGrantee(stream.granteeId, type ?? DOCUMENT_TYPES[0], '');
  return type ? { index: 'gsi2', partition: k.gsi2pk } : { index: 'gsi1', partition: k.gsi1pk };
}

export class DynamoDocumentStore extends TableStore implements DocumentStore, VisibilityStore {
  async get(type: DocumentType, id: string): Promise<StoredDocument | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.document(type, id), ConsistentRead: true }));
    return Item ? { document: toDocument(Item), version: Number(Item.version) } : undefined;
  }

  async grantees(type: DocumentType, id: string): Promise<string[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :grant)',
      ExpressionAttributeValues: { ':pk': keys.document(type, id).pk, ':grant': keys.grantPrefix },
      ProjectionExpression: 'contactId',
      ConsistentRead: true,
    });
    return items.map((item) => String(item.contactId));
  }

  async write(change: DocumentChange): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: this.#transaction(change) }));
    } catch (error) {
      staleOrRethrow(error);
    }
  }

  async list(filter: { customerId?: string; type?: DocumentType }, after: string | undefined, limit: number): Promise<DocumentPage> {
    return mergeNewestFirst([await this.#query(staffListing(filter), after, limit + 1)], limit);
  }

  stream(stream: Stream, type: DocumentType | undefined, after: string | undefined, limit: number): Promise<OrderedDocument[]> {
    return this.#query(streamListing(stream, type), after, limit);
  }

  // Strongly consistent: once staff deleted or moved a document, no portal read may still show it.
  async document(type: DocumentType, id: string): Promise<Document | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.document(type, id), ConsistentRead: true }));
    return Item ? toDocument(Item) : undefined;
  }

  async isGranted(type: DocumentType, id: string, contactId: string): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.grant(type, id, contactId), ProjectionExpression: 'pk', ConsistentRead: true }));
    return Item !== undefined;
  }

  async counts(customerId: string): Promise<Counts> {
    const counts: Counts = {};
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.documentCountPartition(customerId) },
        ProjectionExpression: '#type, #n',
        ExpressionAttributeNames: { '#type': 'type', '#n': 'n' },
      }),
    );
    for (const item of out.Items ?? []) counts[item.type as DocumentType] = Number(item.n);
    return counts;
  }

  async grantsTo(contactId: string): Promise<{ type: DocumentType; customerId: string }[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.grantByGrantee(contactId, DOCUMENT_TYPES[0], '').gsi1pk },
      ProjectionExpression: '#type, customerId',
      ExpressionAttributeNames: { '#type': 'type' },
    });
    return items.map((item) => ({ type: item.type as DocumentType, customerId: String(item.customerId) }));
  }

  /** Up to `limit` items of one index partition, newest first, strictly after `after` (a 1 MB page may end a Query early). */
  async #query(listing: { index: string; partition: string }, after: string | undefined, limit: number): Promise<OrderedDocument[]> {
    const pk = `${listing.index}pk`;
    const sk = `${listing.index}sk`;
    const found: OrderedDocument[] = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: listing.index,
          KeyConditionExpression: after === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :after',
          ExpressionAttributeNames: { '#pk': pk, ...(after === undefined ? {} : { '#sk': sk }) },
          ExpressionAttributeValues: { ':pk': listing.partition, ...(after === undefined ? {} : { ':after': after }) },
          ScanIndexForward: false,
          Limit: limit - found.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) found.push({ order: String(item[sk]), document: toDocument(item) });
      start = out.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found;
  }

  #count(customerId: string, type: DocumentType, delta: number): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: keys.documentCount(customerId, type),
        UpdateExpression: 'SET #entity = :entity, #customerId = :customerId, #type = :type ADD #n :delta',
        ExpressionAttributeNames: { '#entity': 'entity', '#customerId': 'customerId', '#type': 'type', '#n': 'n' },
        ExpressionAttributeValues: { ':entity': ENTITY.documentCount, ':customerId': customerId, ':type': type, ':delta': delta },
      },
    };
  }

  #putGrant(document: Document, contactId: string, condition?: string): TransactItem {
    return {
      Put: { TableName: this.table, Item: grantItem(document, contactId), ...(condition ? { ConditionExpression: condition } : {}) },
    };
  }

  #deleteGrant(document: Document, contactId: string, condition?: string): TransactItem {
    return {
      Delete: { TableName: this.table, Key: keys.grant(document.type, document.id, contactId), ...(condition ? { ConditionExpression: condition } : {}) },
    };
  }

  /** Grant changes only bump the document's version: every change of its item collection is serialised by it. */
  #bumpVersion(current: { document: Document; version: number }): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: keys.document(current.document.type, current.document.id),
        UpdateExpression: 'SET #version = :next',
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': current.version, ':next': current.version + 1 },
      },
    };
  }

  /** The contact is still there and not archived (it was checked before, and may have changed since). */
  #liveContact(contactId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.table,
        Key: keys.contact(contactId),
        ConditionExpression: 'attribute_exists(pk) AND #archived = :false',
        ExpressionAttributeNames: { '#archived': 'archived' },
        ExpressionAttributeValues: { ':false': false },
      },
    };
  }

  #transaction(change: DocumentChange): TransactItem[] {
    switch (change.kind) {
      case 'create':
        return [
          { Put: { TableName: this.table, Item: documentItem(change.document, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
          this.#count(change.document.customerId, change.document.type, 1),
          this.#liveContact(change.document.customerId),
        ];
      case 'replace': {
        const { previous, document } = change;
        const moved = previous.document.customerId !== document.customerId;
        return [
          {
            Put: {
              TableName: this.table,
              Item: documentItem(document, previous.version + 1),
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': previous.version },
            },
          },
          ...change.grantees.map((contactId) => this.#putGrant(document, contactId)),
          ...change.dropGrants.map((contactId) => this.#deleteGrant(document, contactId)),
          ...(moved ? [this.#count(previous.document.customerId, document.type, -1), this.#count(document.customerId, document.type, 1)] : []),
          this.#liveContact(document.customerId),
        ];
      }
      case 'delete': {
        const { document, version } = change.previous;
        return [
          {
            Delete: {
              TableName: this.table,
              Key: keys.document(document.type, document.id),
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': version },
            },
          },
          ...change.grantees.map((contactId) => this.#deleteGrant(document, contactId)),
          this.#count(document.customerId, document.type, -1),
        ];
      }
      case 'grant':
        return [this.#bumpVersion(change.current), this.#putGrant(change.current.document, change.contactId, 'attribute_not_exists(pk)'), this.#liveContact(change.contactId)];
      case 'ungrant':
        return [this.#bumpVersion(change.current), this.#deleteGrant(change.current.document, change.contactId, 'attribute_exists(pk)')];
    }
  }
}
