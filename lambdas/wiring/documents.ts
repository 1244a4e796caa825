/**
 * The staff's documents function: documents, grants, who has access and share links, on the table.
 * Env: TABLE_NAME, PORTAL_URL (share links' base).
 */
import { env } from '../contract/env';
import type { AccessReportDeps } from '../domain/access-report';
import type { DocumentDeps } from '../domain/documents';
import type { OrderCursors } from '../domain/listing';
import type { StaffLinkDeps } from '../domain/share-links/ports';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { DynamoDocumentStore, orderCursor, positionCursor } from '../adapters/dynamodb/documents-store';
import { DynamoShareLinkStore } from '../adapters/dynamodb/share-links-store';
import { table } from './clients';
import { perContainer } from './container';

export interface DocumentsFunctionDeps extends DocumentDeps {
  cursors: OrderCursors;
  /** "Who has access": the contacts (a company's persons) and the documents, by the portal's rule. */
  access: AccessReportDeps;
  links: StaffLinkDeps;
}

export const documentsDeps = perContainer((): DocumentsFunctionDeps => {
  const { db, name } = table();
  const store = new DynamoDocumentStore(db, name);
  const contacts = new DynamoContactStore(db, name);
  const now = () => new Date();
  return {
    store,
    contacts,
    now,
    cursors: orderCursor,
    access: { contacts, documents: store, cursors: positionCursor, now },
    links: { links: new DynamoShareLinkStore(db, name), documents: store, contacts, now, portalUrl: env('portalUrl') },
  };
});
