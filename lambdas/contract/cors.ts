/**
 * CORS, one definition for AWS and the local stack: the HTTP API's (API Gateway in
 * lib/constructs/http-api.ts, the local server in local/server.ts) and the attachments bucket's (the
 * bucket in lib/constructs/attachments-storage.ts, the local S3 emulator). Which methods and request
 * headers a browser app may use, and which response headers it may read; and which origins may call
 * which paths.
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

/**
 * The attachments bucket: the admin console's origins may PUT an upload to its presigned URL — only
 * that method, only that header. Downloads are plain navigations to a presigned URL and need no CORS,
 * so the portal's origins get nothing here.
 */
export const UPLOAD_CORS = {
  allowMethods: ['PUT'],
  allowHeaders: ['Content-Type'],
  exposeHeaders: ['ETag'],
  maxAgeSeconds: 3000,
} as const;
