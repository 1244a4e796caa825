/** The portal-access adapters against mocked SDK clients (and a fake Cognito API): the exact requests, and how refusals are answered. */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoCustomerLogins } from '../../lambdas/adapters/cognito/customer-logins';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store';
import { DynamoAuditStore } from '../../lambdas/adapters/dynamodb/audit-store';
import { DynamoDeliveryStore } from '../../lambdas/adapters/dynamodb/delivery-store';
import { DynamoIdempotencyStore } from '../../lambdas/adapters/dynamodb/idempotency-store';
import { DynamoInvitationStore } from '../../lambdas/adapters/dynamodb/invitation-store';
import { DynamoMailPacer } from '../../lambdas/adapters/dynamodb/mail-pacer';
import { DynamoOutboxStore } from '../../lambdas/adapters/dynamodb/outbox-store';
import { EventBridgeAccessEvents } from '../../lambdas/adapters/eventbridge/access-events';
import { auditEntry } from '../../lambdas/domain/audit';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { InvitationItem, RevocationItem } from '../../lambdas/domain/outbox';
import { LoginGone } from '../../lambdas/domain/portal-access/ports';
import { Invalid } from '../../lambdas/contract/errors';
import { isTransient } from '../../lambdas/platform/transient';
import { cognitoError, fakeCognito } from './cognito-fake';

const db = mockClient(DynamoDBDocumentClient);
const dynamo = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const cognito = fakeCognito();
const eventBridge = mockClient(EventBridgeClient);

beforeAll(() => {
  Object.assign(process.env, { TABLE_NAME: 'portal', CUSTOMER_USER_POOL_ID: 'pool-1', EVENT_BUS_NAME: 'bus-1' });
});
beforeEach(() => {
  db.reset();
  cognito.reset();
  eventBridge.reset();
});

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

const person = (patch: Partial<ContactRecord> = {}): ContactRecord => ({
  id: 'c1',
  kind: 'person',
  name: 'Pat',
  archived: false,
  portal: { status: 'none' },
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...patch,
});
const grantItem: InvitationItem = { id: 'o1', kind: 'invitation', contactId: 'c1', actor: 'staff:alice', at: '2026-03-01T00:00:00.000Z', reason: 'granted' };
const revocationItem: RevocationItem = { id: 'o2', kind: 'revocation', contactId: 'c1', actor: 'staff:alice', at: '2026-03-01T00:00:00.000Z', email: 'pat@example.com' };
const audit = auditEntry('portal.granted', 'c1', 'staff:alice', '2026-03-01T00:00:00.000Z');
const claimOf = (contact: ContactRecord, patch: Partial<Parameters<DynamoAccessStore['claimLogin']>[0]> = {}) => ({
  contact,
  email: 'pat@example.com',
  storeEmail: false,
  at: '2026-03-01T00:00:00.000Z',
  outbox: grantItem,
  audit,
  settings: {},
  ...patch,
});

