/**
 * How an attachment's bytes and its name are read: the signatures a file of each type starts with,
 * and the `Content-Disposition` a download carries (what a type may be: contract/attachment-types.ts).
 * Pure functions, no I/O.
 */
import type { AttachmentContentType } from '../../contract/attachment-types';

/** How many leading bytes `contentProblem` needs to see. */
export const SNIFF_BYTES = 4096;

const SIGNATURES: Partial<Record<AttachmentContentType, { bytes: readonly number[]; name: string }>> = {
  'application/pdf': { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], name: 'a PDF (%PDF-)' },
  'image/png': { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], name: 'a PNG' },
  'image/jpeg': { bytes: [0xff, 0xd8, 0xff], name: 'a JPEG' },
};

/**
 * Why the first bytes of an upload do not fit its declared type, or `undefined` when they do:
 * PDF, PNG and JPEG by their signatures; text and CSV must be UTF-8 without NUL (a binary file
 * declared as text). `head` is the first `SNIFF_BYTES` bytes (or the whole file when shorter).
 */
export function contentProblem(head: Uint8Array, contentType: AttachmentContentType): string | undefined {
  const signature = SIGNATURES[contentType];
  if (signature) {
    const matches = head.length >= signature.bytes.length && signature.bytes.every((byte, i) => head[i] === byte);
    return matches ? undefined : `The uploaded file is not ${signature.name}.`;
  }
  if (head.includes(0)) return `The uploaded file is not ${contentType} (it contains NUL bytes).`;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(head));
  } catch {
    return `The uploaded file is not ${contentType} in UTF-8.`;
  }
  return undefined;
}

/** Drops a UTF-8 sequence cut off by the end of the sniffed window (at most 3 bytes). */
function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

/** RFC 5987 `attr-char`: everything else is percent-encoded (encodeURIComponent leaves `'()*` alone). */
const encodeRfc5987 = (value: string) => encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * An ASCII stand-in for old clients: accents dropped, anything else outside printable ASCII (and `"`,
 * `\`, `%`, `/`) as `_` — after NFKD, which folds a fullwidth `／` or `＼` into a path separator.
 */
export function asciiFallback(fileName: string): string {
  return fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%/]/g, '_');
}

/** `attachment; filename="<ASCII>"; filename*=UTF-8''<UTF-8, percent-encoded>` (RFC 6266). */
export function contentDisposition(fileName: string): string {
  return `attachment; filename="${asciiFallback(fileName)}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}
