/**
 * Each Lambda bundle built as the CDK's NodejsFunction builds it (lib/constructs/portal-function.ts:
 * esbuild, bundle, minify, source map without the sources' text, platform node, target node22, the ES
 * module builds first (`mainFields`), the AWS SDK bundled — `bundleAwsSDK: true` leaves no externals —
 * with the aliases of lib/bundling.ts, then the map trimmed to the project's own code as the CDK's
 * `afterBundling` hook does), its minified size, its map's size, its cold import time — `require` of
 * the bundle in a fresh `node` process with `--enable-source-maps`, median of 21 — and the time the
 * first mapped stack trace of a container costs (Node parses the bundle's map on first use). Every
 * bundle is built before any is timed (esbuild's work does not land on the first bundles' runs), and
 * the runs go round the bundles, so a change in the machine's load lands on all of them alike.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../lib/bundling';
import { trimSourceMapFile } from '../lib/source-maps';
import { FUNCTIONS } from '../lambdas/contract/routes';
import { ROOT } from '../local/options';
import { median } from './stats';

/** `http`: behind the HTTP API (the size and cold-import targets are theirs); `background`: stream, events, schedule. */
export const ENTRIES: readonly { name: string; entry: string; kind: 'http' | 'background' }[] = [
  ...FUNCTIONS.map((fn) => ({ name: fn, entry: `lambdas/http/${fn}.ts`, kind: 'http' as const })),
  { name: 'outbox worker', entry: 'lambdas/worker/outbox.ts', kind: 'background' },
  { name: 'events', entry: 'lambdas/events/handler.ts', kind: 'background' },
  { name: 'schedule', entry: 'lambdas/schedule/handler.ts', kind: 'background' },
];

/** A bundle's median moved by 20–40 ms between runs of 9 a minute apart on an idle machine (2026-12-02). */
const IMPORT_RUNS = 21;

/**
 * Requires the bundle and prints the wall-clock and the CPU milliseconds it took, then how long the
 * source map's first use takes (`findSourceMap`: what the first stack trace through the bundle pays);
 * the process exits right after. CPU time is printed too because on a busy machine the wall clock also
 * counts the time the process waited for a CPU.
 */
const PROBE = [
  `const t = process.hrtime.bigint(); const c = process.cpuUsage(); require(process.argv[1]); const u = process.cpuUsage(c);`,
  `const m = process.hrtime.bigint(); require('node:module').findSourceMap(process.argv[1]); const mapped = Number(process.hrtime.bigint() - m) / 1e6;`,
  `process.stdout.write(Number(m - t) / 1e6 + ' ' + (u.user + u.system) / 1000 + ' ' + mapped);`,
].join(' ');

export interface BundleFigures {
  name: string;
  kind: 'http' | 'background';
  bytes: number;
  mapBytes: number;
  /** Wall clock, median of the runs. */
  importMs: number;
  /** CPU time (user + system), median of the runs. */
  importCpuMs: number;
  /** The source map's first use, median of the runs. */
  firstMapMs: number;
}

export async function buildBundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: true,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    platform: 'node',
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    alias: { ...LAMBDA_BUNDLING.alias },
    outfile,
    logLevel: 'error',
  });
  trimSourceMapFile(`${outfile}.map`);
}

export async function measureBundles(outDir: string): Promise<BundleFigures[]> {
  const bundles = ENTRIES.map((entry) => ({ ...entry, outfile: path.join(outDir, entry.name.replace(/\W+/g, '-'), 'index.js') }));
  for (const { entry, outfile } of bundles) await buildBundle(entry, outfile);
  const runs = bundles.map(() => ({ wall: [] as number[], cpu: [] as number[], mapping: [] as number[] }));
  // The Lambda runs with NODE_OPTIONS=--enable-source-maps (portal-function.ts): so does the probe.
  const env = { ...process.env, NODE_OPTIONS: '--enable-source-maps' };
  for (let i = 0; i < IMPORT_RUNS; i++) {
    for (const [n, { outfile }] of bundles.entries()) {
      const [wall, used, mapped] = execFileSync(process.execPath, ['-e', PROBE, outfile], { env, encoding: 'utf8' }).split(' ').map(Number);
      runs[n]!.wall.push(wall ?? Number.NaN);
      runs[n]!.cpu.push(used ?? Number.NaN);
      runs[n]!.mapping.push(mapped ?? Number.NaN);
    }
  }
  return bundles.map(({ name, kind, outfile }, n) => ({
    name,
    kind,
    bytes: fs.statSync(outfile).size,
    mapBytes: fs.statSync(`${outfile}.map`).size,
    importMs: median(runs[n]!.wall),
    importCpuMs: median(runs[n]!.cpu),
    firstMapMs: median(runs[n]!.mapping),
  }));
}
