/**
 * The scheduled job's function: its tasks (today the expiries; each a named task of the same run)
 * bound to the table and the bus. Env: TABLE_NAME, EVENT_BUS_NAME.
 */
import { env } from '../contract/env';
import { expiryTasks } from '../domain/expiry-tasks';
import type { ScheduleDeps, ScheduledTask } from '../domain/schedule';
import { log } from '../platform/log';
import { DynamoAccessStore } from '../adapters/dynamodb/access-store';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { DynamoDocumentStore } from '../adapters/dynamodb/documents-store';
import { DynamoScheduleStore } from '../adapters/dynamodb/schedule-store';
import { EventBridgeAccessEvents } from '../adapters/eventbridge/access-events';
import { table } from './clients';
import { perContainer } from './container';
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
  const events = new EventBridgeAccessEvents(eventBridgeClient(), env('eventBusName'));
  return {
    schedule: { watermarks: schedule, now, warn: log.warn },
    tasks: expiryTasks({
      due: schedule,
      access: { contacts, store: new DynamoAccessStore(db, name), events, now },
      documents: { store: new DynamoDocumentStore(db, name), contacts, now },
    }),
  };
});

/** For tests: replace the dependencies. */
export const useScheduleDeps = scheduleDeps.use;
