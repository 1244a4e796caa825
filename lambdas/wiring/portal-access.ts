/**
 * The portal-access function (the wizard, re-invitations, the audit trail): the whole lifecycle —
 * revocation's dependencies, plus the mailer and the invitation settings — and the audit and
 * idempotency stores. Env: those of revocation.ts, PORTAL_URL, INVITATION_TTL_DAYS (optional),
 * SENDER_EMAIL, REPLY_TO_EMAIL (optional), SES_CONFIGURATION_SET (optional).
 */
import { env, envOr } from '../contract/env';
import type { AccessReportDeps } from '../domain/access-report';
import type { AuditStore } from '../domain/audit';
import type { IdempotencyStore } from '../domain/idempotency';
import type { PortalAccessDeps } from '../domain/portal-access/ports';
import { DynamoAuditStore } from '../adapters/dynamodb/audit-store';
import { DynamoDocumentStore, positionCursor } from '../adapters/dynamodb/documents-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { SesInvitationMailer, type Sender } from '../adapters/ses/invitation-mailer';
import { sesClient, table } from './clients';
import { perContainer } from './container';
import { countingMailer } from './metrics';
import { revocationDeps } from './revocation';
import { accessConfig } from './settings';

export interface PortalAccessFunctionDeps {
  access: PortalAccessDeps;
  audit: AuditStore;
  idempotency: IdempotencyStore;
  /** Explain: the contact and the document, by the portal's rule. */
  report: AccessReportDeps;
}

function sender(): Sender {
  const from = env('senderEmail');
  return { from, replyTo: envOr('replyToEmail', from), configurationSet: envOr('sesConfigurationSet', '') };
}

export const portalAccessDeps = perContainer((): PortalAccessFunctionDeps => {
  const { db, name } = table();
  const revocation = revocationDeps();
  return {
    access: { ...revocation, mailer: countingMailer(new SesInvitationMailer(sesClient(), sender())), config: accessConfig() },
    audit: new DynamoAuditStore(db, name),
    idempotency: new DynamoIdempotencyStore(db, name),
    report: { contacts: revocation.contacts, documents: new DynamoDocumentStore(db, name), cursors: positionCursor, now: revocation.now },
  };
});
