/** The invitation lifecycle's adapters against mocked SDK clients: the exact requests, and how refusals are answered. */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoStaffProfiles } from '../../lambdas/adapters/cognito/staff-directory';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store';
import { DynamoDeliveryStore } from '../../lambdas/adapters/dynamodb/delivery-store';
import { DynamoInvitationStore } from '../../lambdas/adapters/dynamodb/invitation-store';
import { DynamoScheduleStore } from '../../lambdas/adapters/dynamodb/schedule-store';
import { DUE_TASKS } from '../../lambdas/contract/schedule';
import { auditEntry } from '../../lambdas/domain/audit';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import { cognitoError, fakeCognito } from './cognito-fake';

const db = mockClient(DynamoDBDocumentClient);
const dynamo = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const cognito = fakeCognito();

beforeEach(() => {
  db.reset();
  cognito.reset();
});

const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const invited: ContactRecord = {
  id: 'c1',
  kind: 'person',
  name: 'Pat',
  archived: false,
  portal: { status: 'invited' },
  version: 3,
  createdAt: 'x',
  updatedAt: 'x',
  invitation: { tokenHash: 'h1', expiresAt: '2026-03-08T10:00:00.000Z', sentAt: '2026-03-01T10:00:00.000Z' },
  login: { email: 'pat@example.com', username: 'u1', sub: 's1' },
  outbox: { id: 'o1', kind: 'invitation', at: '2026-03-01T10:00:00.000Z' },
};
const invitation = { tokenHash: 'h2', expiresAt: '2026-03-08T10:00:00.000Z', issuedAt: '2026-03-01T10:00:00.000Z', remindAt: '2026-03-04T10:00:00.000Z' };

describe('DynamoDeliveryStore: the invitation lifecycle', () => {
  const store = new DynamoDeliveryStore(dynamo(), 'portal');

  it('a fresh invitation the worker sends writes its expiry and reminder due entries in the same transaction', async () => {
    db.on(TransactWriteCommand).resolves({});
    expect(await store.replaceInvitation('c1', invitation, 'h1', 'o1', { schedule: true, holder: 'w1' })).toBe('replaced');
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const puts = items.flatMap((i) => (i.Put ? [i.Put.Item] : []));
    expect(puts).toContainEqual({
      pk: 'CONTACT#c1',
      sk: 'DUE#invitation-expiry',
      duepk: 'DUE#invitation-expiry#2026-03-08T10',
      duesk: '2026-03-08T10:00:00.000Z#c1',
      entity: 'invitation-due',
      contactId: 'c1',
      at: '2026-03-08T10:00:00.000Z',
      ttl: Date.parse('2026-03-08T10:00:00.000Z') / 1000 + 30 * 24 * 3600,
    });
    expect(puts).toContainEqual(expect.objectContaining({ pk: 'CONTACT#c1', sk: 'DUE#invitation-reminder', duepk: 'DUE#invitation-reminder#2026-03-04T10', duesk: '2026-03-04T10:00:00.000Z#c1' }));
    expect(items.find((i) => i.Update)?.Update?.ExpressionAttributeValues?.[':invitation']).toEqual({ ...invitation, outboxId: 'o1' });
  });

  it('the reminder’s fresh link keeps the due entries as they are', async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.replaceInvitation('c1', invitation, 'h1', 'o2', { schedule: false, holder: 'w1' });
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item?.pk ?? i.Update?.Key?.pk ?? i.Delete?.Key?.pk)).toEqual(['INVITATION#h2', 'CONTACT#c1', 'INVITATION#h1']);
  });

  it('the reminder’s fresh link refuses an old link being accepted (a live claim): claimed, told from the contact having moved on', async () => {
    db.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'ConditionalCheckFailed', 'None')).rejectsOnce(cancelled('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'));
    const options = { schedule: false, holder: 'w1', unlessClaimedSince: '2026-03-04T09:59:02.000Z' };
    expect(await store.replaceInvitation('c1', invitation, 'h1', 'o2', options)).toBe('claimed');
    expect(await store.replaceInvitation('c1', invitation, 'h1', 'o2', options)).toBe('superseded');
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[2]?.Delete).toEqual({
      TableName: 'portal',
      Key: { pk: 'INVITATION#h1', sk: 'INVITATION' },
      ConditionExpression: 'attribute_not_exists(claimedAt) OR claimedAt < :stale',
      ExpressionAttributeValues: { ':stale': '2026-03-04T09:59:02.000Z' },
    });
  });

  it('a re-invite’s fresh link replaces the old one whatever claims it (staff chose to end it)', async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.replaceInvitation('c1', invitation, 'h1', 'o2', { schedule: true, holder: 'w1' });
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[2]?.Delete).toEqual({ TableName: 'portal', Key: { pk: 'INVITATION#h1', sk: 'INVITATION' } });
  });

  it('marks the reminder sent — remindedAt, the audit entry and the item’s marker in one write — only while the contact names that token and item', async () => {
    db.on(TransactWriteCommand).resolvesOnce({}).rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const audit = auditEntry('invitation.reminded', 'c1', 'schedule', 'now');
    expect(await store.markReminded('c1', 'h2', 'o2', 'now', audit)).toBe(true);
    expect(await store.markReminded('c1', 'h2', 'o2', 'now', audit)).toBe(false);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update).toMatchObject({
      UpdateExpression: 'SET #invitation.remindedAt = :at',
      ConditionExpression: '#invitation.tokenHash = :hash AND #outbox.#id = :outbox',
      ExpressionAttributeValues: { ':hash': 'h2', ':outbox': 'o2' },
    });
    expect(items[1]?.Put?.Item).toMatchObject({ action: 'invitation.reminded' });
    expect(items[2]?.Update).toMatchObject({ Key: { pk: 'OUTBOX#o2', sk: 'OUTBOX' }, UpdateExpression: 'SET #steps.#mail = :at' });
  });

  it('an accepted invitation stays on record with acceptedAt; its link item goes', async () => {
    db.on(TransactWriteCommand).resolves({});
    await new DynamoInvitationStore(dynamo(), 'portal').activate('c1', 'h1', 'claimed', 'now', auditEntry('invitation.accepted', 'c1', 'invitee', 'now'));
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.UpdateExpression).toContain('#invitation.acceptedAt = :at');
    expect(items[0]?.Update?.UpdateExpression).not.toContain('REMOVE #invitation');
    expect(items[1]?.Delete?.Key).toEqual({ pk: 'INVITATION#h1', sk: 'INVITATION' });
  });
});

