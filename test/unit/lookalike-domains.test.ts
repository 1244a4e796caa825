import { wizardLineOf } from '../../lambdas/domain/portal-access/wizard';
import { isLookalikeDomain, LOOKALIKE_WARNING } from '../../lambdas/domain/lookalike-domains';
import { normaliseEmail } from '../../lambdas/contract/email';

const normalised = (email: string) => normaliseEmail(email) ?? '';

describe('look-alike email domains', () => {
  it.each(['ann@pаypal.com', 'ann@examplе.com', 'ann@mail.gοogle.com', 'ann@аpple.com'])('flags %s (a label mixing Latin with another alphabet)', (email) => {
    expect(isLookalikeDomain(normalised(email))).toBe(true);
  });

  it.each(['ann@example.com', 'ann@bücher.de', 'ann@пример.рф', 'ann@例子.广告', 'ann@xn--abc-def.example'])('does not flag %s', (email) => {
    expect(isLookalikeDomain(normalised(email) || email)).toBe(false);
  });

  it('the wizard line carries the warning; nothing else changes', () => {
    const contact = { id: 'p1', kind: 'person' as const, name: 'Ann', archived: false, portal: { status: 'none' as const }, version: 1, createdAt: 'x', updatedAt: 'x' };
    expect(wizardLineOf({ ...contact, email: normalised('ann@pаypal.com') }, new Date())).toEqual({
      contactId: 'p1',
      name: 'Ann',
      email: 'ann@xn--pypal-4ve.com',
      inPortal: false,
      status: 'none',
      warning: LOOKALIKE_WARNING,
    });
    expect(wizardLineOf({ ...contact, email: 'ann@example.com' }, new Date())).not.toHaveProperty('warning');
  });
});
