/**
 * A text's length in characters (code points), as the schemas' `max` and JSON Schema's `maxLength`
 * count it — not in UTF-16 units, where `😀` is two.
 */
export function characterCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A UTF-16 surrogate without its other half: not valid Unicode (names, file names). */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * Text as it may be echoed or stored: each half of a surrogate pair without its other half becomes
 * U+FFFD. A lone half has no UTF-8 (DynamoDB stores UTF-8) and is answered as a `\ud800` escape,
 * which strict JSON parsers refuse — so one bad value would make a whole answer, or every later
 * page that shows it, unreadable to them.
 */
export const wellFormed = (s: string): string => s.replace(LONE_SURROGATES, '\ufffd');

/** Text cut to a length in UTF-16 units, never keeping half a surrogate pair at the cut (a lone half is no character, and has no UTF-8). */
export const sliceWhole = (s: string, max: number): string => s.slice(0, max).replace(/[\ud800-\udbff]$/, '');

/**
 * Whether the text shows something: a character that is not white space, not one a font draws as
 * nothing (zero-width spaces and joiners, tags, fillers, variation selectors, the soft hyphen: Unicode's
 * Default_Ignorable_Code_Point), not a combining mark with no letter to sit on, not the blank Braille
 * pattern. `trim` removes white space only: a name of U+200B alone is blank on every page.
 */
export const showsSomething = (s: string): boolean => /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\u2800]/u.test(s);
