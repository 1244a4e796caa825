/** The public invitations function (accepting one): the access records and the customer pool. Env: TABLE_NAME, CUSTOMER_USER_POOL_ID. */
import type { AcceptDeps } from '../domain/portal-access/ports';
import { DynamoAccessStore } from '../adapters/dynamodb/access-store';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { table } from './clients';
import { perContainer } from './container';
import { customerLogins } from './revocation';

export const invitationsDeps = perContainer((): AcceptDeps => {
  const { db, name } = table();
  return { contacts: new DynamoContactStore(db, name), store: new DynamoAccessStore(db, name), logins: customerLogins(), now: () => new Date() };
});
