/**
 * The contacts function: the contact store, and the archive's revocation of portal access (no
 * mail, no invitation settings: see revocation.ts). Env: TABLE_NAME, CUSTOMER_USER_POOL_ID,
 * EVENT_BUS_NAME.
 */
import type { ContactsDeps } from '../domain/contacts';
import { archiveRevoker } from '../domain/portal-access/revoke';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { table } from './clients';
import { perContainer } from './container';
import { revocationDeps } from './revocation';

export const contactsDeps = perContainer((): ContactsDeps => {
  const { db, name } = table();
  return { store: new DynamoContactStore(db, name), revoker: archiveRevoker(revocationDeps()) };
});

/** For tests: replace the dependencies. */
export const useContactsDeps = contactsDeps.use;
