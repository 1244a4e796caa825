import { ZodError } from 'zod';
import type { Problem } from '../contract/schemas/common';
import {
  AccessEnded,
  Conflict,
  DomainError,
  EmailInUse,
  Forbidden,
  Gone,
  IdempotencyConflict,
  Invalid,
  LinkGone,
  NoEmail,
  NotFound,
  OutOfScope,
  StaleVersion,
  Unauthenticated,
} from '../contract/errors';
import { PROBLEM_KINDS, problemTypeOf, requestInstance, type ProblemKindName } from '../contract/problem-types';
import { isTransient } from '../platform/transient';
import { wellFormed } from '../contract/text';

/** An HTTP-level refusal raised by the kit itself (auth, content type, size, method). */
export class HttpError extends Error {
  constructor(
    readonly kind: ProblemKindName,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? PROBLEM_KINDS[kind].title);
    this.name = 'HttpError';
  }

  get status(): number {
    return PROBLEM_KINDS[this.kind].status;
  }
}

/** The title of the 401 for a valid portal token whose access ended (API.md, "The pages"): pages tell it from an expired session by it. */
export const ACCESS_ENDED_TITLE = PROBLEM_KINDS['access-ended'].title;

export interface ProblemResponse {
  status: number;
  problem: Problem;
  headers: Record<string, string>;
}

/** The problem of a kind: its type URI, title and status from the one table (contract/problem-types.ts). */
export function problemOf(kind: ProblemKindName, detail?: string, errors?: Problem['errors']): Problem {
  const { status, title } = PROBLEM_KINDS[kind];
  return {
    type: problemTypeOf(kind),
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
  };
}

/**
 * The path of a validation issue as API.md writes it: `lines.0.email`. A key sent with half a
 * surrogate pair is named with U+FFFD in its place: echoed as `\ud800`, it would make the whole
 * problem unreadable to strict JSON parsers.
 */
export const issuePath = (path: readonly PropertyKey[]): string => wellFormed(path.map(String).join('.'));

/** A 400 lists at most this many issues: a body of 20,000 unknown keys must not be answered with a megabyte. */
export const MAX_REPORTED_ISSUES = 100;

export function validationProblem(error: ZodError, detail = 'The request is not valid.'): Problem {
  // Every problem is counted, but only the reported ones are built: a body of 30,000 unknown keys
  // (256 KiB, on the public accept route too) once made 30,000 paths to answer 100 of them.
  const errors: NonNullable<Problem['errors']> = [];
  let count = 0;
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys') {
      if (errors.length < MAX_REPORTED_ISSUES) errors.push({ path: issuePath(issue.path), message: issue.message });
      count++;
      continue;
    }
    // An unknown field is reported at its own path (`lines.0.admin`), not at its parent object's.
    for (let i = 0; i < issue.keys.length && errors.length < MAX_REPORTED_ISSUES; i++)
      errors.push({ path: issuePath([...issue.path, issue.keys[i]!]), message: 'is not a known field' });
    count += issue.keys.length;
  }
  if (count <= MAX_REPORTED_ISSUES) return problemOf('validation', detail, errors);
  return problemOf('validation', `${detail.replace(/\.$/, '')} (the first ${MAX_REPORTED_ISSUES} of ${count} problems).`, errors);
}

/** A request part that its route's schema refused; `detail` says what was wrong with it as a whole (no body at all). */
export class ValidationFailed extends Error {
  constructor(
    readonly zodError: ZodError,
    readonly detail?: string,
  ) {
    super('validation failed');
    this.name = 'ValidationFailed';
  }
}

/** The kind of a domain error: the most specific class first. */
function kindOf(error: DomainError): ProblemKindName | undefined {
  if (error instanceof NoEmail) return 'no-email';
  if (error instanceof Invalid) return 'validation';
  if (error instanceof AccessEnded) return 'access-ended';
  if (error instanceof Unauthenticated) return 'unauthenticated';
  if (error instanceof Forbidden) return 'forbidden';
  if (error instanceof OutOfScope) return 'out-of-scope';
  if (error instanceof NotFound) return 'not-found';
  if (error instanceof EmailInUse) return 'email-in-use';
  if (error instanceof StaleVersion) return 'stale-version';
  if (error instanceof IdempotencyConflict) return 'idempotency-conflict';
  if (error instanceof Conflict) return 'conflict';
  if (error instanceof LinkGone) return 'link-unusable';
  if (error instanceof Gone) return 'invitation-unusable';
  return undefined;
}

/** Headers a kind always carries. */
const KIND_HEADERS: Partial<Record<ProblemKindName, Record<string, string>>> = {
  unauthenticated: { 'www-authenticate': 'Bearer' },
  'access-ended': { 'www-authenticate': 'Bearer' },
  unavailable: { 'retry-after': '1' },
};

/**
 * The one mapping from anything thrown to the problem the client sees, with the request it answers
 * as `instance` (`urn:request:<id>`, the id of the `x-request-id` header and of the log lines). A
 * 500 says nothing internal.
 */
export function toProblem(error: unknown, requestId?: string): ProblemResponse {
  const answer = (kind: ProblemKindName, detail?: string, errors?: Problem['errors'], headers: Record<string, string> = {}): ProblemResponse => ({
    status: PROBLEM_KINDS[kind].status,
    problem: { ...problemOf(kind, detail, errors), ...(requestId === undefined ? {} : { instance: requestInstance(requestId) }) },
    headers: { ...KIND_HEADERS[kind], ...headers },
  });
  if (error instanceof HttpError) return answer(error.kind, error.detail, undefined, error.headers);
  if (error instanceof ZodError) return { ...answer('validation'), problem: { ...validationProblem(error), ...instanceOf(requestId) } };
  if (error instanceof ValidationFailed) return { ...answer('validation'), problem: { ...validationProblem(error.zodError, error.detail), ...instanceOf(requestId) } };
  if (error instanceof Invalid) {
    const kind = kindOf(error) ?? 'validation';
    return answer(kind, error.message, error.path === undefined ? undefined : [{ path: wellFormed(error.path), message: error.message }]);
  }
  const kind = error instanceof DomainError ? kindOf(error) : undefined;
  if (kind && error instanceof Error) return answer(kind, error.message);
  if (isTransient(error)) return answer('unavailable', 'A dependency is unavailable; please retry.');
  if (error instanceof DomainError) return answer('validation', error.message);
  return answer('internal', 'An unexpected error occurred.');
}

const instanceOf = (requestId: string | undefined) => (requestId === undefined ? {} : { instance: requestInstance(requestId) });