describe('DynamoAccessStore (the requests)', () => {
  const store = new DynamoAccessStore(dynamo(), 'portal');

  it('claims a login email: the guard, the contact (queued, naming its outbox item), the outbox item and the audit entry in one transaction', async () => {
    db.on(TransactWriteCommand).resolves({});
    expect(await store.claimLogin(claimOf(person(), { storeEmail: true }))).toBe('claimed');
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(4);
    expect(items[0]?.Put).toMatchObject({
      Item: { pk: 'LOGIN#pat@example.com', sk: 'LOGIN', entity: 'login-email', contactId: 'c1' },
      ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
    });
    expect(items[1]?.Update?.Key).toEqual({ pk: 'CONTACT#c1', sk: 'CONTACT' });
    expect(items[1]?.Update?.ConditionExpression).toContain('(attribute_not_exists(#portal) OR #portal.#status = :read)');
    expect(items[1]?.Update?.UpdateExpression).toContain('REMOVE #invitation, #deliveryError');
    expect(items[1]?.Update?.ExpressionAttributeValues).toMatchObject({
      ':read': 'none',
      ':portal': { status: 'invited', invitedAt: '2026-03-01T00:00:00.000Z', delivery: 'queued' },
      ':outbox': { id: 'o1', kind: 'invitation', at: '2026-03-01T00:00:00.000Z' },
      ':login': { email: 'pat@example.com' },
      ':email': 'pat@example.com',
      ':gsi3pk': 'CONTACTS_BY_EMAIL',
      ':gsi3sk': 'pat@example.com#c1',
    });
    expect(items[2]?.Put).toEqual({
      TableName: 'portal',
      Item: { pk: 'OUTBOX#o1', sk: 'OUTBOX', entity: 'outbox', ...grantItem, steps: {} },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[3]?.Put?.Item).toMatchObject({ pk: 'AUDIT#c1', entity: 'audit', action: 'portal.granted' });
  });

  it('answers which condition refused the claim, retries a mere collision, takes over with the holder condition', async () => {
    db.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None', 'None')).rejectsOnce(cancelled('None', 'ConditionalCheckFailed', 'None', 'None'));
    expect(await store.claimLogin(claimOf(person()))).toBe('email-taken');
    expect(await store.claimLogin(claimOf(person()))).toBe('contact-changed');
    db.reset();
    db.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 'None', 'None', 'None')).resolves({});
    expect(await store.claimLogin(claimOf(person(), { takeOverFrom: 'old' }))).toBe('claimed');
    const calls = db.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.TransactItems?.[0]?.Put).toMatchObject({ ConditionExpression: 'contactId = :holder', ExpressionAttributeValues: { ':holder': 'old' } });
  });

  it("a person's claim checks, in the same transaction, that its company is not archived", async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.claimLogin(claimOf(person({ companyId: 'co9' })));
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[2]?.ConditionCheck).toMatchObject({
      Key: { pk: 'CONTACT#co9', sk: 'CONTACT' },
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false)',
    });
    db.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed', 'None', 'None'));
    expect(await store.claimLogin(claimOf(person({ companyId: 'co9' })))).toBe('company-archived');
    db.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None', 'None', 'None'));
    expect(await store.claimLogin(claimOf(person({ companyId: 'co9' })))).toBe('contact-changed');
  });

  it('a re-grant with another email drops the old guard and subject pointer, if still ours', async () => {
    db.on(TransactWriteCommand).resolves({});
    const revoked = person({ portal: { status: 'revoked' }, login: { email: 'old@example.com', username: 'u', sub: 's' } });
    await store.claimLogin(claimOf(revoked, { email: 'new@example.com', storeEmail: true }));
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.slice(2, 4).map((i) => i.Delete?.Key)).toEqual([
      { pk: 'LOGIN#old@example.com', sk: 'LOGIN' },
      { pk: 'SUB#s', sk: 'SUB' },
    ]);
    expect(items[2]?.Delete?.ConditionExpression).toBe('attribute_not_exists(pk) OR contactId = :me');
  });

  it('queues another invitation only while the contact is invited and still names the item it was read with', async () => {
    db.on(TransactWriteCommand).resolves({});
    const contact = person({ portal: { status: 'invited', delivery: 'failed' }, outbox: { id: 'o0', kind: 'invitation', at: 'earlier' } });
    expect(await store.requeueInvitation(contact, grantItem, audit)).toBe(true);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(3);
    expect(items[0]?.Update?.ConditionExpression).toBe('attribute_exists(pk) AND (attribute_not_exists(#archived) OR #archived = :false) AND #portal.#status = :status AND #outbox.#id = :previous AND attribute_not_exists(#invitation)');
    expect(items[0]?.Update?.UpdateExpression).toBe('SET #outbox = :outbox, #updatedAt = :at, #portal.#delivery = :queued REMOVE #deliveryError ADD #version :one');
    expect(items[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':status': 'invited', ':previous': 'o0', ':queued': 'queued', ':outbox': { id: 'o1', kind: 'invitation' } });
    expect(items[1]?.Put?.Item).toMatchObject({ pk: 'OUTBOX#o1', entity: 'outbox' });
    // A contact with an invitation: its link dies in the same transaction (the invitation item deleted).
    const invited = person({ portal: { status: 'invited' }, outbox: { id: 'o0', kind: 'invitation', at: 'earlier' }, invitation: { tokenHash: 'h0', expiresAt: '2026-12-09T00:00:00.000Z', issuedAt: 'earlier' } });
    expect(await store.requeueInvitation(invited, grantItem, audit)).toBe(true);
    const withLink = db.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(withLink).toHaveLength(4);
    expect(withLink[3]?.Delete).toEqual({ TableName: expect.any(String), Key: { pk: 'INVITATION#h0', sk: 'INVITATION' } });
    // Only while the contact still names that link (one shared meanwhile is not the one this Delete kills).
    expect(withLink[0]?.Update?.ConditionExpression).toContain('#invitation.tokenHash = :hash');
    expect(withLink[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':hash': 'h0' });
    // Refused by the contact: `false`; only by the outbox item (an item of that id exists already): 'exists'.
    db.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'));
    expect(await store.requeueInvitation(contact, grantItem, audit)).toBe(false);
    db.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
    expect(await store.requeueInvitation(contact, grantItem, audit)).toBe('exists');
    db.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    expect(await store.requeueRevocation(person({ portal: { status: 'revoked' } }), revocationItem)).toBe(false);
    const revocation = db.commandCalls(TransactWriteCommand)[4]?.args[0].input.TransactItems?.[0]?.Update;
    expect(revocation?.ConditionExpression).toContain('attribute_not_exists(#outbox)');
    expect(revocation?.ExpressionAttributeNames).not.toHaveProperty('#delivery');
    // An archived contact's abandoned revocation is queued again too (archived as read); an invitation never is.
    db.on(TransactWriteCommand).resolves({});
    expect(await store.requeueRevocation(person({ archived: true, portal: { status: 'revoked' } }), revocationItem)).toBe(true);
    const archived = db.commandCalls(TransactWriteCommand)[5]?.args[0].input.TransactItems?.[0]?.Update;
    expect(archived?.ConditionExpression).toBe('attribute_exists(pk) AND #archived = :true AND #portal.#status = :status AND attribute_not_exists(#outbox)');
    expect(archived?.ExpressionAttributeValues).toMatchObject({ ':true': true, ':status': 'revoked' });
  });

  it('revokes with the audit entry and its outbox item, deletes the pending invitation, releases an archived contact’s guard and subject', async () => {
    db.on(TransactWriteCommand).resolves({});
    const contact = person({
      archived: true,
      portal: { status: 'invited' },
      login: { email: 'pat@example.com', username: 'u1', sub: 's1' },
      invitation: { tokenHash: 'h1', expiresAt: 'later' },
    });
    const revokeAudit = auditEntry('portal.revoked', 'c1', 'staff:alice', '2026-03-01T00:00:00.000Z');
    expect(await store.revoke(contact, '2026-03-01T00:00:00.000Z', revokeAudit, true, revocationItem)).toBe(true);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ConditionExpression).toBe('#portal.#status = :read AND #archived = :archived');
    expect(items[0]?.Update?.ExpressionAttributeValues?.[':outbox']).toEqual({ id: 'o2', kind: 'revocation', at: '2026-03-01T00:00:00.000Z' });
    // The contacts' status listing follows: an archived contact into the archived partition.
    expect(items[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':statusPartition': 'PORTAL#revoked#ARCHIVED', ':archived': true });
    expect(items[1]?.Put?.Item).toMatchObject({ pk: 'AUDIT#c1', entity: 'audit', action: 'portal.revoked', actor: 'staff:alice' });
    expect(String(items[1]?.Put?.Item?.sk)).toMatch(/^2026-03-01T00:00:00.000Z#[0-9a-f]{12}$/);
    expect(items[2]?.Put?.Item).toMatchObject({ pk: 'OUTBOX#o2', kind: 'revocation', email: 'pat@example.com' });
    expect(items.slice(3).map((i) => i.Delete?.Key)).toEqual([
      { pk: 'INVITATION#h1', sk: 'INVITATION' },
      { pk: 'LOGIN#pat@example.com', sk: 'LOGIN' },
      { pk: 'SUB#s1', sk: 'SUB' },
    ]);
    expect(items[5]?.Delete?.ConditionExpression).toBe('attribute_not_exists(pk) OR contactId = :me');
    db.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'));
    expect(await store.revoke(contact, 'now', revokeAudit, true, revocationItem)).toBe(false);
  });

  it('a revocation drops a delivery still queued (that mail is never sent), on the condition that it is still queued; a sent one stays', async () => {
    db.on(TransactWriteCommand).resolves({});
    const revokeAudit = auditEntry('portal.revoked', 'c1', 'staff:alice', '2026-03-01T00:00:00.000Z');
    await store.revoke(person({ portal: { status: 'invited', delivery: 'queued' } }), '2026-03-01T00:00:00.000Z', revokeAudit, false, revocationItem);
    await store.revoke(person({ portal: { status: 'invited', delivery: 'sent' } }), '2026-03-01T00:00:00.000Z', revokeAudit, false, revocationItem);
    const [queued, sent] = db.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems?.[0]?.Update);
    expect(queued?.UpdateExpression).toMatch(/REMOVE [^=]*#portal\.#delivery ADD/);
    expect(queued?.ConditionExpression).toBe('#portal.#status = :read AND #archived = :archived AND #portal.#delivery = :queued');
    expect(queued?.ExpressionAttributeValues).toMatchObject({ ':queued': 'queued' });
    expect(sent?.UpdateExpression).not.toMatch(/#delivery/);
    expect(sent?.ConditionExpression).toBe('#portal.#status = :read AND #archived = :archived');
  });

  it('reads the guard consistently', async () => {
    db.on(GetCommand, { Key: { pk: 'LOGIN#a@example.com', sk: 'LOGIN' } }).resolves({ Item: { contactId: 'c9' } });
    expect(await store.loginHolder('a@example.com')).toBe('c9');
    expect(db.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });
});

