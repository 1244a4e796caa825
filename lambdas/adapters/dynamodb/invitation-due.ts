/**
 * An invitation's due entries (keys.ts `invitationDue`): one per contact and task, in the contact's
 * item collection, carrying the `due` index keys. Written in the same transaction as the invitation
 * they follow (a fresh one replaces the previous invitation's), claimed and removed by the
 * scheduled job (schedule-store.ts).
 */
import { ENTITY, keys } from '../../contract/keys';
import { DUE_ENTRY_TTL_SECONDS, DUE_TASKS, type InvitationTask } from '../../contract/schedule';
import type { Invitation } from '../../domain/portal-access/ports';
import type { TransactItems } from './transact';

/** An invitation's due entry for `task` at `at`. */
export function invitationDueItem(contactId: string, task: InvitationTask, at: string): Record<string, unknown> {
  return {
    ...keys.invitationDue(contactId, task),
    ...keys.due(task, at, contactId),
    entity: ENTITY.invitationDue,
    contactId,
    at,
    ttl: Math.ceil(Date.parse(at) / 1000) + DUE_ENTRY_TTL_SECONDS,
  };
}

/** The Puts of a fresh invitation's due entries: its expiry, and its reminder if it has one. */
export function invitationDuePuts(table: string, contactId: string, invitation: Invitation): TransactItems {
  return [
    { Put: { TableName: table, Item: invitationDueItem(contactId, DUE_TASKS.invitationExpiry, invitation.expiresAt) } },
    ...(invitation.remindAt ? [{ Put: { TableName: table, Item: invitationDueItem(contactId, DUE_TASKS.invitationReminder, invitation.remindAt) } }] : []),
  ];
}
