/** The web side's pure parts: who CORS lets in, the Content-Security-Policy, and the local static server (no file outside the app, the config, the SPA fallback). */
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { allowedOrigin, apiWideOrigins } from '../../lambdas/contract/cors';
import { contentSecurityPolicy } from '../../lib/web-headers';
import { webAppConfig } from '../../lib/web-app-config';
import { createWebServer } from '../../local/web-server';
import { safeReturnPath } from '../../web/shared/return-path';

describe('CORS (lambdas/contract/cors.ts)', () => {
  const origins = { admin: ['https://admin.example.com'], portal: ['https://portal.example.com'] };
  test.each([
    ['https://portal.example.com', '/portal/me', true],
    ['https://portal.example.com', '/portal/documents/invoice/1', true],
    ['https://portal.example.com', '/invitations/accept', true],
    ['https://portal.example.com', '/shared/abc', true],
    ['https://portal.example.com', '/invitations/accept/x', false],
    ['https://portal.example.com', '/portals', false],
    ['https://portal.example.com', '/contacts', false],
    ['https://portal.example.com', '/documents', false],
    ['https://admin.example.com', '/contacts', true],
    ['https://evil.example.com', '/portal/me', false],
    [undefined, '/portal/me', false],
  ])('%s → %s: %s', (origin, path, allowed) => {
    expect(allowedOrigin(origins, origin, path)).toBe(allowed ? origin : undefined);
  });

  test('API Gateway gets one list for the whole API', () => {
    expect(apiWideOrigins({ admin: ['a', 'b'], portal: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
  });
});

describe('Content-Security-Policy', () => {
  test('only the page itself, the API and the hosted UI; no inline anything, no framing', () => {
    const csp = contentSecurityPolicy({ api: 'https://api.example.com', hostedUi: 'https://auth.example.com' });
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://api.example.com https://auth.example.com");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe|\*|data:/);
    expect(contentSecurityPolicy({ hostedUi: 'https://auth.example.com' })).toContain("connect-src 'self' https://auth.example.com;");
  });

  test('the console may also send its uploads to the attachments bucket, and to nothing else', () => {
    const csp = contentSecurityPolicy({ hostedUi: 'https://auth.example.com', uploads: ['https://files.s3.eu-west-1.amazonaws.com'] });
    expect(csp).toContain("connect-src 'self' https://auth.example.com https://files.s3.eu-west-1.amazonaws.com;");
    expect(csp).not.toMatch(/unsafe|\*|data:/);
  });
});

describe('the local static server', () => {
  let server: http.Server;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-'));
    const root = path.join(dir, 'portal');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title>');
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the app');
    const config = webAppConfig({
      apiUrl: 'http://127.0.0.1:3000/',
      region: 'eu-west-1',
      userPoolId: 'pool',
      clientId: 'client',
      authority: 'http://127.0.0.1:9229/pool',
      hostedUiUrl: 'http://127.0.0.1:9230',
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
    });
    server = createWebServer({ root, config, csp: { api: 'http://127.0.0.1:3000', hostedUi: 'http://127.0.0.1:9230' }, quiet: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves the app’s files with the security headers, hashed assets cached for good', async () => {
    const res = await fetch(`${base}/assets/app.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  test('no page of the apps is for a search engine: an invitation’s or a share link’s page holds its token in its URL', async () => {
    for (const p of ['/', '/invitation?token=abc', '/s/abcdef', '/config.json', '/nothing.js']) {
      const res = await fetch(base + p);
      expect(res.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    }
  });

  test('every other path is the app’s index.html (its router decides)', async () => {
    for (const p of ['/', '/invitation?token=abc', '/documents/invoice/INV.2026.1', '/nothing.js']) {
      const res = await fetch(base + p);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>app</title>');
    }
  });

  test('never a file outside the app, however the path is written', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00']) {
      const res = await fetch(base + p);
      expect(await res.text()).not.toContain('outside the app');
    }
  });

  test('a path the file system refuses (a name too long, a file taken for a folder) is the app’s index.html, and the server goes on', async () => {
    // A share link's page with a hostile token: a path segment longer than any file name (ENAMETOOLONG), and
    // a path below a file (ENOTDIR). Both once threw out of the request handler and stopped the whole stack.
    for (const p of [`/s/${'a'.repeat(300)}`, '/index.html/x', '/assets/app.js/x']) {
      const res = await fetch(base + p);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>app</title>');
    }
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(200);
  });

  test('/config.json is the runtime configuration, never cached; writes are refused', async () => {
    const res = await fetch(`${base}/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ apiUrl: 'http://127.0.0.1:3000', clientId: 'client', passwordPolicy: { minLength: 12 } });
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });

  test('a share link’s page is served, and its log line shows no token', async () => {
    const talkative = createWebServer({ root: path.join(dir, 'portal'), config: webAppConfig({ apiUrl: 'http://a', region: 'r', userPoolId: 'p', clientId: 'c', authority: 'http://a/p', hostedUiUrl: 'http://h', passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true } }), csp: { api: 'http://a', hostedUi: 'http://h' } });
    await new Promise<void>((r) => talkative.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      const token = 'Zm9vYmFyYmF6cXV4cXV1eHh5enp5eHh5enp5eHh5enp5';
      const res = await fetch(`http://127.0.0.1:${(talkative.address() as { port: number }).port}/s/${token}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>app</title>');
      expect(lines).toEqual(['web GET /s/{token} → 200']);
    } finally {
      spy.mockRestore();
      await new Promise((r) => talkative.close(r));
    }
  });
});

describe('where sign-in goes back to', () => {
  test.each([
    ['/', '/'],
    ['/documents/invoice?cursor=abc', '/documents/invoice?cursor=abc'],
    ['//evil.example.com', '/'],
    ['/\\evil.example.com', '/'],
    ['https://evil.example.com/', '/'],
    ['javascript:alert(1)', '/'],
    ['/\nx', '/'],
    [undefined, '/'],
    [42, '/'],
  ])('%j → %s', (value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
  });
});
