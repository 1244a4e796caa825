/**
 * The audit trail as staff read it (`GET /contacts/{id}/portal-access/audit`), and a lifecycle event
 * that cannot be emitted: logged for the operator, never failing the change it reports.
 */
import { NotFound } from '../../lambdas/contract/errors';
import { listAudit, type AuditPage } from '../../lambdas/domain/audit';
import { emitAccessEvent } from '../../lambdas/domain/portal-access/access-events';
import { toProblem } from '../../lambdas/http-kit/problem';

describe('the audit trail', () => {
  const page: AuditPage = { items: [{ at: '2026-11-10T12:00:00.000Z', actor: 'staff:ann', action: 'portal.granted', contactId: 'p1', details: {} }], nextCursor: 'next' };
  const deps = (exists: boolean) => {
    const reads: unknown[][] = [];
    return { reads, deps: { audit: { list: async (...args: unknown[]) => (reads.push(args), page) }, contactExists: async (id: string) => exists && id === 'p1' } };
  };

  it("of a contact is its store's page, from the cursor, at most limit entries", async () => {
    const { deps: d, reads } = deps(true);
    await expect(listAudit(d, 'p1', 'cursor-1', 25)).resolves.toEqual(page);
    expect(reads).toEqual([['p1', 'cursor-1', 25]]);
  });

  it('of an unknown contact is a 404 "No such contact.", and nothing is read', async () => {
    const { deps: d, reads } = deps(false);
    const error = await listAudit(d, 'p1', undefined, 25).catch((e: unknown) => e);
    expect(error).toEqual(new NotFound('No such contact.'));
    expect(toProblem(error).status).toBe(404);
    expect(reads).toEqual([]);
  });
});

describe('a lifecycle event', () => {
  const detail = { contactId: 'p1', email: 'p1@example.com', at: '2026-11-10T12:00:00.000Z' };

  it('that cannot be emitted is logged with its type, contact and error; the change still succeeds', async () => {
    const warnings: [string, unknown][] = [];
    const down = new Error('bus down');
    await expect(
      emitAccessEvent({ events: { emit: async () => Promise.reject(down) }, warn: (message, context) => void warnings.push([message, context]) }, 'PortalAccessRevoked', detail),
    ).resolves.toBeUndefined();
    expect(warnings).toEqual([['event not emitted', { type: 'PortalAccessRevoked', contactId: 'p1', error: down }]]);
  });

  it('that is emitted logs nothing', async () => {
    const emitted: unknown[] = [];
    const warnings: unknown[] = [];
    await emitAccessEvent({ events: { emit: async (type, d) => void emitted.push([type, d]) }, warn: (m) => void warnings.push(m) }, 'PortalAccessGranted', detail);
    expect(emitted).toEqual([['PortalAccessGranted', detail]]);
    expect(warnings).toEqual([]);
  });
});
