/** How long a request may live: the CDK functions, the local stack and the handlers read these. */

export const LAMBDA_TIMEOUT_SECONDS = 29;

/** Handlers give up this long before their Lambda's timeout, so a slow dependency is a clean 503. */
export const HANDLER_TIMEOUT_MS = 25_000;

/**
 * No request can still be running after this long: what a request left half-done (an idempotency
 * record in progress, a claimed invitation) may then be taken over by a repeat.
 */
export const ABANDONED_AFTER_MS = 2 * LAMBDA_TIMEOUT_SECONDS * 1000;
