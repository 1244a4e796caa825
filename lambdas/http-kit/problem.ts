import { ZodError } from 'zod';
import type { Problem } from '../contract/schemas/common';
import { AccessEnded, Conflict, DomainError, Forbidden, Gone, Invalid, NotFound, Unauthenticated } from '../contract/errors';
import { isTransient } from '../platform/transient';

/** An HTTP-level refusal raised by the kit itself (auth, content type, size, method). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpError';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** The title of the 401 for a valid portal token whose access ended (API.md, "The pages"): pages tell it from an expired session by it. */
export const ACCESS_ENDED_TITLE = 'Portal access ended';

export interface ProblemResponse {
  status: number;
  problem: Problem;
  headers: Record<string, string>;
}

export function problemOf(status: number, detail?: string, errors?: Problem['errors']): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
  };
}

/** The path of a validation issue as API.md writes it: `lines.0.email`. */
export const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** A 400 lists at most this many issues: a body of 20,000 unknown keys must not be answered with a megabyte. */
export const MAX_REPORTED_ISSUES = 100;

export function validationProblem(error: ZodError): Problem {
  // An unknown field is reported at its own path (`lines.0.admin`), not at its parent object's.
  const errors = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: issuePath([...issue.path, key]), message: 'is not a known field' }))
      : [{ path: issuePath(issue.path), message: issue.message }],
  );
  if (errors.length <= MAX_REPORTED_ISSUES) return problemOf(400, 'The request is not valid.', errors);
  return problemOf(400, `The request is not valid (the first ${MAX_REPORTED_ISSUES} of ${errors.length} problems).`, errors.slice(0, MAX_REPORTED_ISSUES));
}

/** A request part that its route's schema refused. */
export class ValidationFailed extends Error {
  constructor(readonly zodError: ZodError) {
    super('validation failed');
    this.name = 'ValidationFailed';
  }
}

/** The one mapping from anything thrown to the problem the client sees. A 500 says nothing internal. */
export function toProblem(error: unknown): ProblemResponse {
  const plain = (status: number, detail?: string, headers: Record<string, string> = {}, errors?: Problem['errors']) => ({
    status,
    problem: problemOf(status, detail, errors),
    headers,
  });
  if (error instanceof HttpError) return { status: error.status, problem: problemOf(error.status, error.detail), headers: error.headers };
  if (error instanceof ZodError) return { status: 400, problem: validationProblem(error), headers: {} };
  if (error instanceof ValidationFailed) return { status: 400, problem: validationProblem(error.zodError), headers: {} };
  if (error instanceof NotFound) return plain(404, error.message);
  if (error instanceof Conflict) return plain(409, error.message);
  if (error instanceof Gone) return plain(410, error.message);
  if (error instanceof Invalid)
    return plain(400, error.message, {}, error.path === undefined ? undefined : [{ path: error.path, message: error.message }]);
  if (error instanceof AccessEnded)
    return { status: 401, problem: { ...problemOf(401, error.message), title: ACCESS_ENDED_TITLE }, headers: { 'www-authenticate': 'Bearer' } };
  if (error instanceof Unauthenticated) return plain(401, error.message, { 'www-authenticate': 'Bearer' });
  if (error instanceof Forbidden) return plain(403, error.message);
  if (isTransient(error)) return plain(503, 'A dependency is unavailable; please retry.', { 'retry-after': '1' });
  if (error instanceof DomainError) return plain(400, error.message);
  return plain(500, 'An unexpected error occurred.');
}
