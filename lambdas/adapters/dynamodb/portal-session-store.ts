import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactRecord } from '../../domain/contact-record';
import type { PortalSessionStore } from '../../domain/portal-session';
import { DynamoContactReader } from './contact-reader';
import { keys } from '../../contract/keys';
import { TableStore } from './table-store';

/**
 * `sub → contactId` practically never changes once the portal login exists, so a container keeps
 * what it has resolved; the contact itself is read on every request (and the domain asks again,
 * `fresh`, before it refuses). Bounded, and only positive answers are kept, so a login created a
 * moment later is found. Beside it, the record the last request let in: the next request's guess.
 */
const subjects = new Map<string, { contactId: string; last?: ContactRecord }>();
const MAX_CACHED_SUBJECTS = 10_000;

export class DynamoPortalSessionStore extends TableStore implements PortalSessionStore {
  readonly #contacts = new DynamoContactReader(this.db, this.table);

  async contactIdOfSubject(sub: string, fresh = false): Promise<string | undefined> {
    const cached = fresh ? undefined : subjects.get(sub)?.contactId;
    if (cached) return cached;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.loginSubject(sub), ConsistentRead: true }));
    const contactId: unknown = Item?.contactId;
    if (typeof contactId !== 'string') {
      subjects.delete(sub);
      return undefined;
    }
    if (subjects.get(sub)?.contactId !== contactId) {
      if (subjects.size >= MAX_CACHED_SUBJECTS) subjects.clear();
      subjects.set(sub, { contactId });
    }
    return contactId;
  }

  contact(id: string): Promise<ContactRecord | undefined> {
    return this.#contacts.get(id);
  }

  recall(sub: string): ContactRecord | undefined {
    return subjects.get(sub)?.last;
  }

  remember(sub: string, contact: ContactRecord): void {
    if (!subjects.has(sub) && subjects.size >= MAX_CACHED_SUBJECTS) subjects.clear();
    subjects.set(sub, { contactId: contact.id, last: contact });
  }
}
