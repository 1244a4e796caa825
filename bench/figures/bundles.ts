/** Each Lambda bundle's size and cold import (bench/bundles.ts), measured after the stack stopped. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureBundles } from '../bundles';
import { figure } from '../stats';
import type { FigureGroup } from './group';

const TARGET = { bytes: 500 * 1024, importMs: 150 };

export const bundleFigures: FigureGroup = {
  name: 'bundles',
  needs: 'alone',
  async run() {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bundles-'));
    const bundles = await measureBundles(outDir);
    fs.rmSync(outDir, { recursive: true, force: true });
    for (const b of bundles) {
      figure(`bundle ${b.name} size`, b.bytes / 1024, 'KB');
      figure(`bundle ${b.name} cold import`, b.importMs, 'ms');
      figure(`bundle ${b.name} cold import CPU`, b.importCpuMs, 'ms');
    }
    return [
      ...bundles.map((b) => ({ name: `bundle ${b.name} ≤ 500 KB`, pass: b.bytes <= TARGET.bytes, detail: `${(b.bytes / 1024).toFixed(1)} KB` })),
      ...bundles.map((b) => ({ name: `bundle ${b.name} cold import ≤ 150 ms`, pass: b.importMs <= TARGET.importMs, detail: `${b.importMs.toFixed(1)} ms` })),
    ];
  },
};
