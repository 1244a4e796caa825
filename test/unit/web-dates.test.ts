/**
 * A document's `date` as the customer portal and the admin console write it (`strings.date` of
 * each): the calendar day the back office wrote, also for a date-time with an offset (an invoice of
 * 1 January 00:30 at +01:00 is of 1 January, not of 31 December as that instant reads in UTC).
 */
import { documentDate } from '../../web/shared/document-date';

it.each([
  ['2026-01-01', '1 Jan 2026'],
  ['2026-03-01T10:00:00Z', '1 Mar 2026'],
  ['2026-01-01T00:30:00+01:00', '1 Jan 2026'],
  ['2025-12-31T23:30:00-05:00', '31 Dec 2025'],
  ['2024-03-01T05:00:00.000+14:00', '1 Mar 2024'],
])('%s reads %s, the day it was written for', (iso, day) => {
  expect(documentDate(iso)).toBe(day);
});

it('what is no date is shown as it came', () => {
  expect(documentDate('soon')).toBe('soon');
  expect(documentDate('2026-13-45')).toBe('2026-13-45');
});
