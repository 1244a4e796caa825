/**
 * The partition-key prefixes of every item a narrowly scoped function reads or writes: its table
 * access is limited to them (IAM `dynamodb:LeadingKeys`) and to no index. Built from the key formats
 * themselves (`keys.ts`); a unit test drives each function's domain code over the real store and
 * checks that it touches nothing else.
 */
import { keys } from '../lambdas/contract/keys';

export const ITEM_SCOPES = {
  /** Accepting an invitation (public): the invitation, its contact, the contact's audit trail. */
  invitations: [keys.invitation('').pk, keys.contact('').pk, keys.auditPartition('')],
  /** A share link's holder (public) reads the link, its document (`DOC#<type>#<id>`: every type) and its recipient… */
  sharedReads: [keys.shareLink('').pk, `${keys.document('invoice', '').pk.split('#')[0]}#`, keys.contact('').pk],
  /** …queries only a document's item collection (its attachments)… */
  sharedQueries: [`${keys.document('invoice', '').pk.split('#')[0]}#`],
  /** …and writes nothing but the link's view count. */
  sharedWrites: [keys.shareLink('').pk],
} as const;
