/**
 * The public share-link function (the holder of a link): the link items, the documents and the
 * contacts, read by key only. Env: TABLE_NAME.
 */
import { NotFound } from '../contract/errors';
import type { SharedAttachments, SharedDeps } from '../domain/share-links/ports';
import { DynamoContactReader } from '../adapters/dynamodb/contact-reader';
import { DynamoDocumentStore } from '../adapters/dynamodb/documents-store';
import { DynamoShareLinkStore } from '../adapters/dynamodb/share-links-store';
import { table } from './clients';
import { perContainer } from './container';

/**
 * The attachments feature (issue 18) is not on this branch: no document has an attachment yet, so
 * every attachment of a live link is unknown (404). Its download port replaces this.
 */
const noAttachments: SharedAttachments = {
  download: async () => {
    throw new NotFound('No such attachment.');
  },
};

export const sharedDeps = perContainer((): SharedDeps => {
  const { db, name } = table();
  return {
    links: new DynamoShareLinkStore(db, name),
    documents: new DynamoDocumentStore(db, name),
    contacts: new DynamoContactReader(db, name),
    attachments: noAttachments,
    now: () => new Date(),
  };
});
