/**
 * What staff read in an explanation (`GET /contacts/{id}/portal-access/explain`): each blocker's
 * detail, word for word, and the end of an explicit grant's route when the access ends first or last.
 */
import { explain } from '../../lambdas/domain/access-policy';
import type { ContactRecord } from '../../lambdas/domain/contact-record';

const NOW = new Date('2026-11-10T12:00:00.000Z');
const EARLIER = '2026-11-09T00:00:00.000Z';
const SOON = '2026-11-20T00:00:00.000Z';
const LATER = '2026-12-20T00:00:00.000Z';

const viewer = (portal: ContactRecord['portal'], over: Partial<ContactRecord> = {}) => ({ id: 'p1', companyId: 'E', archived: false, portal, ...over });
const invoice = { type: 'invoice' as const, customerId: 'p1' };
const details = (explanation: { blockers: { kind: string; detail: string }[] }) => explanation.blockers.map((b) => `${b.kind}: ${b.detail}`);

describe("an access's blocker, in words", () => {
  it.each([
    ['none', { status: 'none' }, 'no_access: The contact has no portal access.'],
    ['invited', { status: 'invited', invitedAt: EARLIER }, 'invitation_pending: The contact has not accepted its invitation yet.'],
    ['revoked, with its instant', { status: 'revoked', revokedAt: EARLIER }, `revoked: The portal access was revoked at ${EARLIER}.`],
    ['revoked, instant unknown', { status: 'revoked' }, 'revoked: The portal access was revoked.'],
    ['past its end', { status: 'active', until: EARLIER }, `expired: The portal access ended at ${EARLIER}.`],
    ['marked expired, end unknown', { status: 'expired' }, 'expired: The portal access ended at its end date.'],
  ] as [string, ContactRecord['portal'], string][])('%s', (_, portal, detail) => {
    expect(details(explain({ viewer: viewer(portal), document: invoice, grant: undefined, now: NOW }))).toEqual([detail]);
  });

  it('an active access has none; an archived contact says so', () => {
    expect(explain({ viewer: viewer({ status: 'active' }), document: invoice, grant: undefined, now: NOW })).toEqual({
      visible: true,
      reasons: [{ kind: 'customer' }],
      blockers: [],
    });
    expect(details(explain({ viewer: viewer({ status: 'active' }, { archived: true }), document: invoice, grant: undefined, now: NOW }))).toEqual([
      'archived: The contact is archived.',
    ]);
  });
});

describe("a route's blocker, in words", () => {
  it('a type outside the access lists the types it is limited to', () => {
    const limited = viewer({ status: 'active', types: ['invoice', 'task'] });
    expect(details(explain({ viewer: limited, document: { type: 'lead', customerId: 'p1' }, grant: undefined, now: NOW }))).toEqual([
      'type_not_allowed: The access is limited to invoice, task; this is a lead.',
    ]);
  });

  it("another customer's document", () => {
    expect(details(explain({ viewer: viewer({ status: 'active' }), document: { type: 'invoice', customerId: 'X' }, grant: undefined, now: NOW }))).toEqual([
      'other_customer: The document belongs to another customer than the contact or its company.',
    ]);
  });
});

describe("an explicit grant's route ends with whichever ends first, the grant or the access", () => {
  const other = { type: 'invoice' as const, customerId: 'X' };
  it.each([
    ['the grant first', SOON, LATER, SOON],
    ['the access first', LATER, SOON, SOON],
    ['the grant only', SOON, undefined, SOON],
    ['the access only', undefined, SOON, SOON],
  ])('%s', (_, grantUntil, accessUntil, until) => {
    const explanation = explain({
      viewer: viewer({ status: 'active', ...(accessUntil ? { until: accessUntil } : {}) }),
      document: other,
      grant: { ...(grantUntil ? { until: grantUntil } : {}), grantedBy: 'staff:ann' },
      now: NOW,
    });
    expect(explanation.reasons).toEqual([{ kind: 'grant', until, grantedBy: 'staff:ann' }]);
    expect(explanation.visible).toBe(true);
  });
});
