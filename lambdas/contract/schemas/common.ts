import * as z from 'zod';
import { normaliseEmail } from '../email';
import { LONE_SURROGATE, showsSomething } from '../text';
import { PROBLEM_TYPES, problemTypeOf } from '../problem-types';
import { lazy, type Infer } from './lazy';

/** Printable single-line text: no control characters (C0 but tab, DEL, C1 such as NEL or CSI), no line or paragraph separator. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;
/** Multi-line text: the same, but CR and LF are its line breaks. */
const MULTILINE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
export { LONE_SURROGATE };
/** Bidirectional embeddings, overrides and isolates: they make `txt.exe` read as `exe.txt` (names, mail text). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL.test(s) && !BIDI_CONTROL.test(s), 'must not contain control characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode')
    // An empty one is already refused (too small): one message is enough.
    .refine((s) => s === '' || showsSomething(s), 'must contain a visible character');

/** Multi-line free text (an invitation message): line breaks allowed, other control characters not. */
export const multilineText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !MULTILINE_CONTROL.test(s) && !BIDI_CONTROL.test(s), 'must not contain control characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode');

/** Why a body's number reads NaN: its literal would be stored as another number (http-kit/body.ts, `isExactNumber`). */
export const INEXACT_NUMBER = 'cannot be stored exactly: a double would change it (too many digits, or beyond its range)';
/** The same where a string may stand instead (a document's `data`); a field that takes only a number gives no such advice. */
export const INEXACT_DATA_NUMBER = `${INEXACT_NUMBER}; send it as a string`;

/** A number of a request body: one its literal would not survive (NaN, see INEXACT_NUMBER) is refused in those words. */
export const jsonNumber = () => z.number({ error: (issue) => (typeof issue.input === 'number' && Number.isNaN(issue.input) ? INEXACT_NUMBER : undefined) });

export const id = lazy(() => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id (1–64 of A-Za-z0-9_-)'));

/**
 * An email address as SES can send to it: trimmed, lower-cased, ASCII local part, an
 * internationalised domain stored in punycode. ≤ 254 characters.
 */
export const email = lazy(() =>
  z
    .string()
    .trim()
    .max(254)
    .transform((value, ctx) => {
      const normalised = normaliseEmail(value);
      if (!normalised) {
        ctx.addIssue({ code: 'custom', message: 'must be a valid email address with an ASCII local part' });
        return z.NEVER;
      }
      return normalised;
    })
    .meta({ type: 'string', format: 'email', maxLength: 254 }),
);

export const cursor = lazy(() => z.string().max(2048));
const LIMIT_RANGE = 'must be a whole number from 1 to 100';
/**
 * A page size as a query string carries it: plain decimal digits, 1–100, 50 when absent. Not a bare
 * number coercion, which would also take `0x10`, `1e1`, `+5`, ` 5` or `5.0`. Documented as the
 * integer it is (the digits' pattern is this parser's business).
 */
export const limit = lazy(() =>
  z
    .string()
    .regex(/^[0-9]+$/, LIMIT_RANGE)
    .pipe(z.coerce.number<string>({ error: LIMIT_RANGE }).min(1, LIMIT_RANGE).max(100, LIMIT_RANGE))
    .meta({ type: 'integer', minimum: 1, maximum: 100, pattern: undefined })
    .default(50),
);

export const pageQuery = lazy(() => z.strictObject({ cursor: cursor().optional(), limit: limit() }));

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** RFC 9457 problem details; `type` is one of the stable URIs of contract/problem-types.ts. */
export const problem = lazy(() =>
  z
    .object({
      type: z.string().meta({
        description: 'The kind of problem, a stable URI (see the list): tell problems apart by it, not by title or detail.',
        enum: [...PROBLEM_TYPES],
        example: problemTypeOf('email-in-use'),
      }),
      title: z.string().meta({ description: 'A short summary of the kind, the same for every occurrence.' }),
      status: z.number().int(),
      detail: z.string().optional().meta({ description: 'What went wrong this time, for a person.' }),
      instance: z.string().optional().meta({ description: 'The request this answers, `urn:request:<id>`: the `x-request-id` header and the id in the logs.', example: 'urn:request:6f1c2c1e-8d7a-4a39-9a4e-3b8f0e3c2d11' }),
      errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'Validation only: each refused field by its path (`lines.0.email`).' }),
    })
    .meta({ id: 'Problem' }),
);

export type Problem = Infer<typeof problem>;

export const isoDateTime = lazy(() => z.string().meta({ format: 'date-time' }));

/**
 * A point in time a client sets (an access's or a grant's end): ISO 8601 with an offset, at most
 * year 9999 in UTC (so that every stored instant is one 24-character `toISOString()`, which sorts
 * as it compares). Stored normalised to UTC with milliseconds. Whether it lies in the future is the
 * domain's check (it has the clock).
 */
export const instant = lazy(() =>
  z
    .iso.datetime({ offset: true })
    .refine((value) => {
      const ms = Date.parse(value);
      return Number.isFinite(ms) && ms < Date.UTC(10000, 0, 1) && ms >= 0;
    }, 'must be a date-time between 1970 and 9999 (UTC)')
    .transform((value) => new Date(value).toISOString()),
);
