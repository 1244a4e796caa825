import { GetCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TYPES, type DocumentType } from '../../contract/document-types';
import { Invalid } from '../../contract/errors';
import type { GrantInfo } from '../../domain/access-policy';
import type { PositionCursors } from '../../domain/access-report';
import type { Publication } from '../../domain/documents-batch';
import { StaleVersion, type DocumentChange, type DocumentPage, type DocumentStore, type StoredDocument, type StoredGrant } from '../../domain/documents';
import type { Counts, OrderedDocument, Stream, VisibilityStore } from '../../domain/visibility';
import { mergeNewestFirst } from '../../domain/visibility';
import type { Document } from '../../contract/schemas/documents';
import { auditItem } from './audit-store';
import { cancellationReasons } from './conditions';
import { decodeCursor, encodeCursor } from './cursor';
import { DOCUMENT_COUNTS, ENTITY, HOLDINGS, HOLDINGS_UNKNOWN, keys } from '../../contract/keys';
import { DUE_TASKS } from '../../contract/schedule';
import { TableStore } from './table-store';

/**
 * Documents on the single table (see contract/keys.ts): the document item `DOC#<type>#<id> / DOC` carries the
 * customer's listing keys (gsi1/gsi2) and the all-documents keys (gsi3/gsi4); each explicit grant
 * `DOC#<type>#<id> / GRANT#<contactId>` carries the grantee's listing keys and a copy of the document,
 * so every listing is one Query per stream. The holdings and the per-type counts on the contact
 * items, and the grant counts per grantee, type and customer, are kept in the same transactions.
 * Every listing's sort key is the document's order key, read backwards.
 */
type Item = Record<string, unknown>;
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const FIELDS = ['type', 'id', 'customerId', 'name', 'reference', 'state', 'date', 'amount', 'currency', 'data', 'createdAt', 'updatedAt'] as const;
const GRANT_FIELDS = ['until', 'grantedBy', 'grantedAt'] as const;

/**
 * A ProjectionExpression of these attributes (most are reserved words): the portal's reads fetch
 * what the client receives, not the stored item's key attributes.
 */
function projection(attributes: readonly string[]): Pick<QueryCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'> {
  return {
    ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name])),
  };
}
/**
 * A document's `data` is stored as its JSON text, in this attribute, not as a DynamoDB map: the back
 * office's JSON is only kept and shown, never queried, and as a map 64 KiB of small numbers is 32,000
 * typed values — some 320 KB of DynamoDB JSON to marshal, send and parse for each copy, and a replace
 * writes one copy per grant (31: ~10 MB, seconds of CPU). Items written before keep a `data` map,
 * read as before.
 */
const DATA_JSON = 'dataJson';
const STORED_FIELDS = [...FIELDS, DATA_JSON];
const DOCUMENT_PROJECTION = projection(STORED_FIELDS);
const GRANT_STREAM_PROJECTION = projection([...STORED_FIELDS, ...GRANT_FIELDS]);
const GRANT_PROJECTION = projection(['contactId', ...GRANT_FIELDS]);

export function toDocument(item: Item): Document {
  const document: Item = {};
  for (const field of FIELDS) if (item[field] !== undefined) document[field] = item[field];
  if (typeof item[DATA_JSON] === 'string') document.data = JSON.parse(item[DATA_JSON]) as unknown;
  return document as Document;
}

/** The document's fields as an item stores them: `data` as its JSON text (DATA_JSON). */
function storedFields(document: Document): Item {
  const { data, ...fields } = document;
  return data === undefined ? fields : { ...fields, [DATA_JSON]: JSON.stringify(data) };
}

function toGrant(item: Item): StoredGrant {
  const grant: StoredGrant = { contactId: String(item.contactId) };
  for (const field of GRANT_FIELDS) if (typeof item[field] === 'string') grant[field] = item[field] as string;
  return grant;
}

const grantInfoOf = (item: Item): GrantInfo => {
  const { contactId: _contactId, ...info } = toGrant({ ...item, contactId: '' });
  return info;
};

