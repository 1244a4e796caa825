/**
 * A From header's mailbox with a display name — `"Example Business" <no-reply@example.com>` — as
 * SES takes it (`FromEmailAddress`): the name as an RFC 5322 quoted string when it is printable
 * ASCII, else as RFC 2047 encoded words (UTF-8, base64), which SES requires for non-ASCII names.
 * Whatever the name holds (a business name from the stack's settings), no line break, control
 * character or quote can leave the display name: no header can be injected through it.
 */
import { cutText } from '../../domain/portal-access/mail/template';

/** Control characters (line breaks included), Unicode line separators and bidi controls: never in a header. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** Base64 of at most 45 bytes is 60 characters: with `=?UTF-8?B?` and `?=`, an encoded word stays within 75. */
const WORD_BYTES = 45;

/** The name's UTF-8 in chunks of whole characters (a character is never split across two encoded words). */
function chunks(name: string): Buffer[] {
  const out: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 0;
  for (const char of name) {
    const bytes = Buffer.from(char, 'utf8');
    if (size + bytes.length > WORD_BYTES && current.length > 0) {
      out.push(Buffer.concat(current));
      [current, size] = [[], 0];
    }
    current.push(bytes);
    size += bytes.length;
  }
  if (current.length > 0) out.push(Buffer.concat(current));
  return out;
}

export function mailbox(displayName: string, address: string): string {
  const name = cutText(displayName.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim(), 100).trim();
  if (name === '') return address;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}" <${address}>`;
  return `${chunks(name).map((bytes) => `=?UTF-8?B?${bytes.toString('base64')}?=`).join(' ')} <${address}>`;
}
