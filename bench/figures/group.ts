/**
 * One group of figures of `npm run bench`: it measures, prints one figure a line (stats.ts `figure`),
 * and answers its targets; bench.ts runs the groups in order and prints every verdict at the end.
 * A new group is a module beside this one, added to the list in bench.ts.
 */
import type { BenchStack } from '../stack';
import type { Target } from '../stats';

export interface FigureGroup {
  readonly name: string;
  /**
   * `stack`: runs against the bench's own local stack; `alone`: after the stack has stopped, so that
   * nothing else takes the CPU (cold imports).
   */
  readonly needs: 'stack' | 'alone';
  run(bench: BenchStack | undefined): Promise<Target[]>;
}
