/**
 * EventBridge event pattern matching, for the stack's own rules (`lambdas/contract/event-rules.ts`): every key of
 * the pattern must match; a nested object matches the event's nested object; an array lists the
 * allowed values, each an exact value or a filter (`anything-but`, `prefix`, `exists`,
 * `equals-ignore-case`). An event array field matches when any of its elements does.
 */
type Json = unknown;

function matchesFilter(filter: Record<string, Json>, value: Json, present: boolean): boolean {
  if ('exists' in filter) return filter.exists === present;
  if (!present) return false;
  const values = Array.isArray(value) ? value : [value];
  if ('anything-but' in filter) {
    const but = filter['anything-but'];
    if (typeof but === 'object' && but !== null && !Array.isArray(but)) {
      return !values.some((v) => matchesFilter(but as Record<string, Json>, v, true));
    }
    const excluded = Array.isArray(but) ? but : [but];
    return values.every((v) => !excluded.includes(v));
  }
  if ('prefix' in filter) return values.some((v) => typeof v === 'string' && typeof filter.prefix === 'string' && v.startsWith(filter.prefix));
  if ('equals-ignore-case' in filter) {
    const expected = String(filter['equals-ignore-case']).toLowerCase();
    return values.some((v) => typeof v === 'string' && v.toLowerCase() === expected);
  }
  throw new Error(`Unsupported event pattern filter: ${JSON.stringify(filter)}`);
}

function matchesValues(allowed: readonly Json[], value: Json, present: boolean): boolean {
  return allowed.some((candidate) => {
    if (typeof candidate === 'object' && candidate !== null) return matchesFilter(candidate as Record<string, Json>, value, present);
    if (!present) return false;
    return Array.isArray(value) ? value.includes(candidate) : value === candidate;
  });
}

export function matchesPattern(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.prototype.hasOwnProperty.call(event, key);
    const value = present ? event[key] : undefined;
    if (Array.isArray(expected)) return matchesValues(expected, value, present);
    if (typeof expected === 'object' && expected !== null) {
      return typeof value === 'object' && value !== null && !Array.isArray(value) && matchesPattern(expected as Record<string, Json>, value as Record<string, Json>);
    }
    throw new Error(`Event pattern values must be arrays or objects, not ${JSON.stringify(expected)} at "${key}"`);
  });
}
