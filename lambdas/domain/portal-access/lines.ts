/** A wizard line's result, how lines fail one by one, and how many run at once. */
import { ChangedMeanwhile, DomainError, Unavailable } from '../../contract/errors';
import type { Outcome } from '../../contract/schemas/portal-access';
import type { PortalStatus } from '../contact-record';

export interface LineResult {
  contactId: string;
  outcome: Outcome;
  status: PortalStatus;
  /** A failed line's reason: a domain error, or whatever a dependency threw (the HTTP layer maps it). */
  error?: unknown;
}

/** A line that failed, with the status its contact was left in. */
export class LineFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly status: PortalStatus,
  ) {
    super('line failed');
  }
}

/**
 * A write refused because the contact changed since it was read — most often its invitation
 * accepted meanwhile (invited → active) — is read again and tried again, this many times in all,
 * before the line fails with "repeat the request": what staff asked for still stands.
 */
export const WRITE_ATTEMPTS = 5;

/** What a line-level step threw, without the line's wrapper (for the single-contact callers). */
export const unwrapLine = (error: unknown): unknown => (error instanceof LineFailure ? error.error : error);

/**
 * A refusal (a 4xx) stays a refusal when repeated; anything else (a dependency down, a bug, a race
 * lost more often than tried again) may not.
 */
const isRefusal = (error: unknown) => error instanceof DomainError && !(error instanceof Unavailable) && !(error instanceof ChangedMeanwhile);

/**
 * Whether an apply's answer may be replayed for its `Idempotency-Key`: not when a line failed for a
 * reason other than a refusal, because a repeat completes that line.
 */
export const replayable = (lines: readonly LineResult[]): boolean => lines.every((line) => line.error === undefined || isRefusal(line.error));

/** Runs `work` over `items` with at most `limit` at once; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  // Stryker disable next-line ArrayDeclaration: every index is written before the array is returned; its initial length is only a size hint.
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