describe('DynamoDeliveryStore (the outbox worker)', () => {
  const store = new DynamoDeliveryStore(dynamo(), 'portal');

  it('records the Cognito login and its subject pointer, only for the item the contact names; a subject another contact links is not taken', async () => {
    db.on(TransactWriteCommand).resolvesOnce({}).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    const login = { email: 'pat@example.com', username: 'u1', sub: 's1' };
    expect(await store.recordLogin('c1', 'o1', login)).toBe('recorded');
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update).toMatchObject({ UpdateExpression: 'SET #login = :login', ConditionExpression: '#outbox.#id = :outbox AND #portal.#status = :invited AND #login.#email = :email' });
    expect(items[1]?.Put).toMatchObject({
      Item: { pk: 'SUB#s1', sk: 'SUB', entity: 'login-subject', contactId: 'c1', sub: 's1' },
      ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
    });
    expect(await store.recordLogin('c1', 'o1', login)).toBe('subject-taken');
    expect(await store.recordLogin('c1', 'o1', login)).toBe('superseded');
  });

  it('records a login that replaces one deleted from the pool: the old subject’s pointer goes, if it is the contact’s', async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.recordLogin('c1', 'o1', { email: 'pat@example.com', username: 'u2', sub: 's2' }, 's1');
    await store.recordLogin('c1', 'o1', { email: 'pat@example.com', username: 'u2', sub: 's2' }, 's2');
    const [replacing, same] = db.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems ?? []);
    expect(replacing).toHaveLength(3);
    expect(replacing?.[2]?.Delete).toMatchObject({ Key: { pk: 'SUB#s1', sk: 'SUB' }, ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me', ExpressionAttributeValues: { ':me': 'c1' } });
    expect(same).toHaveLength(2);
  });

  it('stores a fresh invitation for the item the contact names, deleting the previous one', async () => {
    db.on(TransactWriteCommand).resolves({});
    expect(await store.replaceInvitation('c1', { tokenHash: 'h2', expiresAt: '2026-03-08T10:00:00.000Z', issuedAt: '2026-03-01T10:00:00.000Z' }, 'h1', 'o1', { schedule: false, holder: 'w1' })).toBe('replaced');
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put).toMatchObject({
      Item: { pk: 'INVITATION#h2', sk: 'INVITATION', entity: 'invitation', contactId: 'c1', ttl: 1772964000 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[1]?.Update).toMatchObject({
      UpdateExpression: 'SET #invitation = :invitation',
      ConditionExpression: '#portal.#status = :invited AND #outbox.#id = :outbox AND #invitation.tokenHash = :previous',
    });
    expect(items[1]?.Update?.ExpressionAttributeValues?.[':invitation']).toMatchObject({ tokenHash: 'h2', outboxId: 'o1' });
    expect(items[2]?.Delete?.Key).toEqual({ pk: 'INVITATION#h1', sk: 'INVITATION' });
    // Only the item's lease holder mints, and never once a mail of the item was handed over.
    expect(items[3]?.ConditionCheck).toMatchObject({
      Key: { pk: 'OUTBOX#o1', sk: 'OUTBOX' },
      ConditionExpression: '#lease.#holder = :holder AND attribute_not_exists(#sending) AND attribute_not_exists(doneAt)',
      ExpressionAttributeValues: { ':holder': 'w1' },
    });
  });

  it('marks the mail sent on the contact and the step on the outbox item, in one transaction', async () => {
    db.on(TransactWriteCommand).resolves({});
    expect(await store.markInvitationSent('c1', 'h2', 'o1', '2026-03-01T10:00:01.000Z')).toBe(true);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update).toMatchObject({ ConditionExpression: '#invitation.tokenHash = :hash', ExpressionAttributeValues: expect.objectContaining({ ':sent': 'sent', ':hash': 'h2' }) });
    expect(items[1]?.Update).toMatchObject({ Key: { pk: 'OUTBOX#o1', sk: 'OUTBOX' }, UpdateExpression: 'SET #steps.#mail = :at' });
  });

  it('records a mail about to be handed to SES on the outbox item: only the lease holder, once, while the contact has that invitation', async () => {
    const lease = { holder: 'w1', untilMs: 1_772_359_230_000 };
    db.on(TransactWriteCommand).resolves({});
    expect(await store.markMailSending('c1', 'h2', 'o1', '2026-03-01T10:00:00.000Z', lease)).toBe('marked');
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update).toMatchObject({
      Key: { pk: 'OUTBOX#o1', sk: 'OUTBOX' },
      UpdateExpression: 'SET #sending = :sending, #lease.#until = :until',
      ConditionExpression: '#lease.#holder = :holder AND attribute_not_exists(#sending) AND attribute_not_exists(doneAt)',
      ExpressionAttributeValues: { ':sending': { tokenHash: 'h2', at: '2026-03-01T10:00:00.000Z' }, ':until': lease.untilMs, ':holder': 'w1' },
    });
    expect(items[1]?.ConditionCheck).toMatchObject({
      Key: { pk: 'CONTACT#c1', sk: 'CONTACT' },
      ConditionExpression: '#outbox.#id = :outbox AND #portal.#status = :invited AND #invitation.tokenHash = :hash',
      ExpressionAttributeValues: { ':outbox': 'o1', ':invited': 'invited', ':hash': 'h2' },
    });
    const refusedBy = (index: number) =>
      Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [0, 1].map((i) => ({ Code: i === index ? 'ConditionalCheckFailed' : 'None' })) });
    db.on(TransactWriteCommand).rejects(refusedBy(0));
    expect(await store.markMailSending('c1', 'h2', 'o1', '2026-03-01T10:00:00.000Z', lease)).toBe('lease-lost');
    db.on(TransactWriteCommand).rejects(refusedBy(1));
    expect(await store.markMailSending('c1', 'h2', 'o1', '2026-03-01T10:00:00.000Z', lease)).toBe('superseded');
  });

  it('a refused mail and a withdrawn grant: conditioned on the item, with the reason and the audit entry; the withdrawal releases the guard if ours', async () => {
    db.on(TransactWriteCommand).resolves({});
    const contact = person({ portal: { status: 'invited' }, login: { email: 'pat@example.com' }, outbox: { id: 'o1', kind: 'invitation', at: 'x' } });
    const error = { code: 'login_in_use' as const, detail: 'in use', at: '2026-03-01T10:00:00.000Z' };
    expect(await store.withdrawGrant(contact, 'o1', 'none', error, audit)).toBe(true);
    const withdrawn = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(withdrawn[0]?.Update).toMatchObject({
      ConditionExpression: '#outbox.#id = :outbox AND #portal.#status = :invited AND attribute_not_exists(#login.#username) AND #archived = :false',
      // The contacts' status listing follows the status back.
      ExpressionAttributeValues: expect.objectContaining({ ':portal': { status: 'none', delivery: 'failed' }, ':error': error, ':statusPartition': 'PORTAL#none' }),
    });
    expect(withdrawn[2]?.Delete).toMatchObject({ Key: { pk: 'LOGIN#pat@example.com', sk: 'LOGIN' }, ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me' });
    expect(await store.markDeliveryFailed(contact, 'o1', { ...error, code: 'recipient_rejected' }, audit)).toBe(true);
    const failed = db.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(failed[0]?.Update?.UpdateExpression).toContain('REMOVE #invitation');
    expect(failed[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':failed': 'failed', ':outbox': 'o1' });
  });

  it('reads which contact links a subject, consistently; other DynamoDB errors pass through', async () => {
    db.on(GetCommand, { Key: { pk: 'SUB#s1', sk: 'SUB' } }).resolves({ Item: { pk: 'SUB#s1', sk: 'SUB', contactId: 'c9' } });
    expect(await store.subjectHolder('s1')).toBe('c9');
    expect(db.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
    db.on(GetCommand, { Key: { pk: 'SUB#s2', sk: 'SUB' } }).resolves({});
    expect(await store.subjectHolder('s2')).toBeUndefined();
    db.on(TransactWriteCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    await expect(store.replaceInvitation('c1', { tokenHash: 'h', expiresAt: 'x', issuedAt: 'y' }, undefined, 'o1', { schedule: false, holder: 'w1' })).rejects.toThrow('down');
  });
});

describe('DynamoOutboxStore and the mail pacer', () => {
  it('reads an item consistently (a kind it does not know is none), records steps, finishes with a TTL', async () => {
    const outbox = new DynamoOutboxStore(dynamo(), 'portal');
    db.on(GetCommand, { Key: { pk: 'OUTBOX#o1', sk: 'OUTBOX' } }).resolves({ Item: { pk: 'OUTBOX#o1', sk: 'OUTBOX', entity: 'outbox', ...grantItem, steps: {} } });
    db.on(GetCommand, { Key: { pk: 'OUTBOX#o9', sk: 'OUTBOX' } }).resolves({ Item: { pk: 'OUTBOX#o9', entity: 'outbox', id: 'o9', kind: 'teleport' } });
    expect(await outbox.get('o1')).toEqual({ ...grantItem, steps: {} });
    expect(await outbox.get('o9')).toBeUndefined();
    expect(db.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
    db.on(UpdateCommand).resolves({});
    const lease = { holder: 'w1', untilMs: 1_772_323_230_000 };
    expect(await outbox.markStep('o1', 'events', '2026-03-01T00:00:01.000Z', lease)).toBe(true);
    expect(await outbox.finish('o1', 'done', '2026-03-01T00:00:02.000Z', 'w1')).toBe(true);
    const [step, finish] = db.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    // Only the lease's holder records a step (renewing the lease) or finishes the item (dropping it).
    expect(step).toMatchObject({
      UpdateExpression: 'SET #steps.#step = :at, #lease.#until = :until',
      ConditionExpression: '#lease.#holder = :holder',
      ExpressionAttributeNames: { '#steps': 'steps', '#step': 'events', '#lease': 'lease', '#holder': 'holder' },
      ExpressionAttributeValues: { ':until': lease.untilMs, ':holder': 'w1' },
    });
    expect(finish).toMatchObject({
      UpdateExpression: expect.stringContaining('REMOVE #lease'),
      ConditionExpression: '#lease.#holder = :holder',
      ExpressionAttributeValues: { ':outcome': 'done', ':ttl': Date.parse('2026-03-01T00:00:02.000Z') / 1000 + 7 * 86400, ':holder': 'w1' },
    });
    db.on(UpdateCommand).rejects(Object.assign(new Error('held'), { name: 'ConditionalCheckFailedException' }));
    expect(await outbox.finish('o1', 'done', '2026-03-01T00:00:02.000Z', 'w2')).toBe(false);
  });

  it('claims an item: unfinished, its lease free, expired or its own; answers the item as it is then, without its lease', async () => {
    const outbox = new DynamoOutboxStore(dynamo(), 'portal');
    db.on(UpdateCommand).resolves({ Attributes: { pk: 'OUTBOX#o1', sk: 'OUTBOX', entity: 'outbox', ...grantItem, steps: {}, lease: { holder: 'w1', until: 2000 } } });
    expect(await outbox.claim('o1', { holder: 'w1', untilMs: 2000 }, 1000)).toEqual({ ...grantItem, steps: {} });
    expect(db.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'OUTBOX#o1', sk: 'OUTBOX' },
      UpdateExpression: 'SET #lease = :lease',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(doneAt) AND (attribute_not_exists(#lease) OR #lease.#until < :now OR #lease.#holder = :holder)',
      ExpressionAttributeValues: { ':lease': { holder: 'w1', until: 2000 }, ':now': 1000, ':holder': 'w1' },
      ReturnValues: 'ALL_NEW',
    });
    db.on(UpdateCommand).rejects(Object.assign(new Error('held'), { name: 'ConditionalCheckFailedException' }));
    expect(await outbox.claim('o1', { holder: 'w2', untilMs: 2000 }, 1000)).toBeUndefined();
    db.on(UpdateCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    await expect(outbox.claim('o1', { holder: 'w2', untilMs: 2000 }, 1000)).rejects.toThrow('down');
  });

  it('paces: a slot of the current second while its counter is below the rate, else the next second', async () => {
    // The pacer's clock: 100 ms into a second when the test starts, moving with real time.
    const base = Date.parse('2026-03-01T10:00:00.100Z');
    const started = Date.now();
    const pacer = new DynamoMailPacer(dynamo(), 'portal', 2, () => base + (Date.now() - started));
    db.on(UpdateCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('full'), { name: 'ConditionalCheckFailedException' })).resolves({});
    const signal = new AbortController().signal;
    await pacer.acquire(signal);
    expect(db.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'PACE#mail#1772359200', sk: 'PACE' },
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :rate',
      ExpressionAttributeValues: expect.objectContaining({ ':rate': 2, ':one': 1, ':ttl': 1772359200 + 3600 }),
    });
    // The second is full: the pacer waits for the next one.
    await pacer.acquire(signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(db.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key?.pk)).toEqual(['PACE#mail#1772359200', 'PACE#mail#1772359200', 'PACE#mail#1772359201']);
    await expect(pacer.acquire(AbortSignal.abort())).rejects.toThrow(/No mail slot/);
  });

  it('queues a process\'s waiting mails: only the head asks the table (the rate\'s takes a second and one refused), served in order; one that gives up leaves its turn', async () => {
    let now = Date.parse('2026-03-01T10:00:00.100Z');
    const pacer = new DynamoMailPacer(dynamo(), 'portal', 10, () => now, async (ms) => void (now += ms));
    const counts = new Map<string, number>();
    db.on(UpdateCommand).callsFake((input: { Key: { pk: string } }) => {
      const n = counts.get(input.Key.pk) ?? 0;
      if (n >= 10) throw Object.assign(new Error('full'), { name: 'ConditionalCheckFailedException' });
      counts.set(input.Key.pk, n + 1);
      return {};
    });
    const served: number[] = [];
    const quitter = new AbortController();
    const waiting = Array.from({ length: 26 }, (_, i) =>
      pacer.acquire(i === 3 ? quitter.signal : new AbortController().signal).then(
        () => void served.push(i),
        (error: unknown) => error,
      ),
    );
    quitter.abort();
    const outcomes = await Promise.all(waiting);
    expect((outcomes[3] as Error).message).toMatch(/No mail slot/);
    expect(served).toEqual(Array.from({ length: 26 }, (_, i) => i).filter((i) => i !== 3));
    expect([...counts.values()]).toEqual([10, 10, 5]);
    // 25 slots over three seconds: 25 takes and one refused take for each full second — not one per waiting mail every second (45).
    expect(db.commandCalls(UpdateCommand)).toHaveLength(27);
  }, 10_000);

  it('never hands out a slot late: a take answered past its second\'s first 700 ms is left unused, and a slot goes stale with its second', async () => {
    const base = Date.parse('2026-03-01T10:00:00.100Z');
    const started = Date.now();
    let lag = 0;
    const clock = () => base + (Date.now() - started) + lag;
    const pacer = new DynamoMailPacer(dynamo(), 'portal', 10, clock);
    // The table answers the first take 750 ms late: that second's count went up, but its slot is not used.
    db.on(UpdateCommand)
      .callsFakeOnce(() => {
        lag += 750;
        return {};
      })
      .resolves({});
    const slot = await pacer.acquire(new AbortController().signal);
    expect(db.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key?.pk)).toEqual(['PACE#mail#1772359200', 'PACE#mail#1772359201']);
    expect(clock() % 1000).toBeLessThan(700);
    expect(slot.usable()).toBe(true);
    // Time passes before the send: the slot is stale once its second's first 700 ms are over.
    lag += 700;
    expect(slot.usable()).toBe(false);
  });
});

