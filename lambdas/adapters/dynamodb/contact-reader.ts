/**
 * Reading one contact (`CONTACT#<id>`), strongly consistent: all that the documents and portal
 * functions need of contacts. The full store (contacts-store.ts) extends it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactRecord } from '../../domain/contact-record';
import type { ContactReader } from '../../domain/documents';
import { DOCUMENT_TYPES } from '../../contract/document-types';
import { DOCUMENT_COUNTS, ENTITY, HOLDINGS, keys } from '../../contract/keys';
import { TableStore } from './table-store';

const RECORD_FIELDS = [
  'id',
  'kind',
  'name',
  'email',
  'phone',
  'companyId',
  'lang',
  'archived',
  'portal',
  'version',
  'createdAt',
  'updatedAt',
  'login',
  'invitation',
  'outbox',
  'deliveryError',
  'expiryClaim',
  'expiryAnnounced',
  'restoredAt',
] as const;

export function toRecord(item: Record<string, unknown>): ContactRecord {
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) if (item[field] !== undefined) record[field] = item[field];
  if (typeof item[HOLDINGS.documents] === 'number') record.documentsAsCustomer = item[HOLDINGS.documents];
  if (typeof item[HOLDINGS.grants] === 'number') record.grantsReceived = item[HOLDINGS.grants];
  // Only an item that has kept its counts from its creation knows them; an older one's are read elsewhere.
  if (item[DOCUMENT_COUNTS.kept] === true) {
    const counts: Record<string, number> = {};
    for (const type of DOCUMENT_TYPES) if (typeof item[DOCUMENT_COUNTS.attribute(type)] === 'number') counts[type] = item[DOCUMENT_COUNTS.attribute(type)] as number;
    record.documentCounts = counts;
  }
  return record as unknown as ContactRecord;
}

export class DynamoContactReader extends TableStore implements ContactReader {
  async get(id: string): Promise<ContactRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.contact(id), ConsistentRead: true }));
    return out.Item && out.Item.entity === ENTITY.contact ? toRecord(out.Item) : undefined;
  }
}
