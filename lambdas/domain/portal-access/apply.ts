/**
 * Applying the wizard: each line on its own — grant, re-grant, revoke or nothing — and answered as
 * if it had been alone, but read and written together: every line's contact in one consistent read
 * (BatchGetItem), then, group by group, the grants' claims (each a line's record, guard, audit entry
 * and outbox item) several to a transaction (`AccessStore.claimLogins`), each refusing a contact
 * changed in any way since that read. A line refused there (its contact changed, its email taken,
 * its company archived) goes again alone, read again — as every line went before — so its answer is
 * its own; so do the other lines (revocations, changed settings: rare in a large apply). Cognito
 * and SES follow from the outbox, so no line waits for them. A line that fails (out of the wizard, a
 * bad email, an email in use, the table unavailable) fails alone; the others go on.
 */
import { Invalid, Unavailable } from '../../contract/errors';
import { normaliseEmail } from '../../contract/email';
import { id } from '../../contract/schemas/common';
import type { ApplyInput, ApplyLine } from '../../contract/schemas/portal-access';
import { HANDLER_TIMEOUT_MS } from '../../contract/runtime';
import { wellFormed } from '../../contract/text';
import { hasEnded, portalStatusAt } from '../access-policy';
import type { ContactRecord } from '../contact-record';
import { auditCompanyApply } from './apply-audit';
import { planGrant, settleClaim, type GrantStep } from './grant';
import { LineFailure, mapBounded, type LineResult } from './lines';
import type { ClaimAnswer, PortalAccessDeps } from './ports';
import { revokeContact } from './revoke';
import type { SettingsChange } from './settings';
import { wizardMember, wizardMemberOf, wizardOwner } from './wizard';

/**
 * Lines start only this long into the request: a line in flight then (its transaction, retried on
 * a throttle or a conflict) still ends before the handler's own timeout, so the answer reports every
 * line (the ones not started fail with 503) instead of the whole request timing out as one 503.
 */
export const APPLY_STARTS_LINES_FOR_MS = HANDLER_TIMEOUT_MS - 10_000;

/**
 * Lines claimed together. A grant's claim is 4 items of a transaction (its record, guard,
 * outbox item and audit entry) and its company's check is shared: 24 claims fill DynamoDB's 100.
 */
export const APPLY_GROUP_LINES = 24;
/**
 * Groups under way at once. Each group's claims share a check of the company's item, and DynamoDB
 * refuses (`TransactionConflict`) a transaction that meets another on one item: few at once.
 */
export const APPLY_GROUPS_AT_ONCE = 2;

export async function applyPortalAccess(
  deps: PortalAccessDeps,
  wizardId: string,
  input: ApplyInput,
  actor: string,
  /** The request's own end (the handler's timeout). */
  requestSignal?: AbortSignal,
): Promise<LineResult[]> {
  const signal = AbortSignal.any([AbortSignal.timeout(APPLY_STARTS_LINES_FOR_MS), ...(requestSignal ? [requestSignal] : [])]);
  const owner = await wizardOwner(deps, wizardId);
  const firstIndex = new Map<string, number>();
  input.lines.forEach((line, index) => firstIndex.has(line.contactId) || firstIndex.set(line.contactId, index));

  const results: LineResult[] = new Array(input.lines.length);
  const failed = (index: number, error: unknown): void => {
    // The line's contactId as sent (any string): echoed in the answer and the company's history, so bounded and never half a surrogate pair.
    const contactId = echoOf((input.lines[index] as ApplyLine).contactId);
    results[index] = error instanceof LineFailure
      ? { contactId, outcome: 'failed', status: error.status, error: error.error }
      : { contactId, outcome: 'failed', status: 'none', error };
  };
  // Every line's contact at once (consistent); a grant's claim refuses a contact changed since (its version).
  // A contactId that is no id names no contact (its line fails as outside the wizard): never a key to read.
  const wanted = input.lines.filter((line, index) => firstIndex.get(line.contactId) === index && isContactId(line.contactId));
  let read: Map<string, ContactRecord>;
  try {
    read = wanted.length === 0 ? new Map() : await deps.contacts.getMany(wanted.map((line) => line.contactId));
  } catch (error) {
    input.lines.forEach((_, index) => failed(index, error));
    return results;
  }

  const groups = Array.from({ length: Math.ceil(input.lines.length / APPLY_GROUP_LINES) }, (_, g) =>
    input.lines.slice(g * APPLY_GROUP_LINES, (g + 1) * APPLY_GROUP_LINES).map((line, n) => ({ line, index: g * APPLY_GROUP_LINES + n })),
  );
  await mapBounded(groups, APPLY_GROUPS_AT_ONCE, async (group) => {
    if (signal.aborted) {
      for (const { index } of group) failed(index, new Unavailable('The request ran out of time before this line; repeat it.'));
      return;
    }
    const claims: { line: ApplyLine; index: number; contact: ContactRecord; step: ClaimStep }[] = [];
    const alone: { line: ApplyLine; index: number }[] = [];
    for (const { line, index } of group) {
      try {
        if (firstIndex.get(line.contactId) !== index) throw new LineFailure(new Invalid('This contact appears on an earlier line.', `lines.${index}.contactId`), 'none');
        // Not (or no longer) in the wizard: NotFound, and the line fails with status `none`.
        const contact = wizardMemberOf(wizardId, read, line.contactId);
        const step = lineFailure(deps, contact, () => planLine(deps, contact, line, index, input.message, actor));
        if (step.kind === 'claim') claims.push({ line, index, contact, step: { ...step, claim: { ...step.claim, sameVersion: true } } });
        else alone.push({ line, index });
      } catch (error) {
        failed(index, error);
      }
    }
    const answers: ClaimAnswer[] =
      claims.length === 0 ? [] : await deps.store.claimLogins(claims.map(({ step }) => step.claim)).catch((error: unknown) => claims.map(() => ({ error })));
    const settle = async (index: number, work: () => Promise<LineResult>): Promise<void> => {
      try {
        results[index] = await work();
      } catch (error) {
        failed(index, error);
      }
    };
    await mapBounded(
      [
        ...claims.map(({ line, index, contact, step }, n) => () =>
          settle(index, async () => {
            const answer = answers[n];
            if (answer === 'claimed') return settleClaim(deps, step, answer);
            if (typeof answer !== 'string') throw new LineFailure(answer?.error, portalStatusAt(contact.portal, deps.now()));
            // Refused (the contact changed since it was read, its email taken, its company archived): the line alone, read again.
            return applyAlone(deps, wizardId, line, index, input.message, actor);
          }),
        ),
        // A revocation, changed settings, an invitation queued again: rare in a large apply, each read again and written alone.
        ...alone.map(({ line, index }) => () => settle(index, () => applyAlone(deps, wizardId, line, index, input.message, actor))),
      ],
      deps.config.applyConcurrency,
      (run) => run(),
    );
  });
  await auditCompanyApply(deps, owner, results, actor, input.message !== undefined);
  return results;
}

