/**
 * The scheduled job's expiry tasks end to end over the table's `due` index (a mocked DynamoDB
 * client answering items keyed as the writers key them): what the index lists is read back into
 * the access or grant it names, and each reaches its end — the access marked expired and announced,
 * the grant removed — while entries of another shape are left alone.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoScheduleStore } from '../../lambdas/adapters/dynamodb/schedule-store';
import { keys } from '../../lambdas/contract/keys';
import { DUE_TASKS } from '../../lambdas/contract/schedule';
import type { DocumentChange, DocumentStore, StoredGrant } from '../../lambdas/domain/documents';
import { expiryTasks, type DueStore } from '../../lambdas/domain/expiry-tasks';
import type { AccessEventType } from '../../lambdas/domain/portal-access/ports';
import { runSchedule } from '../../lambdas/domain/schedule';
import { MemoryAccess } from './portal-access.fakes';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoScheduleStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), 'portal-test');

const NOW = new Date('2026-11-10T12:34:56.000Z');
const ACCESS_UNTIL = '2026-11-10T12:00:00.000Z';
const GRANT_UNTIL = '2026-11-10T12:30:00.000Z';

/** A `due` index entry as its writer keys it (keys only: the index projects nothing else). */
const accessEntry = (contactId: string, at: string) => ({ ...keys.contact(contactId), ...keys.due(DUE_TASKS.accessExpiry, at, contactId) });
const grantEntry = (type: 'invoice' | 'sale_order', id: string, contactId: string, at: string) => ({
  ...keys.grant(type, id, contactId),
  ...keys.due(DUE_TASKS.grantExpiry, at, `${type}#${id}#${contactId}`),
});

/** Answers each `due` Query with the entries of its partition whose sort key is below the bound. */
function dueIndex(entries: Record<string, unknown>[]) {
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
    const { ':pk': pk, ':bound': bound } = input.ExpressionAttributeValues;
    return { Items: entries.filter((e) => e.duepk === pk && String(e.duesk) < bound!) };
  });
}

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({}); // no watermark yet
  ddb.on(UpdateCommand).resolves({});
});

describe('reading the due index back', () => {
  it('an access entry names its contact and the instant it is due', async () => {
    dueIndex([accessEntry('p-1', ACCESS_UNTIL), accessEntry('p#2', '2026-11-10T12:10:00.000Z')]);
    await expect(store().dueAccesses('2026-11-10T12', NOW.toISOString())).resolves.toEqual([
      { ref: { contactId: 'p-1' }, at: ACCESS_UNTIL },
      { ref: { contactId: 'p#2' }, at: '2026-11-10T12:10:00.000Z' },
    ]);
    const [query] = ddb.commandCalls(QueryCommand);
    expect(query!.args[0].input).toMatchObject({
      IndexName: 'due',
      ExpressionAttributeValues: { ':pk': 'DUE#access-expiry#2026-11-10T12', ':bound': `${NOW.toISOString()}$` },
    });
  });

  it('a grant entry names its document (type and id, an id holding # included), its grantee and the instant', async () => {
    dueIndex([grantEntry('invoice', 'INV#7', 'g-1', GRANT_UNTIL), grantEntry('sale_order', 'ORD-1', 'g-2', ACCESS_UNTIL)]);
    await expect(store().dueGrants('2026-11-10T12', NOW.toISOString())).resolves.toEqual([
      { ref: { type: 'invoice', id: 'INV#7', contactId: 'g-1' }, at: GRANT_UNTIL },
      { ref: { type: 'sale_order', id: 'ORD-1', contactId: 'g-2' }, at: ACCESS_UNTIL },
    ]);
  });

  it('entries of another shape in a partition are left out, not misread', async () => {
    const bucket = (task: string) => keys.due(task, ACCESS_UNTIL, 'x');
    dueIndex([
      { pk: 'DOC#invoice#INV-1', sk: 'DOC', ...bucket(DUE_TASKS.accessExpiry) }, // not a contact
      { pk: 'XCONTACT#p-1', sk: 'CONTACT', ...bucket(DUE_TASKS.accessExpiry) },
      { pk: 'CONTACT#p-3', sk: 'CONTACT', ...bucket(DUE_TASKS.grantExpiry) }, // not a document
      { pk: 'DOC#Invoice#INV-1', sk: 'GRANT#g-1', ...bucket(DUE_TASKS.grantExpiry) }, // not a document type
      { pk: 'XDOC#invoice#INV-1', sk: 'GRANT#g-1', ...bucket(DUE_TASKS.grantExpiry) },
      { pk: 'DOC#invoice#', sk: 'GRANT#g-1', ...bucket(DUE_TASKS.grantExpiry) }, // no id
      { pk: 'DOC#invoice#INV-1', sk: 'LINK#l-1', ...bucket(DUE_TASKS.grantExpiry) }, // not a grant
      { pk: 'DOC#invoice#INV-1', sk: 'XGRANT#g-1', ...bucket(DUE_TASKS.grantExpiry) },
    ]);
    await expect(store().dueAccesses('2026-11-10T12', NOW.toISOString())).resolves.toEqual([]);
    await expect(store().dueGrants('2026-11-10T12', NOW.toISOString())).resolves.toEqual([]);
  });
});