describe('DynamoAccessStore: the invitation lifecycle', () => {
  const store = new DynamoAccessStore(dynamo(), 'portal');

  it('a link for staff: the invitation, its due entries and the audit entry in one write; the record then names no outbox item', async () => {
    db.on(TransactWriteCommand).resolves({});
    const audit = auditEntry('portal.reinvited', 'c1', 'staff:mia', 'now', { delivery: 'link' });
    expect(await store.shareInvitation(invited, { ...invitation, sharedAt: 'now' }, audit)).toBe(true);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item?.sk ?? i.Update?.Key?.sk ?? i.Delete?.Key?.pk)).toEqual(['INVITATION', 'CONTACT', 'INVITATION#h1', 'DUE#invitation-expiry', 'DUE#invitation-reminder', expect.stringMatching(/^now#/)]);
    const update = items[1]!.Update!;
    expect(update.UpdateExpression).toBe('SET #invitation = :invitation, #updatedAt = :at REMOVE #outbox, #portal.#delivery, #deliveryError ADD #version :one');
    expect(update.ConditionExpression).toContain('attribute_exists(#login.#sub)');
    expect(update.ConditionExpression).toContain('#invitation.tokenHash = :previous');
    expect(update.ConditionExpression).toContain('#outbox.#id = :outbox');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':previous': 'h1', ':outbox': 'o1' });
  });

  it('queues a reminder: the contact names the item, if still invited with the invitation read and not reminded', async () => {
    db.on(TransactWriteCommand).resolvesOnce({}).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    const item = { id: 'o9', kind: 'reminder' as const, contactId: 'c1', actor: 'schedule', at: 'now', remindAt: '2026-03-04T10:00:00.000Z' };
    expect(await store.queueReminder(invited, item)).toBe(true);
    expect(await store.queueReminder(invited, item)).toBe(false);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ConditionExpression).toMatch(/#outbox\.#id = :previous AND #invitation\.tokenHash = :hash AND attribute_not_exists\(#invitation\.remindedAt\)$/);
    expect(items[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':outbox': { id: 'o9', kind: 'reminder', at: 'now' }, ':previous': 'o1', ':hash': 'h1' });
    expect(items[1]?.Put?.Item).toMatchObject({ pk: 'OUTBOX#o9', kind: 'reminder', remindAt: '2026-03-04T10:00:00.000Z', steps: {} });
  });

  it('records an expiry once: conditioned on the status, the token, neither accepted nor recorded; the link item deleted; audited', async () => {
    db.on(TransactWriteCommand).resolvesOnce({}).rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const audit = auditEntry('invitation.expired', 'c1', 'schedule', 'now');
    expect(await store.markInvitationExpired(invited, 'now', audit)).toBe(true);
    expect(await store.markInvitationExpired(invited, 'now', audit)).toBe(false);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ConditionExpression).toBe(
      '#portal.#status = :invited AND #invitation.tokenHash = :hash AND attribute_not_exists(#invitation.acceptedAt) AND attribute_not_exists(#invitation.expiredAt)',
    );
    expect(items[1]?.Delete?.Key).toEqual({ pk: 'INVITATION#h1', sk: 'INVITATION' });
    expect(items[2]?.Put?.Item).toMatchObject({ action: 'invitation.expired' });
  });

});

