/**
 * The domain's errors: one class per kind of refusal. The HTTP layer maps them to status codes in
 * one place (http-kit/problem.ts); the event handlers log and drop or retry them.
 */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The resource does not exist, or the caller may not know that it does. */
export class NotFound extends DomainError {}

/** A wizard line names a contact that is not (or no longer) one of the wizard's. */
export class OutOfScope extends NotFound {}

/** The request conflicts with the current state (an email in use, a stale version, a reused key). */
export class Conflict extends DomainError {}

/**
 * The record changed between its read and a conditional write, more often than the domain tries
 * again: a race, not a refusal — the same request, repeated, goes through.
 */
export class ChangedMeanwhile extends Conflict {
  constructor() {
    super('The contact changed meanwhile; repeat the request.');
  }
}

/** The email is another contact's portal login. */
export class EmailInUse extends Conflict {}

/** `If-Match` names a version the resource is no longer at. */
export class StaleVersion extends Conflict {}

/** An `Idempotency-Key` reused with another body, or whose first request is still running. */
export class IdempotencyConflict extends Conflict {}

/** An invitation token that cannot be used; deliberately says nothing about why. */
export class Gone extends DomainError {}

/** A share link that cannot be used (unknown, expired, revoked, used up, its document or recipient gone); says nothing about why either. */
export class LinkGone extends Gone {}

/** A value the domain refuses although it passed the schema (a company that is not a company, a weak password). */
export class Invalid extends DomainError {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** Granting portal access to a contact without an email (and none on the wizard's line). */
export class NoEmail extends Invalid {}

/** The portal caller's access is missing, revoked or not yet accepted; the staff user is disabled or gone. */
export class Unauthenticated extends DomainError {}

/**
 * A valid portal token whose access is not active (revoked, archived, never accepted, no record): a
 * 401 the portal page can tell from an expired session, so it says the access ended instead of
 * asking for a sign-in that cannot help.
 */
export class AccessEnded extends Unauthenticated {}

/** The caller is who it says, but may not do this (a staff user no longer in `portal-admins`). */
export class Forbidden extends DomainError {}

/** A dependency (DynamoDB, Cognito, SES) is unavailable; the request may be repeated. */
export class Unavailable extends DomainError {}
