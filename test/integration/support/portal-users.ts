/**
 * FIXTURE — portal users for the documents and portal tests, made WITHOUT the invitation flow:
 * the contact is created through the API, its login straight in the customer pool (no email), and
 * its access record (`portal`, `login` on the contact, the `SUB#` and `LOGIN#` items) written
 * straight into DynamoDB Local with the production key formats. The portal-access tests exercise
 * the real grant → invitation → accept flow; these tests only need users that the portal accepts.
 * Revoking, suspending or archiving them also writes the record directly, exactly the fields the
 * portal's access check reads.
 */
import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentItem } from '../../../lambdas/adapters/dynamodb/documents-store';
import { DOCUMENT_COUNTS, ENTITY, HOLDINGS, keys } from '../../../lambdas/contract/keys';
import type { Contact } from '../../../lambdas/contract/schemas/contacts';
import type { Document } from '../../../lambdas/contract/schemas/documents';
import { adminToken, api, cognito, signIn, stack } from './stack';

export interface PortalUser {
  contact: Contact;
  email: string;
  sub: string;
  /** An access token of the customer pool, issued while the access was active. */
  token: string;
}

const PASSWORD = 'Portal-Fixture-Pw-1!';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let clients: { db: DynamoDBDocumentClient; table: string; pool: string } | undefined;

function fixtureClients() {
  if (!clients) {
    const s = stack();
    clients = {
      db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: s.region, endpoint: s.dynamodbEndpoint, credentials }), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      table: s.tableName,
      pool: s.customerUserPoolId,
    };
  }
  return clients;
}

/** A contact through the staff API; fails the test loudly if the API refuses. */
export async function createContact(body: { kind: 'person' | 'company'; name: string; email?: string; companyId?: string }): Promise<Contact> {
  const res = await api('/contacts', { method: 'POST', body, token: await adminToken() });
  if (res.status !== 201) throw new Error(`POST /contacts → ${res.status} ${res.text}`);
  return res.body as Contact;
}

/** A contact with an active portal login, signed in: `email` must be unique to the test run (use `uniq`). */
export async function createPortalUser(body: { kind?: 'person' | 'company'; name: string; email: string; companyId?: string }): Promise<PortalUser> {
  const { db, table, pool } = fixtureClients();
  const email = body.email.toLowerCase();
  const contact = await createContact({ kind: body.kind ?? 'person', name: body.name, email, ...(body.companyId ? { companyId: body.companyId } : {}) });

  const created = await cognito().send(
    new AdminCreateUserCommand({
      UserPoolId: pool,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const username = created.User?.Username ?? email;
  const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? username;
  await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: username, Password: PASSWORD, Permanent: true }));

  const at = new Date().toISOString();
  await db.send(new PutCommand({ TableName: table, Item: { ...keys.loginSubject(sub), entity: ENTITY.loginSubject, contactId: contact.id, sub } }));
  await db.send(new PutCommand({ TableName: table, Item: { ...keys.loginEmail(email), entity: ENTITY.loginEmail, contactId: contact.id, email } }));
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.contact(contact.id),
      UpdateExpression: 'SET #portal = :portal, #login = :login, #updatedAt = :at ADD #version :one',
      ExpressionAttributeNames: { '#portal': 'portal', '#login': 'login', '#updatedAt': 'updatedAt', '#version': 'version' },
      ExpressionAttributeValues: { ':portal': { status: 'active', invitedAt: at, activatedAt: at }, ':login': { email, username, sub }, ':at': at, ':one': 1 },
    }),
  );

  const { accessToken: token } = await signIn('customer', email, PASSWORD);
  return { contact: { ...contact, portal: { status: 'active', invitedAt: at, activatedAt: at } }, email, sub, token };
}

/** Sets the access record's status as the revocation (or a re-invitation) would: the token stays valid in Cognito. */
export async function setPortalStatus(contactId: string, status: 'invited' | 'active' | 'revoked'): Promise<void> {
  const { db, table } = fixtureClients();
  const at = new Date().toISOString();
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.contact(contactId),
      UpdateExpression: 'SET #portal.#status = :status, #updatedAt = :at ADD #version :one',
      ExpressionAttributeNames: { '#portal': 'portal', '#status': 'status', '#updatedAt': 'updatedAt', '#version': 'version' },
      ExpressionAttributeValues: { ':status': status, ':at': at, ':one': 1 },
    }),
  );
}

/** Marks the contact archived in place, leaving its portal status as it is (the access check must refuse anyway). */
export async function setArchived(contactId: string, archived: boolean): Promise<void> {
  const { db, table } = fixtureClients();
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.contact(contactId),
      UpdateExpression: 'SET #archived = :archived ADD #version :one',
      ExpressionAttributeNames: { '#archived': 'archived', '#version': 'version' },
      ExpressionAttributeValues: { ':archived': archived, ':one': 1 },
    }),
  );
}

/** Bulk items straight into DynamoDB Local, 25 a request, a few requests at a time (unprocessed ones again). */
export async function seedDocuments(items: Record<string, unknown>[]): Promise<void> {
  const { db, table } = fixtureClients();
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/**
 * A customer as a table from before the per-type counts moved onto the contact item left it (keys.ts,
 * DOCUMENT_COUNTS): its documents' items, its count items `COUNTS#<id>` / `COUNT#<type>` as the former
 * transactions wrote them, its holdings counting the documents, and no `countsKept` on its item.
 */
export async function makeLegacyCustomer(contactId: string, documents: readonly Document[]): Promise<void> {
  const { db, table } = fixtureClients();
  const counts = new Map<string, number>();
  for (const d of documents) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
  await seedDocuments([
    ...documents.map((d) => documentItem(d, 1)),
    ...[...counts].map(([type, n]) => ({ ...keys.documentCount(contactId, type as Document['type']), entity: ENTITY.documentCount, customerId: contactId, type, n })),
  ]);
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.contact(contactId),
      UpdateExpression: 'SET #documents = :n REMOVE #kept',
      ExpressionAttributeNames: { '#documents': HOLDINGS.documents, '#kept': DOCUMENT_COUNTS.kept },
      ExpressionAttributeValues: { ':n': documents.length },
    }),
  );
}
