/**
 * CORS of the HTTP API, one definition for API Gateway (lib/constructs/http-api.ts) and the local
 * server (local/server.ts): which methods and request headers a browser app may use, and which
 * response headers it may read; and which origins may call which paths.
 *
 * The admin console's origins may call every route; the customer portal's origins only the routes a
 * portal page calls. API Gateway's HTTP API has one CORS configuration for the whole API, so there
 * both lists would be allowed API-wide (`apiWideOrigins`); in AWS the portal calls the API under
 * `/api/*` of its own origin instead (lib/constructs/web-app.ts), so it needs none. CORS guards no
 * secret here anyway: the API uses no ambient credentials (no cookies), and a page of the portal's
 * origin holds no staff token. The local server is exact (`allowedOrigin`).
 */
export const CORS = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
  /** What the apps read: the version (`ETag`), a created resource (`Location`), a 405's `Allow`, a 503's `Retry-After`, the request id for support. */
  exposeHeaders: ['ETag', 'Location', 'Allow', 'Retry-After', 'X-Request-Id'],
  /** How long a browser may reuse a preflight answer. */
  maxAgeSeconds: 3600,
} as const;

export type CorsMethod = (typeof CORS.allowMethods)[number];

export interface CorsOrigins {
  /** The admin console's origins. */
  readonly admin: readonly string[];
  /** The customer portal's origins. */
  readonly portal: readonly string[];
}

/** What a portal page calls: its own routes, accepting an invitation, a shared link. */
export const PORTAL_PATHS: readonly string[] = ['/portal/*', '/invitations/accept', '/shared/*'];

const matches = (pattern: string, path: string) => (pattern.endsWith('/*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern);

/** The origin to answer in `Access-Control-Allow-Origin` for a request to `path`, or undefined. */
export function allowedOrigin(origins: CorsOrigins, origin: string | undefined, path: string): string | undefined {
  if (!origin) return undefined;
  if (origins.admin.includes(origin)) return origin;
  if (origins.portal.includes(origin) && PORTAL_PATHS.some((p) => matches(p, path))) return origin;
  return undefined;
}

/** API Gateway's one list for the whole API (see above). */
export const apiWideOrigins = (origins: CorsOrigins): string[] => [...new Set([...origins.admin, ...origins.portal])];
