/**
 * A company's page history shows what its wizard did: one entry per apply on the company, with who
 * applied it and each line's outcome (the persons' own entries say the same from their side). Only
 * an apply that changed something or failed somewhere is written; a line's failure reads as its
 * reason (what the staff saw). Written after the lines, apart from their transactions: should it
 * fail, the apply's answer stands and the failure is logged.
 */
import { DomainError } from '../../contract/errors';
import { auditEntry } from '../audit';
import type { ContactRecord } from '../contact-record';
import type { LineResult } from './lines';
import type { PortalAccessDeps } from './ports';

const DEPENDENCY_FAILED = 'A dependency was unavailable; repeating the apply completes the line.';

export async function auditCompanyApply(
  deps: Pick<PortalAccessDeps, 'store' | 'now' | 'warn'>,
  wizard: ContactRecord,
  lines: readonly LineResult[],
  actor: string,
  withMessage: boolean,
): Promise<void> {
  if (wizard.kind !== 'company' || lines.every((line) => line.outcome === 'unchanged')) return;
  const details = {
    lines: lines.map((line) => ({
      contactId: line.contactId,
      outcome: line.outcome,
      status: line.status,
      ...(line.error === undefined ? {} : { reason: line.error instanceof DomainError ? line.error.message : DEPENDENCY_FAILED }),
    })),
    withMessage,
  };
  try {
    await deps.store.recordAudit(auditEntry('portal.applied', wizard.id, actor, deps.now().toISOString(), details));
  } catch (error) {
    deps.warn('company apply not audited', { contactId: wizard.id, error });
  }
}
