/**
 * Share links, as the contract fixes them: the customer portal's page for a link, how long a link
 * may live, how many views and links there may be, the headers of every answer to the link's
 * holder, and the rate limit of the public routes (API Gateway's route throttling in AWS, the local
 * server's per-client limit — one definition for both).
 */

/** The customer portal's page of a shared document: `<PORTAL_URL>/s/<token>`. */
export const SHARE_LINK_PAGE = '/s/';

export const DEFAULT_LINK_DAYS = 30;
export const MAX_LINK_DAYS = 90;
/** `maxViews` is 1 to this. */
export const MAX_LINK_VIEWS = 10_000;
/**
 * At most this many links per document on record: live ones, and ended ones (expired, revoked)
 * for ENDED_LINK_KEPT_DAYS after they ended, so that staff see what happened to them. Bounds the
 * listing and the work of every creation.
 */
export const MAX_LINKS_PER_DOCUMENT = 50;
export const ENDED_LINK_KEPT_DAYS = 7;

/**
 * On every answer to a link's holder, 200 or not: never cached (a shared or proxy cache would keep
 * the document after the link died), never indexed, and the link is never sent on as a Referer.
 */
export const SHARED_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
};

/**
 * The public share-link routes' rate limit (token bucket: `rateLimit` requests a second, bursts of
 * `burstLimit`). In AWS it is the route's throttling on the stage (for all callers together: API
 * Gateway has no per-client limit on HTTP APIs); locally it is applied per client IP.
 */
export const SHARED_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;