describe('DynamoInvitationStore (the acceptance)', () => {
  const store = new DynamoInvitationStore(dynamo(), 'portal');

  it('claims an invitation conditionally: unexpired, unclaimed or abandoned', async () => {
    db.on(UpdateCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' }));
    expect(await store.claimInvitation('h1', '2026-03-01T00:00:00.000Z', '2026-02-28T23:59:02.000Z')).toBe(true);
    expect(await store.claimInvitation('h1', '2026-03-01T00:00:00.000Z', '2026-02-28T23:59:02.000Z')).toBe(false);
    expect(db.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'INVITATION#h1', sk: 'INVITATION' },
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :claimedAt AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
    });
  });

  it('reads the invitation consistently', async () => {
    db.on(GetCommand, { Key: { pk: 'INVITATION#h1', sk: 'INVITATION' } }).resolves({ Item: { entity: 'invitation', contactId: 'c1', expiresAt: 'x' } });
    expect(await store.getInvitation('h1')).toEqual({ contactId: 'c1', expiresAt: 'x' });
    expect(db.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });
});

describe('DynamoIdempotencyStore', () => {
  const store = new DynamoIdempotencyStore(dynamo(), 'portal');
  const id = { scope: 'sub-1#applyPortalAccess#c1', key: 'k1' };
  const record = { bodyHash: 'b', state: 'in-progress' as const, startedAt: '2026-03-01T00:00:00.000Z', runId: 'run-2' };

  it('writes the record if new, or abandoned with the same body (keeping its runId); answers the existing one otherwise', async () => {
    db.on(UpdateCommand)
      .resolvesOnce({ Attributes: { runId: 'run-1' } })
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    db.on(GetCommand).resolves({ Item: { bodyHash: 'b', state: 'done', startedAt: 's', response: { status: 200, body: { results: [] } } } });
    expect(await store.begin(id, record, '2026-02-28T23:59:02.000Z', new Date('2026-03-02T00:00:00.000Z'))).toEqual({ begun: true, runId: 'run-1' });
    const update = db.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ pk: 'IDEMPOTENCY#sub-1#applyPortalAccess#c1#k1', sk: 'IDEMPOTENCY' });
    expect(update?.UpdateExpression).toContain('runId = if_not_exists(runId, :runId)');
    expect(update?.ConditionExpression).toBe('attribute_not_exists(pk) OR (#state = :inProgress AND startedAt < :abandoned AND bodyHash = :bodyHash)');
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':entity': 'idempotency', ':ttl': 1772409600, ':runId': 'run-2', ':bodyHash': 'b', ':startedAt': '2026-03-01T00:00:00.000Z' });
    expect(await store.begin(id, record, 'x', new Date())).toEqual({ bodyHash: 'b', state: 'done', startedAt: 's', response: { status: 200, body: { results: [] } } });
  });
});