describe('DynamoScheduleStore: the invitations’ due entries', () => {
  const store = new DynamoScheduleStore(dynamo(), 'portal');

  it('finds an hour’s due invitations with a Query of the due index up to now, every page', async () => {
    db.on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: 'CONTACT#c1', sk: 'DUE#invitation-reminder', duesk: '2026-03-04T10:00:00.000Z#c1' }], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: [{ pk: 'CONTACT#c2', sk: 'DUE#invitation-reminder', duesk: '2026-03-04T10:30:00.000Z#c2' }] });
    expect(await store.dueInvitations(DUE_TASKS.invitationReminder, '2026-03-04T10', '2026-03-04T10:45:00.000Z')).toEqual([
      { ref: { contactId: 'c1' }, at: '2026-03-04T10:00:00.000Z' },
      { ref: { contactId: 'c2' }, at: '2026-03-04T10:30:00.000Z' },
    ]);
    const input = db.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'due',
      KeyConditionExpression: 'duepk = :pk AND duesk < :bound',
      ExpressionAttributeValues: { ':pk': 'DUE#invitation-reminder#2026-03-04T10', ':bound': '2026-03-04T10:45:00.000Z$' },
    });
    expect(db.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x' });
  });

  it('claims an entry only if it is still the one found due and no live run holds it; finishes only its own claim', async () => {
    db.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await store.claim(DUE_TASKS.invitationExpiry, 'c1', '2026-03-08T10:00:00.000Z', 'now', 'stale')).toBe(true);
    expect(await store.claim(DUE_TASKS.invitationExpiry, 'c1', '2026-03-08T10:00:00.000Z', 'now', 'stale')).toBe(false);
    expect(db.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      Key: { pk: 'CONTACT#c1', sk: 'DUE#invitation-expiry' },
      ConditionExpression: 'duesk = :duesk AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
      ExpressionAttributeValues: { ':claimedAt': 'now', ':duesk': '2026-03-08T10:00:00.000Z#c1', ':stale': 'stale' },
    });
    db.on(DeleteCommand).rejects(conditionFailed());
    await store.finish(DUE_TASKS.invitationExpiry, 'c1', '2026-03-08T10:00:00.000Z', 'now'); // another's claim, or the next invitation's entry: left alone
    expect(db.commandCalls(DeleteCommand)[0]!.args[0].input.ConditionExpression).toBe('duesk = :duesk AND claimedAt = :claimedAt');
  });
});

