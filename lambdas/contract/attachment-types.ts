/**
 * What a document's attachment may be: the five content types with the file-name extensions that go
 * with each, the size bounds and the file-name rule. One definition for the schema, the domain's
 * checks of what arrived, and the presigned PUT's bounds.
 */
import { LONE_SURROGATE } from './schemas/common';
import { characterCount } from './text';

/** The content types staff may attach, each with the file-name extensions that go with it. */
export const ATTACHMENT_TYPES = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'text/plain': ['txt', 'text', 'log'],
  'text/csv': ['csv'],
} as const satisfies Record<string, readonly string[]>;

export type AttachmentContentType = keyof typeof ATTACHMENT_TYPES;
export const ATTACHMENT_CONTENT_TYPES = Object.keys(ATTACHMENT_TYPES) as [AttachmentContentType, ...AttachmentContentType[]];

export const MIN_ATTACHMENT_BYTES = 1;
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** In characters (code points, as the schema's `max` counts them); a name is shown and sent in a header, never used as a path. */
export const MAX_FILE_NAME_LENGTH = 200;

/** Control characters (C0, DEL, C1) and bidirectional controls that make `txt.exe` read as `exe.txt`. */
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why a file name is refused, or `undefined` when it is fine for that content type. */
export function fileNameProblem(fileName: string, contentType: AttachmentContentType): string | undefined {
  const length = characterCount(fileName);
  if (length === 0 || length > MAX_FILE_NAME_LENGTH) return `must be 1–${MAX_FILE_NAME_LENGTH} characters`;
  if (fileName !== fileName.trim()) return 'must not start or end with white space';
  if (UNSAFE_CHARACTER.test(fileName)) return 'must not contain control or bidirectional characters';
  if (LONE_SURROGATE.test(fileName)) return 'must be valid Unicode';
  if (/[/\\]/.test(fileName)) return 'must not contain a path separator';
  if (/^\.+$/.test(fileName)) return 'must be a file name';
  const extension = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase();
  const allowed: readonly string[] = ATTACHMENT_TYPES[contentType];
  if (extension === undefined || !allowed.includes(extension))
    return `must end with .${allowed.join(' or .')} for ${contentType}`;
  return undefined;
}
