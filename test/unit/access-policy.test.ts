/**
 * The one decision (lambdas/domain/access-policy.ts): every reason, every blocker, and the exact
 * boundaries of `until` — at `until − 1 ms` allowed, at `until` refused — for access and grants.
 */
import { DOCUMENT_TYPES } from '../../lambdas/contract/document-types';
import { accessActive, explain, hasEnded, implicitCustomers, portalStatusAt } from '../../lambdas/domain/access-policy';
import { portalView, type ContactRecord } from '../../lambdas/domain/contact-record';

const NOW = new Date('2026-11-10T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function person(id: string, over: Partial<ContactRecord> = {}, portal: Partial<ContactRecord['portal']> = {}): ContactRecord {
  return {
    id,
    kind: 'person',
    name: id,
    archived: false,
    portal: { status: 'active', ...portal },
    version: 1,
    createdAt: at(-1e9),
    updatedAt: at(-1e9),
    ...over,
  };
}

const P = person('p', { companyId: 'e' });
const doc = (customerId: string, type: (typeof DOCUMENT_TYPES)[number] = 'invoice') => ({ customerId, type });
const kinds = (e: { reasons: { kind: string }[] }) => e.reasons.map((r) => r.kind);
const blockers = (e: { blockers: { kind: string }[] }) => e.blockers.map((b) => b.kind);

describe('reasons', () => {
  test('customer: the document is the person’s own', () => {
    const e = explain({ viewer: P, document: doc('p'), grant: undefined, now: NOW });
    expect(e).toEqual({ visible: true, reasons: [{ kind: 'customer' }], blockers: [] });
  });

  test('company: the document is its company’s (scope company, the default)', () => {
    expect(explain({ viewer: P, document: doc('e'), grant: undefined, now: NOW })).toEqual({ visible: true, reasons: [{ kind: 'company' }], blockers: [] });
  });

  test('grant: with who gave it, when, and until when it counts (the earlier of its end and the access’s)', () => {
    const grant = { until: at(5000), grantedBy: 'staff:ann', grantedAt: at(-5000) };
    expect(explain({ viewer: P, document: doc('x'), grant, now: NOW })).toEqual({
      visible: true,
      reasons: [{ kind: 'grant', until: at(5000), grantedBy: 'staff:ann', grantedAt: at(-5000) }],
      blockers: [{ kind: 'other_customer', detail: expect.any(String) }],
    });
    const bounded = person('p', { companyId: 'e' }, { until: at(1000) });
    expect(explain({ viewer: bounded, document: doc('x'), grant, now: NOW }).reasons).toEqual([{ kind: 'grant', until: at(1000), grantedBy: 'staff:ann', grantedAt: at(-5000) }]);
  });

  test('every reason at once: a company document also granted explicitly', () => {
    const e = explain({ viewer: P, document: doc('e'), grant: { grantedBy: 'staff:ann' }, now: NOW });
    expect(kinds(e)).toEqual(['company', 'grant']);
    expect(e.visible).toBe(true);
  });

  test('the access’s own end is on the implicit reasons', () => {
    const bounded = person('p', { companyId: 'e' }, { until: at(1) });
    expect(explain({ viewer: bounded, document: doc('p'), grant: undefined, now: NOW }).reasons).toEqual([{ kind: 'customer', until: at(1) }]);
  });

  test('a company with portal access is its own commercial entity: its documents are its own', () => {
    const company = person('e', { kind: 'company' });
    expect(implicitCustomers(company)).toEqual(['e']);
    expect(kinds(explain({ viewer: company, document: doc('e'), grant: undefined, now: NOW }))).toEqual(['customer']);
  });
});