/** The access world with p1's access active until `until`. */
function activeUntil(until: string): MemoryAccess {
  const access = new MemoryAccess();
  access.add({
    id: 'p1',
    email: 'p1@example.com',
    portal: { status: 'active', activatedAt: '2026-11-01T00:00:00.000Z', until },
    login: { email: 'p1@example.com', username: 'user-p1', sub: 'sub-p1' },
  });
  return access;
}

describe('a run of the expiry tasks', () => {
  it('expires the due access (audited, announced) and removes the due grant; what is not yet due stays', async () => {
    const access = activeUntil(ACCESS_UNTIL);
    const events: { type: AccessEventType; detail: unknown }[] = [];
    let grants: StoredGrant[] = [
      { contactId: 'g1', until: GRANT_UNTIL },
      { contactId: 'g2', until: '2026-11-10T13:00:00.000Z' },
    ];
    const writes: DocumentChange[] = [];
    const documents: DocumentStore = {
      get: async (type, id) => ({
        document: { type, id, customerId: 'c1', createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z' } as never,
        version: 1,
      }),
      grants: async () => grants.map((g) => ({ ...g })),
      write: async (change) => {
        writes.push(change);
        if (change.kind === 'ungrant') grants = grants.filter((g) => g.contactId !== change.grant.contactId);
      },
      list: async () => ({ items: [] }),
    };
    dueIndex([accessEntry('p1', ACCESS_UNTIL), grantEntry('invoice', 'INV-1', 'g1', GRANT_UNTIL), grantEntry('invoice', 'INV-1', 'g2', '2026-11-10T13:00:00.000Z')]);
    const tasks = expiryTasks({
      due: store(),
      access: { contacts: access.contactStore, store: access, events: { emit: async (type, detail) => void events.push({ type, detail }) }, now: () => NOW },
      documents: { store: documents, contacts: access.contactStore, now: () => NOW },
    });

    const reports = await runSchedule({ watermarks: { watermark: async () => '2026-11-10T12', advanceWatermark: async () => undefined }, now: () => NOW, warn: () => undefined }, tasks, Number.MAX_SAFE_INTEGER);

    expect(reports).toEqual([
      { task: DUE_TASKS.accessExpiry, handled: 1, failed: 0, unfinished: false },
      { task: DUE_TASKS.grantExpiry, handled: 1, failed: 0, unfinished: false },
    ]);
    expect(access.contact('p1').portal.status).toBe('expired');
    expect(events).toEqual([{ type: 'PortalAccessExpired', detail: { contactId: 'p1', email: 'p1@example.com', at: ACCESS_UNTIL } }]);
    expect(writes).toMatchObject([{ kind: 'ungrant', grant: { contactId: 'g1', until: GRANT_UNTIL }, current: { document: { type: 'invoice', id: 'INV-1' } } }]);
    expect(grants.map((g) => g.contactId)).toEqual(['g2']);
  });

  it('an ended grant is kept grantKeptMs after its until (staff see it expired), then removed; the access is expired at once all the same', async () => {
    const run = async (now: Date) => {
      const access = activeUntil(ACCESS_UNTIL);
      let grants: StoredGrant[] = [{ contactId: 'g1', until: GRANT_UNTIL }];
      const documents: DocumentStore = {
        get: async (type, id) => ({ document: { type, id, customerId: 'c1', createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z' } as never, version: 1 }),
        grants: async () => grants.map((g) => ({ ...g })),
        write: async (change) => {
          if (change.kind === 'ungrant') grants = grants.filter((g) => g.contactId !== change.grant.contactId);
        },
        list: async () => ({ items: [] }),
      };
      dueIndex([accessEntry('p1', ACCESS_UNTIL), grantEntry('invoice', 'INV-1', 'g1', GRANT_UNTIL)]);
      const tasks = expiryTasks({
        due: store(),
        access: { contacts: access.contactStore, store: access, events: { emit: async () => undefined }, now: () => now },
        documents: { store: documents, contacts: access.contactStore, now: () => now },
        grantKeptMs: 60 * 60_000,
      });
      await runSchedule({ watermarks: { watermark: async () => '2026-11-10T12', advanceWatermark: async () => undefined }, now: () => now, warn: () => undefined }, tasks, Number.MAX_SAFE_INTEGER);
      return { status: access.contact('p1').portal.status, grants: grants.map((g) => g.contactId) };
    };
    // 12:34:56: the grant ended at 12:30, kept an hour; the access (12:00) is recorded now.
    await expect(run(NOW)).resolves.toEqual({ status: 'expired', grants: ['g1'] });
    await expect(run(new Date('2026-11-10T13:29:59.000Z'))).resolves.toEqual({ status: 'expired', grants: ['g1'] });
    await expect(run(new Date('2026-11-10T13:30:01.000Z'))).resolves.toEqual({ status: 'expired', grants: [] });
  });

  it('a run that died announcing, met by the next run in a later hour: that hour stays under the watermark, and a run after the claim went stale announces it, once', async () => {
    const UNTIL = '2026-11-10T11:59:30.000Z';
    const access = activeUntil(UNTIL);
    let clock = new Date('2026-11-10T11:59:45.000Z');
    const events: { type: AccessEventType; detail: unknown }[] = [];
    let dying = true;
    let reachedEmit = () => undefined as void;
    const died = new Promise<void>((resolve) => (reachedEmit = resolve));
    const emit = async (type: AccessEventType, detail: unknown) => {
      if (!dying) return void events.push({ type, detail });
      reachedEmit();
      return new Promise<never>(() => undefined); // the run's Lambda is gone: this never settles
    };
    // The due index lists the access from its `until` until its expiry is announced.
    const due: DueStore = {
      dueAccesses: async (hour, now) => (UNTIL.startsWith(hour) && UNTIL <= now && access.contact('p1').expiryAnnounced !== UNTIL ? [{ ref: { contactId: 'p1' }, at: UNTIL }] : []),
      dueGrants: async () => [],
    };
    const watermarks = new Map<string, string>([DUE_TASKS.accessExpiry, DUE_TASKS.grantExpiry].map((task) => [task, '2026-11-10T11']));
    const schedule = {
      watermarks: { watermark: async (task: string) => watermarks.get(task), advanceWatermark: async (task: string, hour: string) => void watermarks.set(task, hour) },
      now: () => clock,
      warn: () => undefined,
    };
    const tasks = expiryTasks({
      due,
      access: { contacts: access.contactStore, store: access, events: { emit }, now: () => clock },
      documents: { store: {} as DocumentStore, contacts: access.contactStore, now: () => clock },
    });
    const run = () => runSchedule(schedule, tasks, Number.MAX_SAFE_INTEGER);

    void run(); // marks the access expired, claims its announcement, and dies announcing it
    await died;
    dying = false;
    expect(access.contact('p1').portal.status).toBe('expired');
    clock = new Date('2026-11-10T12:00:10.000Z'); // the next run, in the next hour: the claim is 25 s old
    await run();
    expect(events).toEqual([]);
    for (const at of ['2026-11-10T12:01:10.000Z', '2026-11-10T12:02:10.000Z']) {
      clock = new Date(at);
      await run();
    }
    expect(events).toEqual([{ type: 'PortalAccessExpired', detail: { contactId: 'p1', email: 'p1@example.com', at: UNTIL } }]);
    expect(watermarks.get(DUE_TASKS.accessExpiry)).toBe('2026-11-10T12');
  });
});