const orderOf = (document: Pick<Document, 'type' | 'id' | 'date'>) => keys.documentOrder(document.type, document.id, document.date);

// dateKey is ISO with a 4-digit year; ±6 digits in the keys of documents stored before it kept the edge years (keys.ts, dateKey).
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

/** Cursors of positions with named parts (who has access: the phase, the persons' own cursor, the last grantee). */
export const positionCursor: PositionCursors = {
  encode: (scope, position) => encodeCursor(scope, position),
  decode: (cursor, scope, parts) => decodeCursor(cursor, scope, parts),
};

/** The document's item as this store writes it (exported for the integration tests' bulk seeding). */
export function documentItem(document: Document, version: number): Item {
  const order = orderOf(document);
  return {
    ...keys.document(document.type, document.id),
    entity: ENTITY.document,
    ...keys.documentByCustomer(document.customerId, document.type, order),
    ...keys.documentInAll(document.type, order),
    ...storedFields(document),
    version,
  };
}

/**
 * Changes of a contact's holdings and per-type counts: an absent holdings counter (an item from
 * before them) starts far below zero, i.e. unknown; an absent count at zero (keys.ts, DOCUMENT_COUNTS).
 */
export type HoldingsDelta = { documents?: number; grants?: number; counts?: Partial<Record<DocumentType, number>> };

/**
 * The update of a contact's holdings and counts, on its own item. `live`: the contact must exist and
 * not be archived (a new document's customer, a new grantee — checked before, and it may have
 * changed since). Exported for bulk seeding: the update a customer's creates leave, summed.
 */
