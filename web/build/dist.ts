/** Where the built web apps are, and what a browser loads first from one: light enough for tests and the local stack to import. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const WEB_ROOT = path.resolve(__dirname, '..');
export const distOf = (app: string): string => path.join(WEB_ROOT, 'dist', app);

/** The apps: the folders of web/ with an index.html. */
export function webApps(): string[] {
  return fs
    .readdirSync(WEB_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(WEB_ROOT, entry.name, 'index.html')))
    .map((entry) => entry.name)
    .sort();
}

/** What the browser loads before the app runs: the entry script and the chunks it preloads, each gzipped. */
export function firstLoadJs(outDir: string): { files: string[]; gzipBytes: number } {
  const html = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/?([^"]+\.js)"/g)].map((m) => m[1]!);
  const gzipBytes = files.reduce((sum, file) => sum + gzipSync(fs.readFileSync(path.join(outDir, file)), { level: 9 }).length, 0);
  return { files, gzipBytes };
}
