/**
 * The wizard's apply as staff read its answer line by line, and the company's history entry: a
 * contact on two lines, an email or an end that cannot be, a request already out of time, a line
 * failing on a dependency, a company apply with and without a message, partly unchanged, and one
 * whose history entry cannot be written.
 */
import { applyPortalAccess } from '../../lambdas/domain/portal-access/apply';
import type { LineResult } from '../../lambdas/domain/portal-access/lines';
import type { PortalAccessDeps } from '../../lambdas/domain/portal-access/ports';
import { toProblem } from '../../lambdas/http-kit/problem';
import { MemoryAccess } from './portal-access.fakes';

const NOW = new Date('2026-03-01T10:00:00.000Z');
let access: MemoryAccess;
let deps: PortalAccessDeps;
let warnings: unknown[][];

beforeEach(() => {
  access = new MemoryAccess();
  warnings = [];
  let ids = 0;
  deps = { contacts: access.contactStore, store: access, now: () => NOW, config: { applyConcurrency: 4 }, newId: () => `o-${++ids}`, warn: (...args: unknown[]) => void warnings.push(args) };
});

type Line = { contactId: string; inPortal: boolean; email?: string; until?: string | null };
const apply = (wizardId: string, lines: Line[], message?: string, signal?: AbortSignal) =>
  applyPortalAccess(deps, wizardId, { lines, ...(message === undefined ? {} : { message }) }, 'staff:alice', signal);
const refusal = (line: LineResult | undefined) => {
  const { status, problem } = toProblem(line?.error);
  return { status, detail: problem.detail, errors: problem.errors };
};
const applied = () => access.audit.filter((a) => a.action === 'portal.applied');

describe('a line refused, word for word on its path', () => {
  it('a contact on a second line: 400 on that line’s contactId, status none; the first line goes through', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const [first, second] = await apply('p1', [
      { contactId: 'p1', inPortal: true },
      { contactId: 'p1', inPortal: false },
    ]);
    expect(first).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(second).toMatchObject({ contactId: 'p1', outcome: 'failed', status: 'none' });
    expect(refusal(second)).toMatchObject({ status: 400, errors: [{ path: 'lines.1.contactId', message: 'This contact appears on an earlier line.' }] });
  });

  it('a contactId that is no id (too long, half a surrogate pair, a slash) is outside the wizard: 404, never read as a key, echoed as its first 128 characters', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const read = jest.spyOn(access.contactStore, 'getMany');
    const ids = ['x'.repeat(100_000), 'a\ud800b', '../p1', ''];
    const results = await apply('p1', [...ids.map((contactId) => ({ contactId, inPortal: true })), { contactId: 'p1', inPortal: true }]);
    expect(read.mock.calls.flatMap(([wanted]) => wanted)).toEqual(['p1']);
    expect(results.map((line) => line.contactId)).toEqual(['x'.repeat(128), 'a\ufffdb', '../p1', '', 'p1']);
    expect(results.slice(0, -1).map((line) => [line.outcome, refusal(line).status])).toEqual(ids.map(() => ['failed', 404]));
    expect(results.at(-1)).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
  });

  it('an email that is no address: 400 on the line’s email', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true, email: 'not an address' }]);
    expect(refusal(line)).toMatchObject({ status: 400, errors: [{ path: 'lines.0.email', message: 'The email is not a valid address.' }] });
  });

  it('an end that has come (now) or passed: 400 on the line’s until; a later one and none at all are granted', async () => {
    access.add({ id: 'p1', email: 'p1@example.com' });
    for (const until of [NOW.toISOString(), '2026-02-01T00:00:00.000Z']) {
      const [line] = await apply('p1', [{ contactId: 'p1', inPortal: true, until }]);
      expect(refusal(line)).toMatchObject({ status: 400, errors: [{ path: 'lines.0.until', message: 'until must be in the future (or null for no end).' }] });
    }
    expect(access.contact('p1').portal.status).toBe('none');
    const [granted] = await apply('p1', [{ contactId: 'p1', inPortal: true, until: null }]);
    expect(granted).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    access.add({ id: 'p2', email: 'p2@example.com' });
    const [later] = await apply('p2', [{ contactId: 'p2', inPortal: true, until: new Date(NOW.getTime() + 1).toISOString() }]);
    expect(later?.outcome).toBe('granted');
  });

  it("a request out of time before a line starts: 503, nothing written; the company's history says to repeat it", async () => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
    const [line] = await apply('co', [{ contactId: 'p1', inPortal: true }], undefined, AbortSignal.abort());
    expect(line).toMatchObject({ outcome: 'failed', status: 'none' });
    expect(refusal(line).status).toBe(503);
    expect(access.contact('p1').portal.status).toBe('none');
    expect(applied()[0]?.details).toEqual({ lines: [{ contactId: 'p1', outcome: 'failed', status: 'none', reason: 'The request ran out of time before this line; repeat it.' }], withMessage: false });
  });
});

