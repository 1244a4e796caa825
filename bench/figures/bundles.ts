/**
 * Each Lambda bundle's size and cold import (bench/bundles.ts), measured after the stack stopped.
 * Targets (issue 12 part 4) for every HTTP-facing bundle: ≤ 350 KB minified, cold `require` ≤ 100 ms
 * (median of fresh `node` processes, wall clock). The background functions' figures are printed
 * beside them, without a target (no request waits for their cold start).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureBundles } from '../bundles';
import { figure, load, type Target } from '../stats';
import type { FigureGroup } from './group';

const TARGET = { kb: 350, importMs: 100 };

export const bundleFigures: FigureGroup = {
  name: 'bundles',
  needs: 'alone',
  async run() {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bundles-'));
    console.log(`bundles: measured at ${load()}`);
    const bundles = await measureBundles(outDir);
    fs.rmSync(outDir, { recursive: true, force: true });
    const targets: Target[] = [];
    for (const b of bundles) {
      figure(`bundle ${b.name} size`, b.bytes / 1024, 'KB');
      figure(`bundle ${b.name} source map (own code only)`, b.mapBytes / 1024, 'KB');
      figure(`bundle ${b.name} cold import`, b.importMs, 'ms');
      figure(`bundle ${b.name} cold import CPU`, b.importCpuMs, 'ms');
      figure(`bundle ${b.name} first use of its source map`, b.firstMapMs, 'ms');
      if (b.kind !== 'http') continue;
      targets.push(
        { name: `bundle ${b.name} ≤ ${TARGET.kb} KB`, pass: b.bytes <= TARGET.kb * 1024, detail: `${(b.bytes / 1024).toFixed(1)} KB` },
        {
          name: `bundle ${b.name} cold import ≤ ${TARGET.importMs} ms`,
          pass: b.importMs <= TARGET.importMs,
          detail: `${b.importMs.toFixed(1)} ms wall (CPU ${b.importCpuMs.toFixed(1)} ms), ${load()}`,
        },
      );
    }
    console.log(`bundles: done at ${load()}`);
    return targets;
  },
};
