/**
 * The kinds of problem the API answers, each with a stable `type` URI (RFC 9457): a client tells
 * "email in use" from "stale version" by `type`, never by reading `title` or `detail`. One table for
 * the error mapping (http-kit/problem.ts), the OpenAPI document and docs/api.md ("Problem types").
 * A new kind is one line here; the URIs never change once published.
 */

/** `urn:portal-access:problem:<kind>`: a URN, so that it names the kind without promising a page to fetch. */
export const PROBLEM_TYPE_PREFIX = 'urn:portal-access:problem:';

export interface ProblemKind {
  readonly status: number;
  /** The same for every occurrence of the kind (RFC 9457 §3.1.4). */
  readonly title: string;
  /** When a client meets it: for the OpenAPI document and docs/api.md. */
  readonly when: string;
}

export const PROBLEM_KINDS = {
  validation: { status: 400, title: 'Invalid request', when: 'Malformed or too deeply nested JSON, a schema violation, an unknown field, a bad cursor, path parameter or header, a password the policy refuses; `errors` lists each path' },
  'no-email': { status: 400, title: 'No email', when: 'Granting portal access to a contact that has no email and none on the line' },
  unauthenticated: { status: 401, title: 'Unauthorized', when: 'No valid access token of the right pool, an ID token, a disabled or deleted staff user, or a token issued before the access became active: sign in (again)' },
  'access-ended': { status: 401, title: 'Portal access ended', when: "A valid portal token whose access is not active (revoked, past its `until`, archived, never accepted): signing in again does not help" },
  forbidden: { status: 403, title: 'Forbidden', when: 'A staff user that is not (or no longer) in portal-admins' },
  'not-found': { status: 404, title: 'Not found', when: 'An unknown path or resource, or a document the portal user may not see' },
  'out-of-scope': { status: 404, title: 'Not in this wizard', when: "A wizard line for a contact that is not (or no longer) one of the wizard's contacts" },
  'method-not-allowed': { status: 405, title: 'Method not allowed', when: 'A method the path does not support, any write under /portal; `Allow` lists the methods' },
  'email-in-use': { status: 409, title: 'Email in use', when: "The email is another contact's portal login" },
  'stale-version': { status: 409, title: 'Stale version', when: '`If-Match` names a version the contact is no longer at: read it again' },
  'idempotency-conflict': { status: 409, title: 'Idempotency-Key conflict', when: 'An `Idempotency-Key` reused with another body, or whose first request is still in progress, or that already issued an invitation link (shown only once)' },
  conflict: { status: 409, title: 'Conflict', when: 'The request conflicts with the current state (an archived contact or company, a contact changed meanwhile, a login under another email; a document, its grants, share links or attachments changed by many requests at once, each refused after a few tries: "…being changed concurrently; please retry"): read, then decide again' },
  'invitation-unusable': { status: 410, title: 'Invitation unusable', when: "An invitation token that is unknown, used, expired, re-invited or revoked (one body for all but the request's `instance`)" },
  'link-unusable': { status: 410, title: 'Link unusable', when: "A share link that is unknown, malformed, expired, revoked or used up, whose document was deleted or now belongs to another customer than when the link was made, or whose recipient archived (one body for all but the request's `instance`)" },
  'too-large': { status: 413, title: 'Content too large', when: 'A body over 256 KiB' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', when: 'A body that is not application/json, that is labelled in a charset other than UTF-8, or that is content-coded (`Content-Encoding`: answered with `Accept-Encoding: identity`)' },
  throttled: { status: 429, title: 'Too many requests', when: 'The API is throttling the caller (in AWS, API Gateway answers this itself, without a problem body)' },
  internal: { status: 500, title: 'Internal error', when: 'An unexpected error; the body says nothing more, the request id finds it in the logs' },
  'not-implemented': { status: 501, title: 'Not implemented', when: 'A route of the contract whose handler is not built yet' },
  unavailable: { status: 503, title: 'Service unavailable', when: 'A dependency (DynamoDB, Cognito, SES) is unavailable; `Retry-After` says when to try again' },
} as const satisfies Record<string, ProblemKind>;

export type ProblemKindName = keyof typeof PROBLEM_KINDS;

export const problemTypeOf = (kind: ProblemKindName): string => `${PROBLEM_TYPE_PREFIX}${kind}`;

/** Every type URI, in table order: the OpenAPI enum of `Problem.type`. */
export const PROBLEM_TYPES: readonly string[] = Object.keys(PROBLEM_KINDS).map((kind) => problemTypeOf(kind as ProblemKindName));

/** The kinds a status can carry (for the OpenAPI responses of each status). */
export const kindsOfStatus = (status: number): ProblemKindName[] =>
  (Object.keys(PROBLEM_KINDS) as ProblemKindName[]).filter((kind) => PROBLEM_KINDS[kind].status === status);

/** `instance` of a problem: the request it answers, so that support finds it in the logs. */
export const requestInstance = (requestId: string): string => `urn:request:${requestId}`;

/** The response header that carries the request id on every answer (exposed to browsers by CORS). */
export const REQUEST_ID_HEADER = 'x-request-id';
