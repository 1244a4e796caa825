/** A day as both apps write one: `1 Jan 2026`. */
const dayFormat = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * A document's `date` (an ISO date, or a date-time with its offset) as the day the back office wrote:
 * `2026-01-01T00:30:00+01:00` is of 1 January, although that instant is still 31 December in UTC.
 * What is no date is shown as it came.
 */
export function documentDate(iso: string): string {
  const day = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}/.test(iso) && !Number.isNaN(day.getTime()) ? dayFormat.format(day) : iso;
}
