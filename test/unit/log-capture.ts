/**
 * The log lines (and EMF metric lines) the code under test writes to stdout and stderr, parsed:
 * platform/log.ts and platform/metrics.ts write there directly, as in Lambda.
 */
export interface Captured {
  /** Every JSON line, in order. */
  readonly lines: Record<string, unknown>[];
  /** The log lines of one level (`INFO`, `WARN`, `ERROR`). */
  level(level: string): Record<string, unknown>[];
  /** The EMF lines' metric values by name. */
  metrics(name: string): number[];
  restore(): void;
}

export function captureLogs(): Captured {
  const lines: Record<string, unknown>[] = [];
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'DEBUG';
  const keep = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not ours
      }
    }
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(keep as typeof process.stdout.write);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(keep as typeof process.stderr.write);
  return {
    lines,
    level: (level) => lines.filter((l) => l.level === level),
    metrics: (name) => lines.filter((l) => '_aws' in l && name in l).map((l) => Number(l[name])),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    },
  };
}
