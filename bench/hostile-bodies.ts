/**
 * The cost of the worst bodies the API lets in (≤ 256 KiB): each is sent a few times, one at a time,
 * to the public invitation route and to a staff route, and must be answered 400; the figure is the
 * slowest answer over HTTP (local server, real handler), whatever the shape.
 */
import { api } from '../test/integration/support/stack';
import { now } from './stats';

const MAX_BODY = 256 * 1024;
const ROUNDS = 5;

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const objects31 = `${'{"k":'.repeat(30)}{}${'}'.repeat(30)}`;

/** Bodies of at most 256 KiB, each the worst of its kind for one step of the parsing. */
export const HOSTILE_BODIES: Record<string, string> = {
  'nested 4,000 levels': nested(4_000),
  'nested 100,000 levels': nested(100_000),
  'unclosed 256 KiB of [': '['.repeat(MAX_BODY),
  '31-level objects side by side': `[${Array(Math.floor((MAX_BODY - 2) / (objects31.length + 1))).fill(objects31).join(',')}]`,
  '130,000 numbers': `[${Array(130_000).fill('0').join(',')}]`,
  '20,000 unknown keys': JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 1]))),
};

export interface HostileResult {
  /** The slowest answer of all, in ms. */
  readonly worstMs: number;
  readonly worstBody: string;
  /** Answers that were not 400. */
  readonly unexpected: string[];
}

export async function measureHostileBodies(adminToken: string, companyId: string): Promise<HostileResult> {
  const routes = [
    { name: 'POST /invitations/accept', path: '/invitations/accept', method: 'POST', token: undefined },
    { name: 'PUT /documents/{type}/{id}', path: '/documents/invoice/bench-hostile', method: 'PUT', token: adminToken },
    { name: 'POST /contacts/{id}/portal-access', path: `/contacts/${companyId}/portal-access`, method: 'POST', token: adminToken },
  ];
  let worstMs = 0;
  let worstBody = '';
  const unexpected: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, body] of Object.entries(HOSTILE_BODIES)) {
      if (Buffer.byteLength(body) > MAX_BODY) throw new Error(`${label} is over 256 KiB`);
      for (const route of routes) {
        const started = now();
        const res = await api(route.path, { method: route.method, rawBody: body, contentType: 'application/json', ...(route.token ? { token: route.token } : {}) });
        const ms = now() - started;
        if (res.status !== 400) unexpected.push(`${route.name} ${label}: ${res.status}`);
        if (ms > worstMs) [worstMs, worstBody] = [ms, `${route.name}, ${label}`];
      }
    }
  }
  return { worstMs, worstBody, unexpected };
}
