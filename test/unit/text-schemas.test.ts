/**
 * The text fields of every body (names, references, the search, the invitation message): control
 * characters are refused wherever they come from — C0, DEL and C1 (U+0080–U+009F: NEL, CSI, …) —
 * and a single-line field takes no line break of any kind (U+2028, U+2029 as well as CR and LF).
 */
import { multilineText, text } from '../../lambdas/contract/schemas/common';
import { createContactBody } from '../../lambdas/contract/schemas/contacts';
import { putDocumentBody } from '../../lambdas/contract/schemas/documents';

const refusal = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? undefined : result.error?.issues.map((i) => [i.path.join('.'), i.message]);

describe('a single-line text field', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['LF', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['NEL (C1)', 'a\u0085b'],
    ['CSI (C1)', 'a\u009b31mb'],
    ['U+0080 (C1)', '\u0080ab'],
    ['U+009F (C1)', 'ab\u009f'],
    ['LINE SEPARATOR', 'a\u2028b'],
    ['PARAGRAPH SEPARATOR', 'a\u2029b'],
  ])('refuses %s', (_label, value) => {
    expect(text(200).safeParse(value).success).toBe(false);
    expect(refusal(createContactBody().safeParse({ kind: 'person', name: value }))).toEqual([['name', 'must not contain control characters']]);
    expect(refusal(putDocumentBody().safeParse({ customerId: 'c1', name: 'Invoice', reference: value }))).toEqual([['reference', 'must not contain control characters']]);
  });

  it.each([
    ['a tab', 'a\tb'],
    ['Latin-1 letters just above C1', '\u00a0Zoë Ñúñez\u00ff'],
    ['an emoji with a zero-width joiner', '👩\u200d💻 Team'],
    ['Arabic with a right-to-left mark', 'شركة\u200f 1'],
  ])('takes %s', (_label, value) => {
    expect(text(200).safeParse(value).success).toBe(true);
  });
});

describe('a single-line text field shows something', () => {
  it.each([
    ['a zero-width space', '\u200b'],
    ['zero-width spaces and joiners between spaces', ' \u200b\u200d\u2060 '],
    ['a Hangul filler', '\u3164'],
    ['halfwidth and choseong fillers', '\uffa0\u115f\u1160'],
    ['tag characters', '\u{E0041}\u{E0042}'],
    ['a soft hyphen', '\u00ad'],
    ['combining marks with no letter', '\u0301\u0301'],
    ['a variation selector', '\ufe0f'],
    ['the blank Braille pattern', '\u2800'],
  ])('refuses %s alone', (_label, value) => {
    expect(refusal(createContactBody().safeParse({ kind: 'person', name: value }))).toEqual([['name', 'must contain a visible character']]);
    expect(refusal(putDocumentBody().safeParse({ customerId: 'c1', name: 'Invoice', state: value }))).toEqual([['state', 'must contain a visible character']]);
  });

  it.each([
    ['a letter beside a zero-width space', 'Acme\u200b'],
    ['an emoji', '😀'],
    ['Persian with a zero-width non-joiner', 'می\u200cخواهم'],
    ['Devanagari with a vowel sign', 'कि'],
    ['a decomposed accent on its letter', 'e\u0301'],
  ])('takes %s', (_label, value) => {
    expect(text(200).safeParse(value).success).toBe(true);
  });

  it('says only "too small" of an empty one', () => {
    expect(refusal(createContactBody().safeParse({ kind: 'person', name: '  ' }))).toEqual([['name', expect.stringContaining('Too small')]]);
  });
});

describe('a multi-line text field (the invitation message)', () => {
  it('takes CR, LF and tabs, and refuses C0, DEL and C1 controls', () => {
    expect(multilineText(2000).safeParse('Hello,\r\n\tsee you\nsoon').success).toBe(true);
    for (const value of ['a\u0000b', 'a\u007fb', 'a\u0085b', 'a\u009bb']) expect(multilineText(2000).safeParse(value).success).toBe(false);
  });
});
