/** The public invitations function (accepting one): the access records and the customer pool. Env: TABLE_NAME, CUSTOMER_USER_POOL_ID. */
import { env } from '../contract/env';
import type { AcceptDeps } from '../domain/portal-access/ports';
import { CognitoCustomerLogins } from '../adapters/cognito/customer-logins';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoInvitationStore } from '../adapters/dynamodb/invitation-store';
import { cognitoClient, table } from './clients';
import { perContainer } from './container';

const customerLogins = (): CognitoCustomerLogins => new CognitoCustomerLogins(cognitoClient(), env('customerUserPoolId'));

export const invitationsDeps = perContainer((): AcceptDeps => {
  const { db, name } = table();
  return { contacts: new DynamoContactReader(db, name), store: new DynamoInvitationStore(db, name), logins: customerLogins(), now: () => new Date(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
});
