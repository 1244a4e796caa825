/** Text cut to a length in UTF-16 units, never keeping half a surrogate pair at the cut (a lone half is no character, and has no UTF-8). */
export const sliceWhole = (s: string, max: number): string => s.slice(0, max).replace(/[\ud800-\udbff]$/, '');
