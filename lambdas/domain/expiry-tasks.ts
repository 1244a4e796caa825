/**
 * The scheduled job's expiry tasks: accesses and explicit grants whose `until` has come. The portal
 * stopped honouring them at that instant; these bring the records in line (schedule.ts runs them).
 */
import type { DocumentType } from '../contract/document-types';
import { DUE_TASKS } from '../contract/schedule';
import { expireGrant, type DocumentDeps } from './documents';
import { expireAccess, type ExpiryDeps } from './portal-access/expire';
import { PENDING, type DueItem, type ScheduledTask } from './schedule';

/** Where the due accesses and grants of an hour are found (the `due` index). */
export interface DueStore {
  dueAccesses(hour: string, now: string): Promise<DueItem<{ contactId: string }>[]>;
  dueGrants(hour: string, now: string): Promise<DueItem<{ type: DocumentType; id: string; contactId: string }>[]>;
}

/**
 * `grantKeptMs`: how long an ended grant stays on its document before it is removed (contract/schedule.ts,
 * DEFAULT_EXPIRED_GRANT_KEPT_HOURS); an access's end is recorded within minutes of it, always.
 */
export function expiryTasks(deps: { due: DueStore; access: ExpiryDeps; documents: DocumentDeps; grantKeptMs?: number }): ScheduledTask[] {
  const accessExpiry: ScheduledTask<{ contactId: string }> = {
    name: DUE_TASKS.accessExpiry,
    due: (hour, now) => deps.due.dueAccesses(hour, now),
    handle: async (item) => {
      const outcome = await expireAccess(deps.access, item.ref.contactId, item.at);
      return outcome === 'pending' ? PENDING : outcome;
    },
  };
  const grantExpiry: ScheduledTask<{ type: DocumentType; id: string; contactId: string }> = {
    name: DUE_TASKS.grantExpiry,
    due: (hour, now) => deps.due.dueGrants(hour, now),
    lagMs: deps.grantKeptMs ?? 0,
    handle: (item) => expireGrant(deps.documents, item.ref.type, item.ref.id, item.ref.contactId, item.at),
  };
  return [accessExpiry, grantExpiry] as ScheduledTask[];
}