describe('DynamoAuditStore', () => {
  it('lists newest first with a cursor bound to the contact, only while an entry follows (it reads one ahead)', async () => {
    const store = new DynamoAuditStore(dynamo(), 'portal');
    const entry = (sk: string) => ({ pk: 'AUDIT#c1', sk, at: `at-${sk}`, actor: 'x', action: 'portal.revoked', contactId: 'c1', details: { reason: 'r' } });
    // DynamoDB names a LastEvaluatedKey whenever it stopped at Limit, also when nothing follows.
    db.on(QueryCommand)
      .resolvesOnce({ Items: [entry('s2'), entry('s1')], LastEvaluatedKey: { pk: 'AUDIT#c1', sk: 's1' } })
      .resolvesOnce({ Items: [entry('s1')] })
      .resolvesOnce({ Items: [entry('s2')], LastEvaluatedKey: { pk: 'AUDIT#c1', sk: 's2' } })
      // Fewer than asked, with a LastEvaluatedKey (a Query stopped at 1 MB): one more read finds nothing after it.
      .resolvesOnce({ Items: [] });
    const page = await store.list('c1', undefined, 1);
    expect(page.items).toEqual([{ at: 'at-s2', actor: 'x', action: 'portal.revoked', contactId: 'c1', details: { reason: 'r' } }]);
    expect(db.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ ScanIndexForward: false, Limit: 2, ExpressionAttributeValues: { ':pk': 'AUDIT#c1' } });
    const last = await store.list('c1', page.nextCursor, 1);
    expect(db.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({ pk: 'AUDIT#c1', sk: 's2' });
    expect(last).toEqual({ items: [expect.objectContaining({ at: 'at-s1' })] });
    // A page that took the last entries, LastEvaluatedKey or not: no cursor to an empty page.
    expect((await store.list('c1', undefined, 1)).nextCursor).toBeUndefined();
    await expect(store.list('c2', page.nextCursor, 1)).rejects.toBeInstanceOf(Invalid);
  });

  it('refuses a cursor whose key lacks its sort key, or has one DynamoDB cannot hold, before asking DynamoDB', async () => {
    const store = new DynamoAuditStore(dynamo(), 'portal');
    const forge = (k: Record<string, string>) => Buffer.from(JSON.stringify({ s: 'audit:c1', k }), 'utf8').toString('base64url');
    db.on(QueryCommand).resolves({ Items: [] });
    for (const k of [{ pk: 'AUDIT#c1' }, { pk: 'AUDIT#c1', sk: '' }, { pk: 'AUDIT#c1', sk: `${'x'.repeat(1023)}é` }] as Record<string, string>[]) {
      const error = await store.list('c1', forge(k), 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Invalid);
      expect((error as Invalid).path).toBe('cursor');
    }
    expect(db.commandCalls(QueryCommand)).toHaveLength(0);
    // 1024 bytes is still a key (`é` is two).
    await store.list('c1', forge({ pk: 'AUDIT#c1', sk: `${'x'.repeat(1022)}é` }), 1);
    expect(db.commandCalls(QueryCommand).map((call) => call.args[0].input.ExclusiveStartKey)).toEqual([{ pk: 'AUDIT#c1', sk: `${'x'.repeat(1022)}é` }]);
  });
});

