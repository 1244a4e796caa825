import path from 'node:path';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { buildSync } from 'esbuild';
import { LAMBDA_BUNDLING } from '../../lib/bundling';
import { ownSourceMap } from '../../lib/source-maps';

const ROOT = path.join(__dirname, '..', '..');

/** A real bundle of ours with a dependency in it (zod), built as the Lambdas are, and its full map. */
function bundleWithMap() {
  const out = buildSync({
    entryPoints: [path.join(ROOT, 'lambdas', 'contract', 'schemas', 'common.ts')],
    bundle: true,
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    platform: 'node',
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    outfile: path.join(ROOT, '.local', 'test-source-maps', 'index.js'),
    write: false,
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = JSON.parse(out.outputFiles.find((f) => f.path.endsWith('.map'))!.text);
  return { js, map };
}

describe('ownSourceMap', () => {
  const { js, map } = bundleWithMap();
  const trimmed = ownSourceMap(map);
  const full = new SourceMap(map);
  const own = new SourceMap(trimmed as unknown as SourceMapPayload);
  const lines = js.split('\n');

  it('keeps only the sources outside node_modules, and far fewer mappings', () => {
    expect(map.sources.some((s: string) => s.includes('node_modules'))).toBe(true);
    expect(trimmed.sources.length).toBeGreaterThan(0);
    expect(trimmed.sources.every((s) => !s.includes('node_modules'))).toBe(true);
    expect(trimmed.sources).toEqual(map.sources.filter((s: string) => !s.includes('node_modules')));
    expect(trimmed.mappings.length).toBeLessThan(map.mappings.length / 2);
  });

  it('maps every position of our code as the full map does, and no position of a dependency to our code', () => {
    let ours = 0;
    let theirs = 0;
    lines.forEach((line, l) => {
      for (let c = 0; c < line.length; c += 3) {
        const before = full.findEntry(l, c) as { originalSource?: string; originalLine?: number; originalColumn?: number; name?: string };
        const after = own.findEntry(l, c) as typeof before;
        if (before.originalSource === undefined) continue;
        if (before.originalSource.includes('node_modules')) {
          theirs += 1;
          // Unmapped (or nothing found) — never a line of ours borrowed for SDK or zod code.
          expect(after.originalSource === undefined || after.originalSource === before.originalSource).toBe(true);
        } else {
          ours += 1;
          expect(after).toEqual(before);
        }
      }
    });
    expect(ours).toBeGreaterThan(50);
    expect(theirs).toBeGreaterThan(500);
  });
});
