/** A plain-JSON stand-in for the listings' sealed cursors: the scope and position in the clear, refused if the scope or the parts differ. */
import type { PositionCursors } from '../../lambdas/domain/access-report';

export const jsonCursors: PositionCursors = {
  encode: (scope, position) => JSON.stringify({ scope, position }),
  decode(cursor, scope, parts) {
    if (cursor === undefined) return undefined;
    const parsed = JSON.parse(cursor) as { scope: string; position: Record<string, string> };
    if (parsed.scope !== scope || Object.keys(parsed.position).some((k) => !parts.includes(k))) throw new Error('bad cursor');
    return parsed.position;
  },
};