type ClaimStep = Extract<GrantStep, { kind: 'claim' }>;

/** Echoed of a failed line's contactId: its first characters, as many as an id may have and more, never half a surrogate pair. */
const ECHOED_CHARACTERS = 128;
const echoOf = (contactId: string): string => wellFormed(Array.from(contactId.slice(0, 2 * ECHOED_CHARACTERS)).slice(0, ECHOED_CHARACTERS).join(''));
const isContactId = (value: string): boolean => id().safeParse(value).success;

/** One line on its own: its contact read again (consistently) now, then its step. */
async function applyAlone(
  deps: PortalAccessDeps,
  wizardId: string,
  line: ApplyLine,
  index: number,
  message: string | undefined,
  actor: string,
): Promise<LineResult> {
  const contact = await wizardMember(deps, wizardId, line.contactId);
  return lineFailureAsync(deps, contact, async () => {
    const step = planLine(deps, contact, line, index, message, actor);
    return step.kind === 'answer' ? step.run() : settleClaim(deps, step, await deps.store.claimLogin(step.claim));
  });
}

/** What a line's step threw, as the line's failure with the status its contact was read in. */
function lineFailure<T>(deps: PortalAccessDeps, contact: ContactRecord, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw error instanceof LineFailure ? error : new LineFailure(error, portalStatusAt(contact.portal, deps.now()));
  }
}

async function lineFailureAsync<T>(deps: PortalAccessDeps, contact: ContactRecord, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof LineFailure ? error : new LineFailure(error, portalStatusAt(contact.portal, deps.now()));
  }
}

/** A line's step: its refusals (thrown), a revocation, or its grant's. */
function planLine(deps: PortalAccessDeps, contact: ContactRecord, line: ApplyLine, index: number, message: string | undefined, actor: string): GrantStep {
  const now = deps.now();
  const status = portalStatusAt(contact.portal, now);
  let email: string | undefined;
  if (line.email !== undefined) {
    email = normaliseEmail(line.email);
    if (!email) throw new LineFailure(new Invalid('The email is not a valid address.', `lines.${index}.email`), status);
  }
  if (!line.inPortal) {
    return {
      kind: 'answer',
      run: async () => {
        const outcome = await revokeContact(deps, contact, actor);
        return { contactId: contact.id, outcome, status: outcome === 'unchanged' ? status : 'revoked' };
      },
    };
  }
  if (typeof line.until === 'string' && hasEnded(line.until, now))
    throw new LineFailure(new Invalid('until must be in the future (or null for no end).', `lines.${index}.until`), status);
  const settings: SettingsChange = {
    ...(line.scope === undefined ? {} : { scope: line.scope }),
    ...(line.types === undefined ? {} : { types: line.types }),
    ...(line.until === undefined ? {} : { until: line.until }),
  };
  return planGrant(deps, contact, { email, settings }, message, actor, index);
}
