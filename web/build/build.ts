/**
 * One build for every web app: each folder of web/ with an `index.html` (portal, admin, …) is built
 * by vite into `web/dist/<app>/` (or `--out`), after the API types are generated. `--if-needed`
 * skips an app whose inputs have not changed since its last build (`npm start`). The first load's
 * JavaScript (entry + preloaded chunks, gzip) is measured and printed.
 *
 *   tsx web/build/build.ts [--app portal] [--out <dir>] [--if-needed]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeApiTypes } from './api-types';
import { distOf, firstLoadJs, WEB_ROOT, webApps } from './dist';

const ROOT = path.resolve(WEB_ROOT, '..');
const STAMP = '.build-inputs';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** A hash of everything an app's build reads: its folder, the shared code (with the API types), the build itself, the locked packages. */
function inputsHash(app: string): string {
  const hash = createHash('sha256');
  const files = [
    ...filesUnder(path.join(WEB_ROOT, app)),
    ...filesUnder(path.join(WEB_ROOT, 'shared')),
    ...filesUnder(path.join(WEB_ROOT, 'build')),
    path.join(WEB_ROOT, 'tsconfig.json'),
    path.join(ROOT, 'lib', 'web-app-config.ts'),
    path.join(ROOT, 'package-lock.json'),
  ].sort();
  for (const file of files) hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex');
}

export interface BuildResult {
  readonly app: string;
  readonly outDir: string;
  readonly built: boolean;
  readonly firstLoadGzipBytes: number;
}

export async function buildApp(app: string, options: { outDir?: string; ifNeeded?: boolean; quiet?: boolean } = {}): Promise<BuildResult> {
  const outDir = options.outDir ?? distOf(app);
  await writeApiTypes();
  const inputs = inputsHash(app);
  const stamp = path.join(outDir, STAMP);
  if (options.ifNeeded && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === inputs) {
    return { app, outDir, built: false, firstLoadGzipBytes: firstLoadJs(outDir).gzipBytes };
  }
  const { build } = await import('vite');
  await build({
    root: path.join(WEB_ROOT, app),
    configFile: false,
    envDir: false,
    logLevel: options.quiet ? 'warn' : 'info',
    base: '/',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      // Every asset a file of its own: the CSP allows no data: URLs.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
    },
  });
  // Only in web/dist: a build for a deployment (--out) ships exactly the app.
  if (!options.outDir) fs.writeFileSync(stamp, inputs);
  const first = firstLoadJs(outDir);
  if (!options.quiet) console.log(`${app}: first load ${(first.gzipBytes / 1024).toFixed(1)} KB of JavaScript (gzip), ${first.files.join(', ')}`);
  return { app, outDir, built: true, firstLoadGzipBytes: first.gzipBytes };
}

export async function buildApps(options: { ifNeeded?: boolean; quiet?: boolean } = {}): Promise<BuildResult[]> {
  const results: BuildResult[] = [];
  for (const app of webApps()) results.push(await buildApp(app, options));
  return results;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { app: { type: 'string' }, out: { type: 'string' }, 'if-needed': { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } } });
  const run = values.app
    ? buildApp(values.app, { outDir: values.out && path.resolve(values.out), ifNeeded: values['if-needed'], quiet: values.quiet }).then((r) => [r])
    : buildApps({ ifNeeded: values['if-needed'], quiet: values.quiet });
  run.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
