/**
 * Applying the wizard: each line on its own — grant, re-grant, revoke or nothing — with at most
 * `applyConcurrency` lines written at once. Each line is one transaction (its record, its audit entry
 * and its outbox item); Cognito and SES follow from the outbox, so no line waits for them. A line
 * that fails (out of the wizard, a bad email, an email in use, the table unavailable) fails alone;
 * the others go on.
 */
import { Invalid, Unavailable } from '../../contract/errors';
import { normaliseEmail } from '../../contract/email';
import type { ApplyInput, ApplyLine } from '../../contract/schemas/portal-access';
import { HANDLER_TIMEOUT_MS } from '../../contract/runtime';
import { hasEnded, portalStatusAt } from '../access-policy';
import type { ContactRecord } from '../contact-record';
import { auditCompanyApply } from './apply-audit';
import { grant } from './grant';
import { LineFailure, mapBounded, type LineResult } from './lines';
import type { PortalAccessDeps } from './ports';
import { revokeContact } from './revoke';
import type { SettingsChange } from './settings';
import { wizardContacts, wizardMember } from './wizard';

/**
 * Lines start only this long into the request: a line in flight then (its transaction, retried on
 * a throttle or a conflict) still ends before the handler's own timeout, so the answer reports every
 * line (the ones not started fail with 503) instead of the whole request timing out as one 503.
 */
export const APPLY_STARTS_LINES_FOR_MS = HANDLER_TIMEOUT_MS - 10_000;

export async function applyPortalAccess(
  deps: PortalAccessDeps,
  wizardId: string,
  input: ApplyInput,
  actor: string,
  /** The request's own end (the handler's timeout). */
  requestSignal?: AbortSignal,
): Promise<LineResult[]> {
  const signal = AbortSignal.any([AbortSignal.timeout(APPLY_STARTS_LINES_FOR_MS), ...(requestSignal ? [requestSignal] : [])]);
  const contacts = await wizardContacts(deps, wizardId);
  const members = new Set(contacts.map((c) => c.id));
  const firstIndex = new Map<string, number>();
  input.lines.forEach((line, index) => firstIndex.has(line.contactId) || firstIndex.set(line.contactId, index));

  const results = await mapBounded(input.lines, deps.config.applyConcurrency, async (line, index): Promise<LineResult> => {
    try {
      if (signal.aborted) throw new LineFailure(new Unavailable('The request ran out of time before this line; repeat it.'), 'none');
      if (firstIndex.get(line.contactId) !== index)
        throw new LineFailure(new Invalid('This contact appears on an earlier line.', `lines.${index}.contactId`), 'none');
      // Not (or no longer) in the wizard: NotFound, and the line fails with status `none` (below).
      const contact = await wizardMember(deps, wizardId, members, line.contactId);
      try {
        return await applyLine(deps, contact, line, index, input.message, actor);
      } catch (error) {
        throw error instanceof LineFailure ? error : new LineFailure(error, portalStatusAt(contact.portal, deps.now()));
      }
    } catch (error) {
      if (error instanceof LineFailure) return { contactId: line.contactId, outcome: 'failed', status: error.status, error: error.error };
      return { contactId: line.contactId, outcome: 'failed', status: 'none', error };
    }
  });
  await auditCompanyApply(deps, contacts[0] as ContactRecord, results, actor, input.message !== undefined);
  return results;
}

async function applyLine(
  deps: PortalAccessDeps,
  contact: ContactRecord,
  line: ApplyLine,
  index: number,
  message: string | undefined,
  actor: string,
): Promise<LineResult> {
  const now = deps.now();
  const status = portalStatusAt(contact.portal, now);
  let email: string | undefined;
  if (line.email !== undefined) {
    email = normaliseEmail(line.email);
    if (!email) throw new LineFailure(new Invalid('The email is not a valid address.', `lines.${index}.email`), status);
  }
  if (!line.inPortal) {
    const outcome = await revokeContact(deps, contact, actor);
    return { contactId: contact.id, outcome, status: outcome === 'unchanged' ? status : 'revoked' };
  }
  if (typeof line.until === 'string' && hasEnded(line.until, now))
    throw new LineFailure(new Invalid('until must be in the future (or null for no end).', `lines.${index}.until`), status);
  const settings: SettingsChange = {
    ...(line.scope === undefined ? {} : { scope: line.scope }),
    ...(line.types === undefined ? {} : { types: line.types }),
    ...(line.until === undefined ? {} : { until: line.until }),
  };
  return grant(deps, contact, { email, settings }, message, actor, index);
}
