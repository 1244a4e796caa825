import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoMailFeedbackStore } from '../../lambdas/adapters/dynamodb/mail-feedback-store';
import { recordMailFeedback } from '../../lambdas/domain/mail-feedback';
import type { EventDeps } from '../../lambdas/wiring/events';
import { eventHandler, RejectedEvent } from '../../lambdas/events/handler';
import { captureLogs, type Captured } from './log-capture';

const TABLE = 'portal-test';
const NOW = new Date('2026-11-22T08:15:00.000Z');
const ddb = mockClient(DynamoDBDocumentClient);

/** The real handler, domain and DynamoDB adapter; only the SDK's wire is mocked. */
function handler() {
  const store = new DynamoMailFeedbackStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), TABLE);
  const unused = async (): Promise<never> => {
    throw new Error('not expected');
  };
  const deps: EventDeps = {
    revokeAccess: unused,
    revokeCompany: unused,
    archiveContact: unused,
    recordMailFeedback: (feedback) => recordMailFeedback({ store, now: () => NOW }, feedback),
  };
  return eventHandler(() => deps);
}

const sesEvent = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'ses-evt-1',
  'detail-type': detailType,
  source: 'aws.ses',
  account: '123456789012',
  time: '2026-11-22T08:14:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:ses:eu-west-1:123456789012:configuration-set/portal'],
  detail: { eventType: detailType === 'Email Bounced' ? 'Bounce' : 'Complaint', mail: { messageId: 'msg-1', destination: ['Ann@Example.com'] }, ...detail },
});

const bounce = (bounceType: string, emailAddress = 'ann@example.com') =>
  sesEvent('Email Bounced', {
    bounce: { feedbackId: 'fb-1', bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress, action: 'failed', status: '5.1.1' }] },
  });

const guard = (email: string, contactId: string) =>
  ddb.on(GetCommand, { TableName: TABLE, Key: { pk: `LOGIN#${email}`, sk: 'LOGIN' } }).resolves({ Item: { pk: `LOGIN#${email}`, sk: 'LOGIN', contactId } });

const transactions = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems ?? []);

let logged: Array<Record<string, unknown>>;
let capture: Captured;
beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  capture = captureLogs();
  logged = capture.lines;
});
afterEach(() => capture.restore());

describe('SES feedback', () => {
  it('a hard bounce marks the contact bounced and writes the audit entry, in one transaction', async () => {
    guard('ann@example.com', 'c-ann');
    await handler()(bounce('Permanent', '"Ann" <Ann@Example.COM>'));

    const [items] = transactions();
    expect(transactions()).toHaveLength(1);
    const update = items?.[0]?.Update;
    expect(update?.Key).toEqual({ pk: 'CONTACT#c-ann', sk: 'CONTACT' });
    expect(update?.UpdateExpression).toContain('#portal.#delivery = :delivery');
    expect(update?.ExpressionAttributeValues?.[':delivery']).toBe('bounced');
    expect(update?.ConditionExpression).toContain('attribute_exists(pk)');
    expect(update?.ConditionExpression).toContain('#login.#email = :email');
    expect(update?.ExpressionAttributeValues?.[':email']).toBe('ann@example.com');
    const audit = items?.[1]?.Put?.Item;
    expect(audit).toMatchObject({
      pk: 'AUDIT#c-ann',
      entity: 'audit',
      at: NOW.toISOString(),
      actor: 'event:aws.ses',
      action: 'invitation.bounced',
      contactId: 'c-ann',
      details: { email: 'ann@example.com', bounceType: 'Permanent', bounceSubType: 'General', messageId: 'msg-1', feedbackId: 'fb-1' },
    });
    expect(String(audit?.sk)).toMatch(/^2026-11-22T08:15:00.000Z#/);
    // One data point of the bounce rate's numerator, as an EMF line.
    expect(capture.metrics('InvitationsBounced')).toEqual([1]);
  });

  it('a complaint marks the contact complained', async () => {
    guard('bob@example.com', 'c-bob');
    await handler()(
      sesEvent('Email Complaint Received', {
        complaint: { feedbackId: 'fb-2', complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'bob@example.com' }] },
      }),
    );
    const [items] = transactions();
    expect(items?.[0]?.Update?.ExpressionAttributeValues?.[':delivery']).toBe('complained');
    expect(items?.[1]?.Put?.Item).toMatchObject({ action: 'invitation.complained', actor: 'event:aws.ses', contactId: 'c-bob', details: { complaintType: 'abuse' } });
    expect(capture.metrics('InvitationsComplained')).toEqual([1]);
    expect(capture.metrics('InvitationsBounced')).toEqual([]);
  });

  it('without named recipients, the message destination is used', async () => {
    guard('ann@example.com', 'c-ann');
    await handler()(sesEvent('Email Complaint Received', { complaint: { complainedRecipients: [] } }));
    expect(transactions()[0]?.[0]?.Update?.Key).toEqual({ pk: 'CONTACT#c-ann', sk: 'CONTACT' });
  });

  it.each(['Transient', 'Undetermined'])('a %s bounce is only logged: nothing is read or written', async (bounceType) => {
    guard('ann@example.com', 'c-ann');
    await handler()(bounce(bounceType));
    expect(ddb.calls()).toHaveLength(0);
    expect(logged).toContainEqual(expect.objectContaining({ message: 'event consumed', bounceType, outcomes: [{ outcome: 'ignored' }] }));
  });

  it('an address no portal login uses is dropped with a warning', async () => {
    await expect(handler()(bounce('Permanent', 'stranger@example.com'))).resolves.toBeUndefined();
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(transactions()).toHaveLength(0);
    expect(logged.filter((l) => l.level === 'WARN')).toHaveLength(1);
  });

  it('a repeated notification writes nothing the second time (the condition holds the contact as it is)', async () => {
    guard('ann@example.com', 'c-ann');
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'CONTACT#c-ann' } } }, { Code: 'None' }],
      }),
    );
    await expect(handler()(bounce('Permanent'))).resolves.toBeUndefined();
    expect(logged).toContainEqual(expect.objectContaining({ message: 'event consumed', outcomes: [{ contactId: 'c-ann', outcome: 'unchanged' }] }));
    // Counted once, by the notification that marked it.
    expect(capture.metrics('InvitationsBounced')).toEqual([]);
  });

  it('a throttled write is thrown again, to be retried', async () => {
    guard('ann@example.com', 'c-ann');
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler()(bounce('Permanent'))).rejects.toThrow('Rate exceeded');
  });

  it('a notification without its bounce is malformed, and nothing is read or written', async () => {
    await expect(handler()(sesEvent('Email Bounced', {}))).rejects.toBeInstanceOf(RejectedEvent);
    expect(ddb.calls()).toHaveLength(0);
  });
});