describe('CognitoCustomerLogins', () => {
  const logins = new CognitoCustomerLogins(cognito, 'pool-1');

  it('creates a verified-email user with SUPPRESS and answers its user name and sub; an existing one is `exists`', async () => {
    cognito.once('AdminCreateUser', { User: { Username: 'uuid-1', Attributes: [{ Name: 'sub', Value: 'uuid-1' }] } });
    expect(await logins.create('a@example.com')).toEqual({ username: 'uuid-1', sub: 'uuid-1' });
    expect(cognito.calls('AdminCreateUser')[0]).toEqual({
      UserPoolId: 'pool-1',
      Username: 'a@example.com',
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: 'a@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    cognito.on('AdminCreateUser', () => {
      throw cognitoError('UsernameExistsException', 'exists');
    });
    expect(await logins.create('a@example.com')).toBe('exists');
  });

  it('disables and signs out; only the emulator’s missing global sign-out (and a user the pool no longer has) is tolerated', async () => {
    const rejecting = (name: string, message: string) => () => {
      throw cognitoError(name, message, 500);
    };
    cognito
      .once('AdminUserGlobalSignOut', rejecting('Unsupported', 'Cognito Local unsupported feature: Unsupported x-amz-target header "AdminUserGlobalSignOut"'))
      .once('AdminUserGlobalSignOut', rejecting('Unsupported', 'Cognito Local unsupported feature: other'))
      .once('AdminUserGlobalSignOut', rejecting('InternalErrorException', 'internal'))
      .once('AdminUserGlobalSignOut', rejecting('UserNotFoundException', 'no'));
    await logins.disable('u1');
    expect(cognito.calls('AdminDisableUser')[0]).toEqual({ UserPoolId: 'pool-1', Username: 'u1' });
    await expect(logins.disable('u1')).rejects.toThrow('other');
    await expect(logins.disable('u1')).rejects.toThrow('internal');
    await expect(logins.disable('u1')).resolves.toBeUndefined();
  });

  it('a user the pool no longer has: nothing to disable or sign out; enable, password and email are LoginGone', async () => {
    const gone = () => {
      throw cognitoError('UserNotFoundException', 'User does not exist.');
    };
    for (const operation of ['AdminDisableUser', 'AdminUserGlobalSignOut', 'AdminEnableUser', 'AdminSetUserPassword', 'AdminUpdateUserAttributes'] as const) cognito.on(operation, gone);
    await expect(logins.disable('u1')).resolves.toBeUndefined();
    expect(cognito.calls('AdminUserGlobalSignOut')).toEqual([]);
    await expect(logins.signOut('u1')).resolves.toBeUndefined();
    await expect(logins.enable('u1')).rejects.toEqual(new LoginGone('u1'));
    await expect(logins.setPassword('u1', 'Abcdefgh1!xy')).rejects.toEqual(new LoginGone('u1'));
    await expect(logins.changeEmail('u1', 'b@example.com')).rejects.toEqual(new LoginGone('u1'));
    cognito.on('AdminEnableUser', () => {
      throw cognitoError('TooManyRequestsException', 'Rate exceeded', 429);
    });
    await expect(logins.enable('u1')).rejects.toThrow('Rate exceeded');
    // cognito-local's answer for a missing user on AdminUpdateUserAttributes: gone only if the pool indeed has no such user.
    cognito.on('AdminUpdateUserAttributes', () => {
      throw cognitoError('NotAuthorizedException', 'User not authorized');
    });
    cognito.on('AdminGetUser', () => {
      throw cognitoError('UserNotFoundException', 'User does not exist.');
    });
    await expect(logins.changeEmail('u1', 'b@example.com')).rejects.toEqual(new LoginGone('u1'));
    cognito.on('AdminGetUser', { Username: 'u1', UserAttributes: [{ Name: 'sub', Value: 's1' }] });
    await expect(logins.changeEmail('u1', 'b@example.com')).rejects.toThrow('User not authorized');
  });

  it('maps a refused password to Invalid on `password` without Cognito’s text', async () => {
    cognito.on('AdminSetUserPassword', () => {
      throw cognitoError('InvalidPasswordException', 'Password does not conform to policy');
    });
    const error = await logins.setPassword('u1', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect(error).toMatchObject({ path: 'password' });
    expect((error as Error).message).not.toContain('conform');
  });
});

describe('EventBridgeAccessEvents', () => {
  it('puts one portal.access event on the bus, and throws when it was refused', async () => {
    eventBridge.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    await new EventBridgeAccessEvents(new EventBridgeClient({ region: 'eu-west-1' }), 'bus-1').emit('PortalAccessGranted', { contactId: 'c1', email: 'a@example.com', at: 't' });
    expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries).toEqual([
      { Source: 'portal.access', DetailType: 'PortalAccessGranted', Detail: '{"contactId":"c1","email":"a@example.com","at":"t"}', EventBusName: 'bus-1' },
    ]);
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(new EventBridgeAccessEvents(new EventBridgeClient({ region: 'eu-west-1' }), 'bus-1').emit('PortalAccessRevoked', { contactId: 'c1', email: '', at: 't' })).rejects.toThrow('InternalFailure');
  });

  it.each([
    ['InternalFailure', true],
    ['ThrottlingException', true],
    ['MalformedDetail', false],
    ['AccessDeniedException', false],
  ])('an entry refused with %s is transient: %s (AWS: InternalFailure and ThrottlingException are worth another try)', async (code, transient) => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code }] });
    const error = await new EventBridgeAccessEvents(new EventBridgeClient({ region: 'eu-west-1' }), 'bus-1').emit('PortalAccessGranted', { contactId: 'c1', email: '', at: 't' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EventRefused', errorCode: code });
    expect(isTransient(error)).toBe(transient);
  });
});

