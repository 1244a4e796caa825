/**
 * A Lambda bundle's source map reduced to the project's own code. With `--enable-source-maps` Node
 * reads and parses a bundle's whole map when it loads the bundle, and decodes all its mappings on the
 * first stack trace through it; node_modules (the SDK, zod, middy) are four fifths of the map: here
 * ~30 ms more CPU for the `require` and ~100 ms more for the first error's stack (documents bundle,
 * docs/benchmark.md), for frames nobody debugs.
 * Every segment whose source is under node_modules becomes an unmapped one (a segment of one field:
 * "no source here", so a frame in the SDK shows its bundle position instead of borrowing the previous
 * own line), runs of them collapse into one, and those sources and names leave the map.
 * No dependencies: it runs in the CDK's bundling hook (lib/constructs/portal-function.ts) and in the bench.
 */
import * as fs from 'node:fs';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

interface RawSourceMap {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

function decodeSegment(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = B64_VALUE.get(c);
    if (digit === undefined) throw new Error(`not a source map segment: ${text}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeValue(n: number): string {
  let vlq = n < 0 ? -n * 2 + 1 : n * 2;
  let out = '';
  do {
    let digit = vlq % 32;
    vlq = Math.floor(vlq / 32);
    if (vlq > 0) digit |= 32;
    out += B64[digit];
  } while (vlq > 0);
  return out;
}

const fromDependency = (source: string) => /(^|[\\/])node_modules[\\/]/.test(source);

/** The map with only the project's own sources mapped (see above); `keep` decides which sources are own. */
export function ownSourceMap(map: RawSourceMap, keep: (source: string) => boolean = (s) => !fromDependency(s)): RawSourceMap {
  const sourceIndex = new Map<number, number>();
  const sources: string[] = [];
  const sourcesContent: (string | null)[] = [];
  map.sources.forEach((source, i) => {
    if (!keep(source)) return;
    sourceIndex.set(i, sources.length);
    sources.push(source);
    sourcesContent.push(map.sourcesContent?.[i] ?? null);
  });
  const nameIndex = new Map<number, number>();
  const names: string[] = [];

  // Absolute values of the input (source, line, column, name carry over lines) and of the output.
  let [src, line, col, name] = [0, 0, 0, 0];
  let [outSrc, outLine, outCol, outName] = [0, 0, 0, 0];
  const lines = map.mappings.split(';').map((generated) => {
    let genCol = 0;
    let outGenCol = 0;
    let unmapped = false;
    const segments: string[] = [];
    for (const text of generated.split(',')) {
      if (text === '') continue;
      const [dCol = 0, dSrc, dLine, dSrcCol, dName] = decodeSegment(text);
      genCol += dCol;
      let own = false;
      if (dSrc !== undefined) {
        [src, line, col] = [src + dSrc, line + (dLine ?? 0), col + (dSrcCol ?? 0)];
        if (dName !== undefined) name += dName;
        own = sourceIndex.has(src);
      }
      if (!own) {
        // One unmapped segment for a run of dependency (or already unmapped) code.
        if (!unmapped) {
          segments.push(encodeValue(genCol - outGenCol));
          outGenCol = genCol;
        }
        unmapped = true;
        continue;
      }
      unmapped = false;
      const newSrc = sourceIndex.get(src)!;
      let segment = encodeValue(genCol - outGenCol) + encodeValue(newSrc - outSrc) + encodeValue(line - outLine) + encodeValue(col - outCol);
      [outGenCol, outSrc, outLine, outCol] = [genCol, newSrc, line, col];
      if (dName !== undefined) {
        let newName = nameIndex.get(name);
        if (newName === undefined) {
          newName = names.length;
          nameIndex.set(name, newName);
          names.push(map.names[name]!);
        }
        segment += encodeValue(newName - outName);
        outName = newName;
      }
      segments.push(segment);
    }
    return segments.join(',');
  });
  return {
    ...map,
    sources,
    ...(map.sourcesContent ? { sourcesContent } : {}),
    names,
    mappings: lines.join(';'),
  };
}

/** Rewrites a `.map` file in place (the CDK's bundling hook and the bench call this). */
export function trimSourceMapFile(mapFile: string): void {
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as RawSourceMap;
  fs.writeFileSync(mapFile, JSON.stringify(ownSourceMap(map)));
}
