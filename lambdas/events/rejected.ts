import * as z from 'zod';

/** An event this handler will never process, however often it is retried: for the dead-letter path. */
export class RejectedEvent extends Error {
  override readonly name = 'RejectedEvent';
}

/** The event's part as the schema reads it, or `RejectedEvent` naming each problem (paths and rules, never values). */
export function parseOrReject<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
    throw new RejectedEvent(`Malformed ${what}: ${problems.join('; ')}`);
  }
  return result.data;
}