describe("a company's apply in its history", () => {
  beforeEach(() => {
    access.add({ id: 'co', kind: 'company', name: 'Co' });
    access.add({ id: 'p1', companyId: 'co', email: 'p1@example.com' });
    access.add({ id: 'p2', companyId: 'co', email: 'p2@example.com' });
  });

  it('a line naming its contact with half a surrogate pair fails alone, and neither its answer nor the history echoes the lone half', async () => {
    const results = await apply('co', [
      { contactId: 'p\ud800', inPortal: true },
      { contactId: '\udc00', inPortal: true },
      { contactId: 'p1', inPortal: true },
    ]);
    expect(results.map((r) => [r?.contactId, r?.outcome])).toEqual([
      ['p\ufffd', 'failed'],
      ['\ufffd', 'failed'],
      ['p1', 'granted'],
    ]);
    expect(refusal(results[0]).status).toBe(404);
    // Stored in DynamoDB (UTF-8) and answered to every reader of the company's page, so never `\ud800`.
    expect(applied()[0]?.details).toEqual({
      lines: [
        { contactId: 'p\ufffd', outcome: 'failed', status: 'none', reason: 'The contact is not in this wizard.' },
        { contactId: '\ufffd', outcome: 'failed', status: 'none', reason: 'The contact is not in this wizard.' },
        { contactId: 'p1', outcome: 'granted', status: 'invited' },
      ],
      withMessage: false,
    });
  });

  it('says whether a message went with it', async () => {
    await apply('co', [{ contactId: 'p1', inPortal: true }]);
    expect(applied()).toEqual([expect.objectContaining({ details: expect.objectContaining({ withMessage: false }) })]);
  });

  it('is written when some lines changed and others did not', async () => {
    await apply('co', [{ contactId: 'p1', inPortal: true }]);
    await apply('co', [
      { contactId: 'p1', inPortal: true },
      { contactId: 'p2', inPortal: true },
    ]);
    expect(applied()).toHaveLength(2);
    expect(applied()[1]?.details).toEqual({
      lines: [
        { contactId: 'p1', outcome: 'unchanged', status: 'invited' },
        { contactId: 'p2', outcome: 'granted', status: 'invited' },
      ],
      withMessage: false,
    });
  });

  it('names a line that failed on a dependency in words of ours, not the dependency’s', async () => {
    const claim = access.claimLogin.bind(access);
    access.claimLogin = async (input) => (input.contact.id === 'p2' ? Promise.reject(new Error('socket hang up at 10.0.0.7')) : claim(input));
    const [, failed] = await apply('co', [
      { contactId: 'p1', inPortal: true },
      { contactId: 'p2', inPortal: true },
    ]);
    expect(failed).toMatchObject({ outcome: 'failed', status: 'none' });
    expect(applied()[0]?.details).toMatchObject({
      lines: [expect.anything(), { contactId: 'p2', outcome: 'failed', status: 'none', reason: 'A dependency was unavailable; repeating the apply completes the line.' }],
    });
  });

  it('an entry that cannot be written is logged; the lines stand and are answered', async () => {
    const record = access.recordAudit.bind(access);
    access.recordAudit = async (entry) => (entry.action === 'portal.applied' ? Promise.reject(new Error('table unavailable')) : record(entry));
    const [line] = await apply('co', [{ contactId: 'p1', inPortal: true }]);
    expect(line).toEqual({ contactId: 'p1', outcome: 'granted', status: 'invited' });
    expect(access.contact('p1').portal.status).toBe('invited');
    expect(warnings).toEqual([['company apply not audited', { contactId: 'co', error: expect.objectContaining({ message: 'table unavailable' }) }]]);
  });
});

describe('a contact in the portal, a line changing its document types only', () => {
  it('is updated and audited from and to; the same types again (in another order) are unchanged', async () => {
    access.add({ id: 'p1', email: 'p1@example.com', portal: { status: 'active', activatedAt: '2026-02-01T00:00:00.000Z', types: ['invoice'] }, login: { email: 'p1@example.com', username: 'u1', sub: 's1' } });
    const change = (types: ('invoice' | 'ticket')[]) => applyPortalAccess(deps, 'p1', { lines: [{ contactId: 'p1', inPortal: true, types }] }, 'staff:alice');
    expect((await change(['invoice', 'ticket']))[0]).toEqual({ contactId: 'p1', outcome: 'updated', status: 'active' });
    expect(access.audit.at(-1)).toMatchObject({ action: 'portal.updated', details: { from: { types: ['invoice'] }, to: { types: ['invoice', 'ticket'] } } });
    expect((await change(['ticket', 'invoice']))[0]).toEqual({ contactId: 'p1', outcome: 'unchanged', status: 'active' });
    expect(access.audit).toHaveLength(1);
  });
});
