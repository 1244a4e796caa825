/**
 * A text's length in characters (code points), as the schemas' `max` and JSON Schema's `maxLength`
 * count it — not in UTF-16 units, where `😀` is two.
 */
export function characterCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Text cut to a length in UTF-16 units, never keeping half a surrogate pair at the cut (a lone half is no character, and has no UTF-8). */
export const sliceWhole = (s: string, max: number): string => s.slice(0, max).replace(/[\ud800-\udbff]$/, '');

/**
 * Whether the text shows something: a character that is not white space, not one a font draws as
 * nothing (zero-width spaces and joiners, tags, fillers, variation selectors, the soft hyphen: Unicode's
 * Default_Ignorable_Code_Point), not a combining mark with no letter to sit on, not the blank Braille
 * pattern. `trim` removes white space only: a name of U+200B alone is blank on every page.
 */
export const showsSomething = (s: string): boolean => /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\u2800]/u.test(s);
