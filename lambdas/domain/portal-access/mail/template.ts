/**
 * One template, two parts: a mail is written once, as blocks of running text, and rendered from
 * those blocks both as plain text and as HTML — so the two parts cannot say different things.
 * Everything in a template is text, never markup: the HTML rendering escapes every character that
 * could open a tag, an attribute or an entity, whoever supplied it (a contact's name, the staff's
 * message, the business name).
 */
import { showsSomething } from '../../../contract/text';

/** Running text: plain, or emphasised (bold in HTML). */
export type Inline = string | { strong: string };

export type Block =
  /** A paragraph of running text. */
  | { paragraph: Inline[] }
  /** Someone's own words (the staff's message), verbatim: line breaks kept, nothing interpreted; never blank (see `isBlank`). */
  | { quote: string }
  /** The one thing to do: a link, as a button in HTML and on a line of its own in the text. */
  | { action: { label: string; href: string } };

export interface Template {
  subject: string;
  blocks: Block[];
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** Line breaks as `\n`, every other control character (and bidi control) gone. */
const tidyLines = (s: string): string => s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '');

/**
 * Nothing a reader would see (blanks, line breaks, characters with no glyph: see `showsSomething`, the
 * rule of the single-line text fields): a quote of this is left out together with the words that introduce it.
 */
export const isBlank = (s: string): boolean => !showsSomething(tidyLines(s));

/** One line of text: any run of whitespace or control characters is one space (a subject is a header). */
export const oneLine = (s: string): string =>
  s
    .replace(/[\s\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * At most `max` UTF-16 units of `s`, cut between two characters as a reader sees them: never inside
 * a surrogate pair (a lone half is no character at all, and arrives as "\ufffd"), an emoji sequence,
 * or before a combining mark. Only a single character longer than `max` is cut by code points.
 */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = 0;
  for (const { index, segment } of GRAPHEMES.segment(s)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  if (end > 0) return s.slice(0, end);
  let points = '';
  for (const point of s) {
    if (points.length + point.length > max) break;
    points += point;
  }
  return points;
}

const inlineText = (parts: Inline[]) => parts.map((p) => (typeof p === 'string' ? p : p.strong)).join('');
const inlineHtml = (parts: Inline[]) => parts.map((p) => (typeof p === 'string' ? escapeHtml(p) : `<strong>${escapeHtml(p.strong)}</strong>`)).join('');

function blockText(block: Block): string {
  if ('paragraph' in block) return tidyLines(inlineText(block.paragraph));
  if ('quote' in block) return tidyLines(block.quote).trim();
  return `${tidyLines(block.action.label)}:\n${oneLine(block.action.href)}`;
}

function blockHtml(block: Block): string {
  if ('paragraph' in block) return `<p>${inlineHtml(block.paragraph)}</p>`;
  if ('quote' in block)
    return `<blockquote style="margin:16px 0;padding:8px 16px;border-left:3px solid #ccc">${escapeHtml(tidyLines(block.quote).trim()).replace(/\n/g, '<br>')}</blockquote>`;
  const href = escapeHtml(oneLine(block.action.href));
  return [
    `<p><a href="${href}" style="display:inline-block;padding:10px 18px;background:#1f5fa8;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(block.action.label)}</a></p>`,
    `<p style="font-size:12px;color:#555555;word-break:break-all">${href}</p>`,
  ].join('\n');
}

/** The mail's subject (one line), its text part and its HTML part, from the one template. */
export function render(template: Template, lang: string): Rendered {
  const { blocks } = template;
  const subject = oneLine(template.subject);
  return {
    subject,
    text: `${blocks.map(blockText).join('\n\n')}\n`,
    html: [
      `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
      '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222">',
      ...blocks.map(blockHtml),
      '</body></html>',
    ].join('\n'),
  };
}
