/**
 * A built web app on its own origin, as CloudFront serves it in AWS: the files of `web/dist/<app>`,
 * `/config.json` written by the local stack, `index.html` for every other path (the app's router
 * decides), and the same security headers (lib/web-headers.ts). GET and HEAD only.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { contentSecurityPolicy, WEB_CACHE_CONTROL, WEB_HEADERS, type CspOrigins } from '../lib/web-headers';
import { WEB_APP_CONFIG_FILE, type WebAppConfig } from '../lib/web-app-config';
import { SHARE_LINK_PAGE } from '../lambdas/contract/share-links';

export interface WebServerConfig {
  /** The built app (web/dist/<app>). */
  readonly root: string;
  readonly config: WebAppConfig;
  readonly csp: CspOrigins;
  readonly quiet?: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file of the app for this URL path, never one outside it (`..`, encoded or not). */
function fileFor(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, '.' + path.posix.normalize(decoded));
  if (!file.startsWith(root + path.sep)) return undefined;
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? file : undefined;
  } catch {
    // ENAMETOOLONG (a share link's page with a hostile token), ENOTDIR (`/index.html/x`): no such file.
    return undefined;
  }
}

export function createWebServer(options: WebServerConfig): http.Server {
  const root = path.resolve(options.root);
  const configBody = JSON.stringify(options.config);
  const common = {
    'content-security-policy': contentSecurityPolicy(options.csp),
    'referrer-policy': WEB_HEADERS.referrerPolicy,
    'x-content-type-options': WEB_HEADERS.contentTypeOptions,
    'x-frame-options': WEB_HEADERS.frameOptions,
    'x-robots-tag': WEB_HEADERS.robots,
  };
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, headers: Record<string, string>, body?: string | Buffer) => {
      res.writeHead(status, { ...common, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      // A share link's page holds its token: never in a log line.
      const logged = url.pathname.startsWith(SHARE_LINK_PAGE) ? `${SHARE_LINK_PAGE}{token}` : url.pathname;
      if (!options.quiet) console.log(`web ${req.method} ${logged} → ${status}`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }, 'Method Not Allowed');
    if (url.pathname === `/${WEB_APP_CONFIG_FILE}`) return send(200, { 'content-type': TYPES['.json']!, 'cache-control': 'no-store' }, configBody);
    const file = fileFor(root, url.pathname) ?? path.join(root, 'index.html');
    let body: Buffer;
    try {
      body = fs.readFileSync(file);
    } catch {
      return send(503, { 'content-type': 'text/plain' }, 'The app is not built (npm run web:build).');
    }
    // Hashed file names never change: cache them for good; anything else (index.html) is checked every time.
    const cache = file.includes(`${path.sep}assets${path.sep}`) ? WEB_CACHE_CONTROL.hashedAsset : WEB_CACHE_CONTROL.page;
    return send(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': cache }, body);
  });
}
