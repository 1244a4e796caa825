/** Timing and the one-figure-per-line output of the bench. */
import os from 'node:os';

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = now();
  const result = await work();
  return { result, ms: now() - started };
}

/** Nearest-rank percentile of a non-empty sample. */
export function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const median = (sample: readonly number[]): number => percentile(sample, 50);

/** `name: value unit`, one figure a line. */
export function figure(name: string, value: number, unit: string, digits = 1): void {
  console.log(`${name}: ${value.toFixed(digits)} ${unit}`.trimEnd());
}

export interface Target {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

export function verdicts(targets: readonly Target[]): boolean {
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.detail}`);
  return targets.every((t) => t.pass);
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}

/** The 1-minute load average, for the figures of a shared machine: `load 3.2`. */
export const load = (): string => `load ${os.loadavg()[0]?.toFixed(1) ?? '?'}`;
