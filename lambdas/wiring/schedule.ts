/**
 * The scheduled job's function: its tasks — the expiries of accesses and grants, and the invitation
 * lifecycle (the one reminder, the expiry) — bound to the table and the bus. A reminder is queued
 * as an outbox item (`ReminderDispatch`): the outbox worker mails it, paced. Env: TABLE_NAME,
 * EVENT_BUS_NAME.
 */
import { randomUUID } from 'node:crypto';
import { env } from '../contract/env';
import { expiryTasks } from '../domain/expiry-tasks';
import { invitationTasks, type ReminderDispatch } from '../domain/invitation-tasks';
import { queueReminder } from '../domain/portal-access/reminder';
import type { ScheduleDeps, ScheduledTask } from '../domain/schedule';
import { log } from '../platform/log';
import { DynamoAccessStore } from '../adapters/dynamodb/access-store';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { DynamoDocumentStore } from '../adapters/dynamodb/documents-store';
import { DynamoScheduleStore } from '../adapters/dynamodb/schedule-store';
import { EventBridgeAccessEvents } from '../adapters/eventbridge/access-events';
import { table } from './clients';
import { perContainer } from './container';
import { expiredGrantKeptSeconds } from './settings';
import { eventBridgeClient } from './worker-clients';

export interface ScheduleFunctionDeps {
  schedule: ScheduleDeps;
  tasks: readonly ScheduledTask[];
}

export const scheduleDeps = perContainer((): ScheduleFunctionDeps => {
  const { db, name } = table();
  const now = () => new Date();
  const schedule = new DynamoScheduleStore(db, name);
  const contacts = new DynamoContactStore(db, name);
  const store = new DynamoAccessStore(db, name);
  const events = new EventBridgeAccessEvents(eventBridgeClient(), env('eventBusName'));
  const reminders: ReminderDispatch = { remind: (contactId, at) => queueReminder({ contacts, store, now, newId: randomUUID }, contactId, at) };
  return {
    schedule: { watermarks: schedule, now, warn: log.warn },
    tasks: [
      ...expiryTasks({
        due: schedule,
        access: { contacts, store, events, now },
        documents: { store: new DynamoDocumentStore(db, name), contacts, now },
        grantKeptMs: expiredGrantKeptSeconds() * 1000,
      }),
      ...invitationTasks({ due: schedule, claims: schedule, reminders, expiry: { contacts, store, events, now }, now }),
    ],
  };
});

/** For tests: replace the dependencies. */
export const useScheduleDeps = scheduleDeps.use;
