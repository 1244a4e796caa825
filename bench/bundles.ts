/**
 * Each Lambda bundle built as the CDK's NodejsFunction builds it (lib/constructs/portal-function.ts:
 * esbuild, bundle, minify, source map, platform node, target node22, the ES module builds first
 * (`mainFields`), the AWS SDK bundled — `bundleAwsSDK: true` leaves no externals — with the
 * credentials alias of lib/bundling.ts), its minified
 * size, and its cold import time: `require` of the bundle in a fresh `node` process, median of a few.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../lib/bundling';
import { FUNCTIONS } from '../lambdas/contract/routes';
import { ROOT } from '../local/options';
import { median } from './stats';

export const ENTRIES: readonly { name: string; entry: string }[] = [
  ...FUNCTIONS.map((fn) => ({ name: fn, entry: `lambdas/http/${fn}.ts` })),
  { name: 'events', entry: 'lambdas/events/handler.ts' },
  { name: 'schedule', entry: 'lambdas/schedule/handler.ts' },
];

const IMPORT_RUNS = 7;

/**
 * Requires the bundle and prints the wall-clock and the CPU milliseconds it took; the process exits
 * right after. CPU time is printed too because on a busy machine the wall clock also counts the time
 * the process waited for a CPU.
 */
const PROBE = `const t = process.hrtime.bigint(); const c = process.cpuUsage(); require(process.argv[1]); const u = process.cpuUsage(c); process.stdout.write(Number(process.hrtime.bigint() - t) / 1e6 + ' ' + (u.user + u.system) / 1000);`;

export interface BundleFigures {
  name: string;
  bytes: number;
  /** Wall clock, median of the runs. */
  importMs: number;
  /** CPU time (user + system), median of the runs. */
  importCpuMs: number;
}

export async function measureBundles(outDir: string): Promise<BundleFigures[]> {
  const figures: BundleFigures[] = [];
  for (const { name, entry } of ENTRIES) {
    const outfile = path.join(outDir, name, 'index.js');
    await build({
      entryPoints: [path.join(ROOT, entry)],
      bundle: true,
      minify: LAMBDA_BUNDLING.minify,
      sourcemap: true,
      platform: 'node',
      target: LAMBDA_BUNDLING.target,
      mainFields: [...LAMBDA_BUNDLING.mainFields],
      alias: { ...LAMBDA_BUNDLING.alias },
      outfile,
      logLevel: 'error',
    });
    const runs: number[] = [];
    const cpu: number[] = [];
    // The Lambda runs with NODE_OPTIONS=--enable-source-maps (portal-function.ts): so does the probe.
    const env = { ...process.env, NODE_OPTIONS: '--enable-source-maps' };
    for (let i = 0; i < IMPORT_RUNS; i++) {
      const [wall, used] = execFileSync(process.execPath, ['-e', PROBE, outfile], { env, encoding: 'utf8' }).split(' ').map(Number);
      runs.push(wall ?? Number.NaN);
      cpu.push(used ?? Number.NaN);
    }
    figures.push({ name, bytes: fs.statSync(outfile).size, importMs: median(runs), importCpuMs: median(cpu) });
  }
  return figures;
}
