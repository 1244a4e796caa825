/** The worst bodies of at most 256 KiB: each answered 400; the figure is the slowest answer over HTTP. */
import { adminToken } from '../../test/integration/support/stack';
import { measureHostileBodies } from '../hostile-bodies';
import { createContact } from '../portal-users';
import { figure } from '../stats';
import type { FigureGroup } from './group';

const TARGET_MS = 500;

export const hostileBodyFigures: FigureGroup = {
  name: 'hostile bodies',
  needs: 'stack',
  async run() {
    const company = await createContact({ kind: 'company', name: 'Bench hostile bodies' });
    const hostile = await measureHostileBodies(await adminToken(), company.id);
    figure('worst 256 KiB body answered (HTTP, slowest of all)', hostile.worstMs, 'ms');
    console.log(`worst 256 KiB body: ${hostile.worstBody}; answers other than 400: ${hostile.unexpected.length ? hostile.unexpected.join(', ') : 'none'}`);
    return [
      {
        name: `every hostile body ≤ 256 KiB answered 400 in ≤ ${TARGET_MS} ms`,
        pass: hostile.unexpected.length === 0 && hostile.worstMs <= TARGET_MS,
        detail: `${hostile.worstMs.toFixed(1)} ms (${hostile.worstBody}), ${hostile.unexpected.length} other answers`,
      },
    ];
  },
};
