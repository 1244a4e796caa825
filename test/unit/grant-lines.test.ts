/**
 * A wizard line that grants, as staff read its answer: each refusal word for word on its path, a
 * re-grant after a revocation or an end, an email given on the line becoming the contact's, and a
 * contact in the portal whose invitation never went out queued again (or not, while it may still go).
 */
import { OUTBOX_ABANDONED_AFTER_MS } from '../../lambdas/contract/outbox';
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import { EMAIL_IN_USE } from '../../lambdas/domain/portal-access/grant';
import type { LineResult } from '../../lambdas/domain/portal-access/lines';
import type { PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryAccess } from './portal-access.fakes';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const PAST = '2026-02-01T00:00:00.000Z';
let access: MemoryAccess;
let deps: PortalAccessDeps;
let clock: Date;

beforeEach(() => {
  access = new MemoryAccess();
  clock = NOW;
  let ids = 0;
  deps = { contacts: access.contactStore, store: access, now: () => clock, config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: () => undefined };
});

type Line = { contactId: string; inPortal: boolean; email?: string; until?: string | null };
const apply = (wizardId: string, lines: Line[]) => applyPortalAccess(deps, wizardId, { lines }, 'staff:alice');
const refusal = (line: LineResult | undefined) => {
  const { status, problem } = toProblem(line?.error);
  return { status, detail: problem.detail, errors: problem.errors };
};

describe('refusals, word for word', () => {
  it('an archived contact: 409', async () => {
    access.add({ id: 'solo', email: 'solo@example.com', archived: true });
    const [line] = await apply('solo', [{ contactId: 'solo', inPortal: true }]);
    expect(refusal(line)).toMatchObject({ status: 409, detail: 'The contact is archived.' });
  });

  it('no email on the contact nor on the line: 400 on the line’s email', async () => {
    access.add({ id: 'p1' });
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true }]);
    expect(refusal(line)).toMatchObject({ status: 400, errors: [{ path: 'lines.0.email', message: 'The contact has no email; give one on the line.' }] });
  });

  it('an access whose end is past, re-granted without a new end: 400 on the line’s until, saying how', async () => {
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'expired', until: PAST } });
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true }]);
    expect(refusal(line)).toMatchObject({
      status: 400,
      errors: [{ path: 'lines.0.until', message: `The access ended at ${PAST}; give a new until in the future, or null for none.` }],
    });
  });

  it("a live login under another email: 409 saying how to move it", async () => {
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'active' }, login: { email: 'p1@example.com', username: 'u1', sub: 's1' } });
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true, email: 'new@example.com' }]);
    expect(refusal(line)).toMatchObject({ status: 409, detail: "The contact's portal login has another email; change the contact's email (PATCH) to move the login." });
  });

  it("another live contact's login email: 409", async () => {
    access.add({ id: 'other', email: 'taken@example.com', portal: { status: 'active' }, login: { email: 'taken@example.com', username: 'u0', sub: 's0' } });
    access.guards.set('taken@example.com', 'other');
    access.add({ id: 'p1', email: 'taken@example.com' });
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true }]);
    expect(refusal(line)).toMatchObject({ status: 409, detail: EMAIL_IN_USE });
    expect(EMAIL_IN_USE).toBe("The email is another contact's portal login.");
  });
});

describe('a grant that goes through', () => {
  it.each([
    ['revoked', 'regranted', 'portal.regranted'],
    ['none', 'granted', 'portal.granted'],
  ] as const)('after %s: %s, audited as %s', async (status, outcome, action) => {
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status } });
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true }]);
    expect(line).toEqual({ contactId: 'p1', outcome, status: 'invited' });
    expect(access.audit.map((a) => a.action)).toEqual([action]);
  });

  it('an email given on the line becomes the contact’s email; the same email given again changes nothing else', async () => {
    access.add({ id: 'p1', email: 'old@example.com' });
    await apply('p1', [{ contactId: 'p1', inPortal: true, email: 'new@example.com' }]);
    expect(access.contact('p1')).toMatchObject({ email: 'new@example.com', login: { email: 'new@example.com' } });
    access.add({ id: 'p2', email: 'same@example.com' });
    await apply('p2', [{ contactId: 'p2', inPortal: true, email: 'same@example.com' }]);
    expect(access.contact('p2').email).toBe('same@example.com');
  });
});

describe('a contact in the portal whose invitation has not gone out', () => {
  const queued = (outboxAt: string, delivery: 'queued' | 'failed' = 'queued') =>
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'invited', invitedAt: PAST, delivery }, login: { email: 'p1@example.com' } as never, outbox: { id: 'o-old', kind: 'invitation', at: outboxAt } });

  it('while its item may still be handled: unchanged, nothing queued', async () => {
    queued(new Date(NOW.getTime() - OUTBOX_ABANDONED_AFTER_MS).toISOString());
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true }]);
    expect(line).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'invited' });
    expect(access.pending).toEqual([]);
  });

  it.each([
    ['its item abandoned', () => queued(new Date(NOW.getTime() - OUTBOX_ABANDONED_AFTER_MS - 1).toISOString())],
    ['its email refused', () => queued(NOW.toISOString(), 'failed')],
  ])('%s: queued again (granted)', async (_, setUp) => {
    setUp();
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true }]);
    expect(line).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(access.pending).toHaveLength(1);
    expect(access.contact('p1').portal.delivery).toBe('queued');
  });
});

describe('a contact in the portal, a line changing one setting only', () => {
  it.each([
    ['its end', { until: '2026-06-01T00:00:00.000Z' }, { scope: 'company', types: 'all', until: '2026-06-01T00:00:00.000Z' }],
    ['its scope', { scope: 'own' as const }, { scope: 'own', types: 'all', until: null }],
  ])('%s: updated, audited from and to', async (_, change, to) => {
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'active', activatedAt: PAST }, login: { email: 'p1@example.com', username: 'u1', sub: 's1' } });
    const [line] = await applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true, ...change }] }, 'staff:alice');
    expect(line).toEqual({ contactId: 'p1', outcome: 'updated', status: 'active' });
    expect(access.audit).toEqual([
      { at: NOW.toISOString(), actor: 'staff:alice', action: 'portal.updated', contactId: 'p1', details: { from: { scope: 'company', types: 'all', until: null }, to } },
    ]);
  });
});