describe('DynamoAccessStore: scoped and time-bound access', () => {
  const store = new DynamoAccessStore(dynamo(), 'portal');
  const UNTIL = '2026-12-24T18:00:00.000Z';
  const audit = auditEntry('portal.updated', 'c1', 'staff:ann', '2026-03-01T00:00:00.000Z');
  const update = () => db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;

  it('a grant with an end stores the settings on `portal` and files the end in the due index of its hour', async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.claimLogin(claimOf(person(), { settings: { scope: 'own', types: ['invoice'], until: UNTIL } }));
    const contact = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Update;
    expect(contact?.UpdateExpression).toContain('duepk = :duepk, duesk = :duesk');
    expect(contact?.ExpressionAttributeValues).toMatchObject({
      ':portal': { status: 'invited', invitedAt: '2026-03-01T00:00:00.000Z', delivery: 'queued', scope: 'own', types: ['invoice'], until: UNTIL },
      ':duepk': 'DUE#access-expiry#2026-12-24T18',
      ':duesk': `${UNTIL}#c1`,
    });
  });

  it('a grant without an end removes any due entry', async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.claimLogin(claimOf(person({ portal: { status: 'expired', until: UNTIL } }), { at: 'now' }));
    const contact = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Update;
    expect(contact?.UpdateExpression).toMatch(/REMOVE .*duepk, duesk/);
    expect(contact?.ExpressionAttributeValues).toMatchObject({ ':read': 'expired', ':portal': { status: 'invited', invitedAt: 'now', delivery: 'queued' } });
  });

  it('updateSettings: the settings (absent ones removed), the due entry, version and audit, if the status is still the one read', async () => {
    db.on(TransactWriteCommand).resolves({});
    expect(await store.updateSettings(person({ portal: { status: 'active' } }), { types: ['ticket', 'task'], until: UNTIL }, 'now', audit)).toBe(true);
    expect(update()).toMatchObject({
      Key: { pk: 'CONTACT#c1', sk: 'CONTACT' },
      UpdateExpression: 'SET #updatedAt = :at, duepk = :duepk, duesk = :duesk, #portal.#types = :types, #portal.#until = :until REMOVE #portal.#scope ADD #version :one',
      ConditionExpression: '#portal.#status = :read AND #archived = :false',
      ExpressionAttributeValues: expect.objectContaining({ ':read': 'active', ':types': ['ticket', 'task'], ':until': UNTIL }),
    });
    expect(db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Put?.Item).toMatchObject({ pk: 'AUDIT#c1', action: 'portal.updated' });
    // Every setting given: nothing to remove (an empty REMOVE clause is a syntax error to DynamoDB).
    db.resetHistory();
    await store.updateSettings(person({ portal: { status: 'active' } }), { scope: 'own', types: ['ticket'], until: UNTIL }, 'now', audit);
    expect(update()?.UpdateExpression).toBe('SET #updatedAt = :at, duepk = :duepk, duesk = :duesk, #portal.#scope = :scope, #portal.#types = :types, #portal.#until = :until ADD #version :one');
    db.reset();
    db.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    expect(await store.updateSettings(person({ portal: { status: 'active' } }), {}, 'now', audit)).toBe(false);
  });

  it('markExpired: expired (and listed so: gsi4), the invitation gone, a claim, the audit entry — only while status, end and archive are the ones read; the due entry stays', async () => {
    db.on(TransactWriteCommand).resolves({});
    const invited = person({ portal: { status: 'invited', until: UNTIL }, invitation: { tokenHash: 'h1', expiresAt: 'x' } });
    expect(await store.markExpired(invited, '2026-12-24T18:00:30.000Z', auditEntry('portal.expired', 'c1', 'schedule', 'now'))).toBe(true);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update).toMatchObject({
      ConditionExpression: '#portal.#status = :read AND #portal.#until = :until AND #archived = :archived',
      ExpressionAttributeValues: expect.objectContaining({
        ':expired': 'expired',
        ':claim': '2026-12-24T18:00:30.000Z',
        ':read': 'invited',
        ':until': UNTIL,
        ':archived': false,
        ':statusPartition': 'PORTAL#expired',
      }),
    });
    expect(items[0]?.Update?.UpdateExpression).toContain('gsi4pk = :statusPartition');
    expect(items[0]?.Update?.UpdateExpression).not.toContain('duepk');
    expect(items[1]?.Put?.Item).toMatchObject({ action: 'portal.expired' });
    expect(items[2]?.Delete?.Key).toEqual({ pk: 'INVITATION#h1', sk: 'INVITATION' });
  });

  it('claimExpiry takes over only the claim it saw; expiryAnnounced removes the due entry and the claim while the access still ended at that end (expired, or revoked since)', async () => {
    db.on(UpdateCommand).resolves({});
    expect(await store.claimExpiry('c1', UNTIL, 'old-claim', 'new-claim')).toBe(true);
    expect(db.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression: '#portal.#status IN (:expired, :revoked) AND #portal.#until = :until AND expiryClaim = :previous',
      ExpressionAttributeValues: { ':claim': 'new-claim', ':previous': 'old-claim', ':until': UNTIL, ':expired': 'expired', ':revoked': 'revoked' },
    });
    await store.expiryAnnounced('c1', UNTIL);
    expect(db.commandCalls(UpdateCommand)[1]?.args[0].input).toMatchObject({
      UpdateExpression: 'SET expiryAnnounced = :until REMOVE expiryClaim, duepk, duesk',
      ConditionExpression: '#portal.#status IN (:expired, :revoked) AND #portal.#until = :until',
    });
    db.reset();
    db.on(UpdateCommand).rejects(Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' }));
    expect(await store.claimExpiry('c1', UNTIL, undefined, 'mine')).toBe(false);
  });

  it('a revocation removes the due entry and any expiry claim — unless an end is still to be announced', async () => {
    db.on(TransactWriteCommand).resolves({});
    await store.revoke(person({ portal: { status: 'active', until: UNTIL } }), 'now', auditEntry('portal.revoked', 'c1', 'staff:ann', 'now'), false, revocationItem);
    expect(update()?.UpdateExpression).toContain('REMOVE #invitation, expiryClaim, duepk, duesk');
    db.reset();
    db.on(TransactWriteCommand).resolves({});
    await store.revoke(person({ portal: { status: 'active', until: UNTIL } }), 'now', auditEntry('portal.revoked', 'c1', 'staff:ann', 'now'), false, revocationItem, true);
    expect(update()?.UpdateExpression).toContain('REMOVE #invitation ADD');
    expect(update()?.UpdateExpression).not.toMatch(/expiryClaim|duepk|duesk/);
  });

  it('claimExpiry with an audit entry (an end revoked before it was recorded): the claim and the entry in one transaction', async () => {
    db.on(TransactWriteCommand).resolves({});
    const audit = auditEntry('portal.expired', 'c1', 'schedule', 'now', { until: UNTIL });
    expect(await store.claimExpiry('c1', UNTIL, undefined, 'mine', audit)).toBe(true);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
    expect(items?.[0]?.Update).toMatchObject({ UpdateExpression: 'SET expiryClaim = :claim', ConditionExpression: expect.stringContaining('attribute_not_exists(expiryClaim)') });
    expect(items?.[1]?.Put?.Item).toMatchObject({ action: 'portal.expired' });
    db.reset();
    db.on(TransactWriteCommand).rejects(Object.assign(new Error('no'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }));
    expect(await store.claimExpiry('c1', UNTIL, undefined, 'mine', audit)).toBe(false);
  });
});