export function holdingsUpdate(table: string, contactId: string, delta: HoldingsDelta, live: boolean): NonNullable<TransactItem['Update']> {
  const names: Record<string, string> = { '#pk': 'pk' };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const adds: string[] = [];
  for (const [field, attribute] of [['documents', HOLDINGS.documents], ['grants', HOLDINGS.grants]] as const) {
    const d = delta[field];
    if (d === undefined || d === 0) continue;
    names[`#${field}`] = attribute;
    values[`:${field}`] = d;
    values[':unknown'] = HOLDINGS_UNKNOWN;
    sets.push(`#${field} = if_not_exists(#${field}, :unknown) + :${field}`);
  }
  DOCUMENT_TYPES.forEach((type, i) => {
    const d = delta.counts?.[type];
    if (d === undefined || d === 0) return;
    names[`#count${i}`] = DOCUMENT_COUNTS.attribute(type);
    values[`:count${i}`] = d;
    adds.push(`#count${i} :count${i}`);
  });
  if (live) {
    names['#archived'] = 'archived';
    values[':false'] = false;
  }
  return {
    TableName: table,
    Key: keys.contact(contactId),
    UpdateExpression: [sets.length > 0 ? `SET ${sets.join(', ')}` : '', adds.length > 0 ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' '),
    ConditionExpression: live ? 'attribute_exists(#pk) AND #archived = :false' : 'attribute_exists(#pk)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** A grant's item: the grantee's listing keys, a copy of the document, and for a grant with an end its end's keys (gsi3, due). */
function grantItem(document: Document, grant: StoredGrant): Item {
  return {
    ...keys.grant(document.type, document.id, grant.contactId),
    entity: ENTITY.grant,
    ...keys.grantByGrantee(grant.contactId, document.type, orderOf(document)),
    ...(grant.until === undefined
      ? {}
      : { ...keys.grantUntil(grant.contactId, grant.until, document.type, document.id), ...keys.due(DUE_TASKS.grantExpiry, grant.until, grant.contactId) }),
    ...grant,
    ...storedFields(document),
  };
}

/**
 * The condition of every change of a document's item collection: the document is still the one that
 * was read — its version, and its `createdAt`, which tells one publication of the id from the next.
 * The version alone restarts at 1 when a deleted document is published again, so a change read
 * before a delete would pass on the new document and move the counts of the customer it read.
 */
function sameDocument(read: StoredDocument): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  return {
    ConditionExpression: '#version = :version AND #createdAt = :createdAt',
    ExpressionAttributeNames: { '#version': 'version', '#createdAt': 'createdAt' },
    ExpressionAttributeValues: { ':version': read.version, ':createdAt': read.document.createdAt },
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

function streamListing(stream: Stream): { index: string; partition: string } {
  if ('customerId' in stream) return staffListing(stream);
  const k = keys.grantByGrantee(stream.granteeId, stream.type ?? DOCUMENT_TYPES[0], '');
  return stream.type ? { index: 'gsi2', partition: k.gsi2pk } : { index: 'gsi1', partition: k.gsi1pk };
}

/** A part of a publication's transaction: an item of its own, or a counter it moves (merged with others' in a batch). */
type PublicationPart =
  | { kind: 'item'; item: TransactItem }
  | { kind: 'grantCount'; contactId: string; type: DocumentType; customerId: string; delta: number }
  | { kind: 'holdings'; contactId: string; delta: HoldingsDelta; live: boolean }
  | { kind: 'live'; contactId: string };

export class DynamoDocumentStore extends TableStore implements DocumentStore, VisibilityStore {
  async get(type: DocumentType, id: string): Promise<StoredDocument | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.document(type, id), ConsistentRead: true }));
    return Item ? { document: toDocument(Item), version: Number(Item.version) } : undefined;
  }

  async grants(type: DocumentType, id: string): Promise<StoredGrant[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :grant)',
      ExpressionAttributeValues: { ':pk': keys.document(type, id).pk, ':grant': keys.grantPrefix },
      ...withNames(GRANT_PROJECTION, { '#pk': 'pk', '#sk': 'sk' }),
      ConsistentRead: true,
    });
    return items.map(toGrant);
  }

  /**
   * The items of several publications (creates and replaces of distinct documents) as one
   * transaction, for documents-batch-store.ts: each document's own items exactly as its own
   * transaction has them, and the counters they move merged — a transaction may touch an item only
   * once — into one update per item of their summed deltas (a contact's holdings and per-type counts
   * in one update, with the "exists and not archived" condition when any of them needed it, or that
   * check alone when the deltas cancel out). A grant count whose deltas cancel out is left alone.
   */
  publicationItems(changes: readonly Publication[]): TransactItem[] {
    const own: TransactItem[] = [];
    const grantCounts = new Map<string, { contactId: string; type: DocumentType; customerId: string; delta: number }>();
    const contacts = new Map<string, { documents: number; grants: number; counts: Partial<Record<DocumentType, number>>; live: boolean }>();
    const contact = (id: string) => contacts.get(id) ?? contacts.set(id, { documents: 0, grants: 0, counts: {}, live: false }).get(id)!;
    for (const part of changes.flatMap((change) => this.#publication(change))) {
      switch (part.kind) {
        case 'item':
          own.push(part.item);
          break;
        case 'grantCount': {
          const key = `${part.contactId}#${part.type}#${part.customerId}`;
          const sum = grantCounts.get(key) ?? grantCounts.set(key, { ...part, delta: 0 }).get(key)!;
          sum.delta += part.delta;
          break;
        }
        case 'holdings': {
          const sum = contact(part.contactId);
          sum.documents += part.delta.documents ?? 0;
          sum.grants += part.delta.grants ?? 0;
          for (const [type, d] of Object.entries(part.delta.counts ?? {}) as [DocumentType, number][]) sum.counts[type] = (sum.counts[type] ?? 0) + d;
          sum.live ||= part.live;
          break;
        }
        case 'live':
          contact(part.contactId).live = true;
          break;
      }
    }
    return [
      ...own,
      ...[...grantCounts.values()].filter((c) => c.delta !== 0).map((c) => this.#grantCount(c.contactId, c.type, c.customerId, c.delta)),
      ...[...contacts].flatMap(([id, c]) =>
        c.documents !== 0 || c.grants !== 0 || Object.values(c.counts).some((d) => d !== 0)
          ? [this.#holdings(id, { documents: c.documents, grants: c.grants, counts: c.counts }, c.live)]
          : c.live
            ? [this.#liveContact(id)]
            : [],
      ),
    ];
  }

  async write(change: DocumentChange): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: this.#transaction(change) }));
    } catch (error) {
      staleOrRethrow(error);
    }
  }

  async list(filter: { customerId?: string; type?: DocumentType }, after: string | undefined, limit: number): Promise<DocumentPage> {
    return mergeNewestFirst([await this.#query(staffListing(filter), after, limit + 1, false)], limit);
  }

  stream(stream: Stream, after: string | undefined, limit: number, keep?: (entry: OrderedDocument) => boolean): Promise<OrderedDocument[]> {
    return this.#query(streamListing(stream), after, limit, 'granteeId' in stream, keep);
  }

  // Strongly consistent: once staff deleted or moved a document, no portal read may still show it.
  async document(type: DocumentType, id: string): Promise<Document | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.document(type, id), ConsistentRead: true, ...DOCUMENT_PROJECTION }));
    return Item ? toDocument(Item) : undefined;
  }

  async grant(type: DocumentType, id: string, contactId: string): Promise<GrantInfo | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.grant(type, id, contactId), ConsistentRead: true, ...GRANT_PROJECTION }),
    );
    return Item ? grantInfoOf(Item) : undefined;
  }

  /**
   * The counts of a customer whose contact item is older than the counts kept on it (keys.ts,
   * DOCUMENT_COUNTS): its former count items, frozen since, plus the changes its item took since.
   */
  async counts(customerId: string): Promise<Counts> {
    const attributes = DOCUMENT_TYPES.map((type) => DOCUMENT_COUNTS.attribute(type));
    const [out, { Item }] = await Promise.all([
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.documentCountPartition(customerId) },
          ProjectionExpression: '#type, #n',
          ExpressionAttributeNames: { '#type': 'type', '#n': 'n' },
        }),
      ),
      this.db.send(new GetCommand({ TableName: this.table, Key: keys.contact(customerId), ConsistentRead: true, ...projection(attributes) })),
    ]);
    const counts: Counts = {};
    for (const item of out.Items ?? []) counts[item.type as DocumentType] = Number(item.n);
    for (const type of DOCUMENT_TYPES) {
      const since = Item?.[DOCUMENT_COUNTS.attribute(type)];
      if (typeof since === 'number') counts[type] = (counts[type] ?? 0) + since;
    }
    return counts;
  }

  async grantCounts(contactId: string): Promise<{ type: DocumentType; customerId: string; n: number }[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.grantCountPartition(contactId) },
      ProjectionExpression: '#type, customerId, #n',
      ExpressionAttributeNames: { '#type': 'type', '#n': 'n' },
    });
    return items.filter((item) => Number(item.n) > 0).map((item) => ({ type: item.type as DocumentType, customerId: String(item.customerId), n: Number(item.n) }));
  }

  async endedGrants(contactId: string, now: string): Promise<{ type: DocumentType; customerId: string }[]> {
    // The sort key is `<until>#<type>#<id>`: `until ≤ now` exactly when it sorts below `<now>$` ('$' follows '#').
    const items = await this.queryAll({
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :bound',
      ExpressionAttributeValues: { ':pk': keys.grantUntilPartition(contactId), ':bound': `${now}$` },
      ProjectionExpression: '#type, customerId',
      ExpressionAttributeNames: { '#type': 'type' },
    });
    return items.map((item) => ({ type: item.type as DocumentType, customerId: String(item.customerId) }));
  }

  /**
   * Up to `limit` entries of one index partition that `keep` keeps, newest first, strictly after
   * `after` (a 1 MB page, or dropped entries, continue the Query). Only the public fields (and a
   * grant's own) are fetched; the order key is computed from them, as the writes computed the sort key.
   */
  async #query(
    listing: { index: string; partition: string },
    after: string | undefined,
    limit: number,
    grants: boolean,
    keep?: (entry: OrderedDocument) => boolean,
  ): Promise<OrderedDocument[]> {
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
          ...withNames(grants ? GRANT_STREAM_PROJECTION : DOCUMENT_PROJECTION, { '#pk': pk, ...(after === undefined ? {} : { '#sk': sk }) }),
          ExpressionAttributeValues: { ':pk': listing.partition, ...(after === undefined ? {} : { ':after': after }) },
          ScanIndexForward: false,
          Limit: limit - found.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const document = toDocument(item);
        const entry: OrderedDocument = { order: orderOf(document), document, ...(grants ? { grant: grantInfoOf(item) } : {}) };
        if (!keep || keep(entry)) found.push(entry);
      }
      start = out.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found;
  }

  #grantCount(contactId: string, type: DocumentType, customerId: string, delta: number): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: keys.grantCount(contactId, type, customerId),
        UpdateExpression: 'SET #entity = :entity, #contactId = :contactId, #customerId = :customerId, #type = :type ADD #n :delta',
        ExpressionAttributeNames: { '#entity': 'entity', '#contactId': 'contactId', '#customerId': 'customerId', '#type': 'type', '#n': 'n' },
        ExpressionAttributeValues: { ':entity': ENTITY.grantCount, ':contactId': contactId, ':customerId': customerId, ':type': type, ':delta': delta },
      },
    };
  }

  /** A contact's holdings and counts change, on its own item (`holdingsUpdate`). */
  #holdings(contactId: string, delta: HoldingsDelta, live: boolean): TransactItem {
    return { Update: holdingsUpdate(this.table, contactId, delta, live) };
  }

  #putGrant(document: Document, grant: StoredGrant, condition?: string): TransactItem {
    return {
      Put: { TableName: this.table, Item: grantItem(document, grant), ...(condition ? { ConditionExpression: condition } : {}) },
    };
  }

  #deleteGrant(document: Document, grant: StoredGrant, untilStill?: string): TransactItem {
    return {
      Delete: {
        TableName: this.table,
        Key: keys.grant(document.type, document.id, grant.contactId),
        ...(untilStill === undefined
          ? {}
          : { ConditionExpression: 'attribute_exists(pk) AND #until = :until', ExpressionAttributeNames: { '#until': 'until' }, ExpressionAttributeValues: { ':until': untilStill } }),
      },
    };
  }

  /** Grant changes only bump the document's version: every change of its item collection is serialised by it. */
  #bumpVersion(current: StoredDocument): TransactItem {
    const same = sameDocument(current);
    return {
      Update: {
        TableName: this.table,
        Key: keys.document(current.document.type, current.document.id),
        UpdateExpression: 'SET #version = :next',
        ...same,
        ExpressionAttributeValues: { ...same.ExpressionAttributeValues, ':next': current.version + 1 },
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

  /** A create's or a replace's transaction, part by part: its own items and the counters it moves, in order. */
  #publication(change: Publication): PublicationPart[] {
    const item = (transactItem: TransactItem): PublicationPart => ({ kind: 'item', item: transactItem });
    if (change.kind === 'create') {
      const { document } = change;
      return [
        item({ Put: { TableName: this.table, Item: documentItem(document, 1), ConditionExpression: 'attribute_not_exists(pk)' } }),
        { kind: 'holdings', contactId: document.customerId, delta: { documents: 1, counts: { [document.type]: 1 } }, live: true },
      ];
    }
    const { previous, document } = change;
    const { type } = document;
    const before = previous.document.customerId;
    const moved = before !== document.customerId;
    const put = item({
      Put: {
        TableName: this.table,
        Item: documentItem(document, previous.version + 1),
        ...sameDocument(previous),
      },
    });
    const copies = change.grants.map((grant) => item(this.#putGrant(document, grant)));
    if (!moved) return [put, ...copies, { kind: 'live', contactId: document.customerId }];
    // Moved to another customer (at most 1 + 30 copies + 60 grant counts + 2 holdings with their counts = 93 of DynamoDB's 100 items).
    return [
      put,
      ...copies,
      ...change.grants.flatMap((grant): PublicationPart[] => [
        { kind: 'grantCount', contactId: grant.contactId, type, customerId: before, delta: -1 },
        { kind: 'grantCount', contactId: grant.contactId, type, customerId: document.customerId, delta: 1 },
      ]),
      ...change.dropGrants.flatMap((grant): PublicationPart[] => [
        item(this.#deleteGrant(document, grant)),
        { kind: 'grantCount', contactId: grant.contactId, type, customerId: before, delta: -1 },
      ]),
      { kind: 'holdings', contactId: before, delta: { documents: -1, counts: { [type]: -1 } }, live: false },
      // The new customer's own explicit grant (now implicit) goes: it holds one grant less.
      { kind: 'holdings', contactId: document.customerId, delta: { documents: 1, grants: -change.dropGrants.length, counts: { [type]: 1 } }, live: true },
    ];
  }

  #partItem(part: PublicationPart): TransactItem {
    switch (part.kind) {
      case 'item':
        return part.item;
      case 'grantCount':
        return this.#grantCount(part.contactId, part.type, part.customerId, part.delta);
      case 'holdings':
        return this.#holdings(part.contactId, part.delta, part.live);
      case 'live':
        return this.#liveContact(part.contactId);
    }
  }

  #transaction(change: DocumentChange): TransactItem[] {
    switch (change.kind) {
      case 'create':
      case 'replace':
        return this.#publication(change).map((part) => this.#partItem(part));
      case 'delete': {
        const { document } = change.previous;
        return [
          {
            Delete: {
              TableName: this.table,
              Key: keys.document(document.type, document.id),
              ...sameDocument(change.previous),
            },
          },
          ...change.grants.flatMap((grant) => [
            this.#deleteGrant(document, grant),
            this.#grantCount(grant.contactId, document.type, document.customerId, -1),
            this.#holdings(grant.contactId, { grants: -1 }, false),
          ]),
          this.#holdings(document.customerId, { documents: -1, counts: { [document.type]: -1 } }, false),
        ];
      }
      case 'grant': {
        const { current, grant, replaces, audit } = change;
        const { document } = current;
        const audited = { Put: { TableName: this.table, Item: auditItem(audit) } };
        // Another end for an existing grant: the counts stay.
        if (replaces) return [this.#bumpVersion(current), this.#putGrant(document, grant, 'attribute_exists(pk)'), this.#liveContact(grant.contactId), audited];
        return [
          this.#bumpVersion(current),
          this.#putGrant(document, grant, 'attribute_not_exists(pk)'),
          this.#holdings(grant.contactId, { grants: 1 }, true),
          this.#grantCount(grant.contactId, document.type, document.customerId, 1),
          audited,
        ];
      }
      case 'ungrant': {
        const { current, grant, audit, expired } = change;
        const { document } = current;
        return [
          this.#bumpVersion(current),
          expired ? this.#deleteGrant(document, grant, grant.until) : { Delete: { ...this.#deleteGrant(document, grant).Delete!, ConditionExpression: 'attribute_exists(pk)' } },
          this.#holdings(grant.contactId, { grants: -1 }, false),
          this.#grantCount(grant.contactId, document.type, document.customerId, -1),
          { Put: { TableName: this.table, Item: auditItem(audit) } },
        ];
      }
    }
  }
}

/** A projection's names merged with the query's own (`#pk`, `#sk`). */
function withNames(p: Pick<QueryCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'>, names: Record<string, string>) {
  return { ProjectionExpression: p.ProjectionExpression, ExpressionAttributeNames: { ...p.ExpressionAttributeNames, ...names } };
}
