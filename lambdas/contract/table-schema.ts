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
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  ],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];