describe('CognitoStaffProfiles', () => {
  it('reads the name, verified email and locale of a staff user, remembers them a minute, and says so when there is no such user', async () => {
    cognito.on('AdminGetUser', (input) => {
      if (input.Username === 'mia')
        return { Username: 'mia', UserAttributes: [{ Name: 'name', Value: ' Mia ' }, { Name: 'email', Value: 'mia@example.com' }, { Name: 'email_verified', Value: 'true' }, { Name: 'sub', Value: 's' }] };
      if (input.Username === 'unverified') return { UserAttributes: [{ Name: 'email', Value: 'typo@example.con' }, { Name: 'locale', Value: 'nl' }] };
      throw cognitoError('UserNotFoundException', 'User does not exist.');
    });
    cognito.on('AdminListGroupsForUser', (input) => ({ Groups: input.Username === 'mia' ? [{ GroupName: 'portal-admins' }] : [{ GroupName: 'sales' }] }));
    const profiles = new CognitoStaffProfiles(cognito, 'staff-pool');
    expect(await profiles.profile('mia')).toEqual({ name: 'Mia', email: 'mia@example.com', portalAdmin: true });
    expect(await profiles.profile('mia')).toEqual({ name: 'Mia', email: 'mia@example.com', portalAdmin: true });
    expect(cognito.calls('AdminGetUser').filter((c) => c.Username === 'mia')).toHaveLength(1);
    expect(cognito.calls('AdminGetUser')[0]!.UserPoolId).toBe('staff-pool');
    expect(await profiles.profile('gone')).toBeUndefined();
    // An address the pool has not verified is no place to send customers' names.
    expect(await profiles.profile('unverified')).toEqual({ locale: 'nl', portalAdmin: false });
  });

  it('a user disabled, or outside portal-admins, is no portal admin (its notices stop)', async () => {
    cognito.on('AdminGetUser', (input) => ({ Enabled: input.Username !== 'disabled', UserAttributes: [{ Name: 'email', Value: `${String(input.Username)}@example.com` }, { Name: 'email_verified', Value: 'true' }] }));
    cognito.on('AdminListGroupsForUser', (input) => ({ Groups: input.Username === 'outside' ? [{ GroupName: 'portal-admins,x' }] : [{ GroupName: 'portal-admins' }] }));
    const profiles = new CognitoStaffProfiles(cognito, 'staff-pool');
    expect(await profiles.profile('admin')).toMatchObject({ email: 'admin@example.com', portalAdmin: true });
    expect(await profiles.profile('disabled')).toMatchObject({ email: 'disabled@example.com', portalAdmin: false });
    expect(await profiles.profile('outside')).toMatchObject({ email: 'outside@example.com', portalAdmin: false });
  });

  it('a fresh look-up asks the pool again: a user removed from portal-admins a moment ago is no portal admin', async () => {
    let groups = [{ GroupName: 'portal-admins' }];
    cognito.on('AdminGetUser', { UserAttributes: [{ Name: 'email', Value: 'mia@example.com' }, { Name: 'email_verified', Value: 'true' }] });
    cognito.on('AdminListGroupsForUser', () => ({ Groups: groups }));
    const profiles = new CognitoStaffProfiles(cognito, 'staff-pool');
    expect(await profiles.profile('mia')).toMatchObject({ portalAdmin: true });
    groups = [];
    expect(await profiles.profile('mia')).toMatchObject({ portalAdmin: true });
    expect(await profiles.profile('mia', { fresh: true })).toMatchObject({ portalAdmin: false });
    expect(await profiles.profile('mia')).toMatchObject({ portalAdmin: false });
  });

  it('does not remember a failed look-up', async () => {
    cognito
      .once('AdminGetUser', () => {
        throw cognitoError('TooManyRequestsException', 'throttled');
      })
      .on('AdminGetUser', { UserAttributes: [{ Name: 'email', Value: 'a@example.com' }, { Name: 'email_verified', Value: 'true' }] })
      .on('AdminListGroupsForUser', { Groups: [{ GroupName: 'portal-admins' }] });
    const profiles = new CognitoStaffProfiles(cognito, 'staff-pool');
    await expect(profiles.profile('a')).rejects.toThrow('throttled');
    expect(await profiles.profile('a')).toEqual({ email: 'a@example.com', portalAdmin: true });
  });
});
