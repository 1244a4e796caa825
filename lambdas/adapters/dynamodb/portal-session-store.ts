import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PortalSessionStore } from '../../domain/portal-session';
import { documentClient, tableName } from './client';
import { DynamoContactStore } from './contacts-store';
import { keys } from './keys';

/**
 * `sub → contactId` practically never changes once the portal login exists, so a container keeps
 * what it has resolved; the contact itself is read on every request (and the domain asks again,
 * `fresh`, before it refuses). Bounded, and only positive answers are kept, so a login created a
 * moment later is found.
 */
const subjects = new Map<string, string>();
const MAX_CACHED_SUBJECTS = 10_000;

export function dynamoPortalSessionStore(client: DynamoDBDocumentClient = documentClient(), table: string = tableName()): PortalSessionStore {
  const contacts = new DynamoContactStore(client, table);
  return {
    async contactIdOfSubject(sub, fresh = false) {
      const cached = fresh ? undefined : subjects.get(sub);
      if (cached) return cached;
      const { Item } = await client.send(new GetCommand({ TableName: table, Key: keys.loginSubject(sub), ConsistentRead: true }));
      const contactId: unknown = Item?.contactId;
      if (typeof contactId !== 'string') {
        subjects.delete(sub);
        return undefined;
      }
      if (subjects.size >= MAX_CACHED_SUBJECTS) subjects.clear();
      subjects.set(sub, contactId);
      return contactId;
    },
    contact: (id) => contacts.get(id),
  };
}
