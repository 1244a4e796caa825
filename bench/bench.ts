/**
 * `npm run bench`: one run against a stack of its own (fresh, free ports), one figure a line, then a
 * PASS/FAIL line per target (`npm run bench -- <words>`: only the groups whose names contain one). Exits non-zero when a target is missed. Each group of figures is a
 * module of bench/figures/ (a new one goes into GROUPS); method and past runs: docs/benchmark.md.
 */
import { adminToken } from '../test/integration/support/stack';
import { applyFigures } from './figures/apply';
import { bundleFigures } from './figures/bundles';
import type { FigureGroup } from './figures/group';
import { hostileBodyFigures } from './figures/hostile';
import { portalPageFigures } from './figures/portal-page';
import { publishingFigures } from './figures/publishing';
import { startBenchStack } from './stack';
import { figure, machine, now, timed, verdicts, type Target } from './stats';

/** In order: the stack's groups, then those that want the machine to themselves. */
const ALL: readonly FigureGroup[] = [portalPageFigures, applyFigures, publishingFigures, hostileBodyFigures, bundleFigures];
/** `npm run bench -- portal apply`: only the groups whose names contain one of the words. */
const only = process.argv.slice(2);
const GROUPS = only.length === 0 ? ALL : ALL.filter((g) => only.some((word) => g.name.includes(word)));

async function main(): Promise<number> {
  console.log(`machine: ${machine()}`);
  const started = now();
  const targets: Target[] = [];
  const { result: bench, ms: startMs } = await timed(() => startBenchStack('bench'));
  try {
    figure('stack start', startMs / 1000, 's');
    await adminToken();
    for (const group of GROUPS.filter((g) => g.needs === 'stack')) targets.push(...(await group.run(bench)));
  } finally {
    await bench.stop();
  }
  for (const group of GROUPS.filter((g) => g.needs === 'alone')) targets.push(...(await group.run(undefined)));
  figure('bench total', (now() - started) / 1000, 's');
  return verdicts(targets) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
