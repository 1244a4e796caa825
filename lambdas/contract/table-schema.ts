/**
 * The single table's shape: key attributes, secondary indexes and the TTL attribute. The CDK stack
 * and the local stack's CreateTable both read it, so the two tables cannot drift apart. No CDK imports.
 * What goes into each key is in `keys.ts` beside it and `docs/data-model.md`.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  entityAttribute: 'entity',
  /** The table's stream carries each item's new image: the outbox worker reads new outbox items from it. */
  streamView: 'NEW_IMAGE',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'ALL' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: 'ALL' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk', projection: 'ALL' },
    /**
     * Sparse: only items that something must happen to at a time (an access's or a grant's
     * `until`), by task and hour, so the scheduled job finds what is due with a Query of one
     * partition per hour, never a Scan. Keys only: the job reads each item itself.
     */
    { name: 'due', partitionKey: 'duepk', sortKey: 'duesk', projection: 'KEYS_ONLY' },
  ],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];
export type IndexProjection = (typeof TABLE.indexes)[number]['projection'];