describe('blockers', () => {
  test.each([
    ['none', 'no_access'],
    ['invited', 'invitation_pending'],
    ['revoked', 'revoked'],
    ['expired', 'expired'],
  ] as const)('status %s: %s, not visible, the reasons still shown', (status, kind) => {
    const e = explain({ viewer: person('p', { companyId: 'e' }, { status }), document: doc('e'), grant: undefined, now: NOW });
    expect(e.visible).toBe(false);
    expect(blockers(e)).toEqual([kind]);
    expect(kinds(e)).toEqual(['company']);
  });

  test('archived: blocks whatever the status says', () => {
    const e = explain({ viewer: person('p', { archived: true }), document: doc('p'), grant: undefined, now: NOW });
    expect(e).toMatchObject({ visible: false, blockers: [{ kind: 'archived' }] });
  });

  test('scope own: the company’s documents are closed, the person’s own are not', () => {
    const own = person('p', { companyId: 'e' }, { scope: 'own' });
    expect(explain({ viewer: own, document: doc('e'), grant: undefined, now: NOW })).toMatchObject({ visible: false, reasons: [], blockers: [{ kind: 'scope_own' }] });
    expect(explain({ viewer: own, document: doc('p'), grant: undefined, now: NOW }).visible).toBe(true);
    expect(implicitCustomers(own)).toEqual(['p']);
  });

  test('types: a type not allowed closes the implicit routes (own and company), never an explicit grant', () => {
    const invoicesOnly = person('p', { companyId: 'e' }, { types: ['invoice'] });
    for (const customer of ['e', 'p'])
      expect(explain({ viewer: invoicesOnly, document: doc(customer, 'task'), grant: undefined, now: NOW })).toMatchObject({ visible: false, blockers: [{ kind: 'type_not_allowed' }] });
    expect(explain({ viewer: invoicesOnly, document: doc('e', 'invoice'), grant: undefined, now: NOW }).visible).toBe(true);
    const granted = explain({ viewer: invoicesOnly, document: doc('e', 'task'), grant: {}, now: NOW });
    expect(granted).toMatchObject({ visible: true, reasons: [{ kind: 'grant' }], blockers: [{ kind: 'type_not_allowed' }] });
  });

  test('scope own and a type not allowed: both are named', () => {
    const narrow = person('p', { companyId: 'e' }, { scope: 'own', types: ['lead'] });
    expect(blockers(explain({ viewer: narrow, document: doc('e', 'task'), grant: undefined, now: NOW }))).toEqual(['scope_own', 'type_not_allowed']);
  });

  test('other customer: neither the person nor its company', () => {
    expect(explain({ viewer: P, document: doc('x'), grant: undefined, now: NOW })).toMatchObject({ visible: false, reasons: [], blockers: [{ kind: 'other_customer' }] });
  });

  test('grant expired: it no longer counts', () => {
    const e = explain({ viewer: P, document: doc('x'), grant: { until: at(0) }, now: NOW });
    expect(e.visible).toBe(false);
    expect(blockers(e)).toEqual(['other_customer', 'grant_expired']);
  });

  test('document missing: nothing else to say about it, beside the access’s own blockers', () => {
    expect(explain({ viewer: P, document: undefined, grant: undefined, now: NOW })).toEqual({ visible: false, reasons: [], blockers: [{ kind: 'document_missing', detail: 'No such document.' }] });
    expect(blockers(explain({ viewer: person('p', {}, { status: 'revoked' }), document: undefined, grant: undefined, now: NOW }))).toEqual(['revoked', 'document_missing']);
  });

  test('every blocker has a detail a person can read', () => {
    const e = explain({ viewer: person('p', { companyId: 'e', archived: true }, { status: 'expired', scope: 'own', types: ['lead'], until: at(-1) }), document: doc('e', 'task'), grant: { until: at(-1) }, now: NOW });
    expect(blockers(e)).toEqual(['archived', 'expired', 'scope_own', 'type_not_allowed', 'grant_expired']);
    for (const b of e.blockers) expect(b.detail.length).toBeGreaterThan(10);
  });
});

describe('the boundary at until', () => {
  test('access: at until − 1 ms active and visible, at until expired and refused (job or no job)', () => {
    const viewer = person('p', { companyId: 'e' }, { until: NOW.toISOString() });
    const before = new Date(NOW.getTime() - 1);
    expect(portalStatusAt(viewer.portal, before)).toBe('active');
    expect(accessActive(viewer, before)).toBe(true);
    expect(explain({ viewer, document: doc('e'), grant: undefined, now: before }).visible).toBe(true);
    expect(portalStatusAt(viewer.portal, NOW)).toBe('expired');
    expect(accessActive(viewer, NOW)).toBe(false);
    expect(explain({ viewer, document: doc('e'), grant: undefined, now: NOW })).toMatchObject({ visible: false, blockers: [{ kind: 'expired' }] });
    // An invitation that was never accepted expires the same way.
    expect(portalStatusAt({ status: 'invited', until: NOW.toISOString() }, NOW)).toBe('expired');
    // A revoked access stays revoked: the end does not turn it into `expired`.
    expect(portalStatusAt({ status: 'revoked', until: at(-1) }, NOW)).toBe('revoked');
  });

  test('grant: at until − 1 ms it counts, at until it does not', () => {
    const grant = { until: NOW.toISOString() };
    expect(explain({ viewer: P, document: doc('x'), grant, now: new Date(NOW.getTime() - 1) }).visible).toBe(true);
    expect(explain({ viewer: P, document: doc('x'), grant, now: NOW }).visible).toBe(false);
    expect(hasEnded(NOW.toISOString(), NOW)).toBe(true);
    expect(hasEnded(at(1), NOW)).toBe(false);
    expect(hasEnded(undefined, NOW)).toBe(false);
  });
});

describe('what the API shows', () => {
  test('the status reads expired from until on; scope and types with their defaults once the contact has had access', () => {
    expect(portalView({ status: 'active', until: NOW.toISOString() }, NOW)).toEqual({ status: 'expired', scope: 'company', types: [...DOCUMENT_TYPES], until: NOW.toISOString() });
    expect(portalView({ status: 'active', scope: 'own', types: ['task', 'invoice'] }, NOW)).toEqual({ status: 'active', scope: 'own', types: ['invoice', 'task'] });
    expect(portalView({ status: 'none' }, NOW)).toEqual({ status: 'none' });
  });
});
