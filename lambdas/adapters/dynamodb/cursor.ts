import { Invalid } from '../../contract/errors';

/**
 * Opaque page cursors. A cursor carries the last key of a page and the partition it belongs to;
 * decoding refuses anything that was not issued for the same listing (`400`), so a forged cursor
 * can never read another partition.
 */
type Key = Record<string, string>;

export function encodeCursor(scope: string, key: Key): string {
  return Buffer.from(JSON.stringify({ s: scope, k: key }), 'utf8').toString('base64url');
}

/**
 * `fixed` names the attributes whose values the listing itself determines (its partition key): a
 * cursor must carry exactly those values, or DynamoDB would be asked to start in another partition.
 */
export function decodeCursor(
  cursor: string | undefined,
  scope: string,
  allowedAttributes: readonly string[],
  fixed: Readonly<Record<string, string>> = {},
): Key | undefined {
  if (cursor === undefined) return undefined;
  const bad = () => new Invalid('The cursor is not valid for this listing.', 'cursor');
  let parsed: unknown;
  // Stryker disable BlockStatement: without the catch's throw `parsed` stays undefined, which the next check refuses the same way.
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  // Stryker restore BlockStatement
  if (typeof parsed !== 'object' || parsed === null) throw bad();
  const { s, k } = parsed as { s?: unknown; k?: unknown };
  if (s !== scope || typeof k !== 'object' || k === null) throw bad();
  const entries = Object.entries(k);
  if (entries.length === 0 || entries.length > allowedAttributes.length) throw bad();
  for (const [name, value] of entries) {
    if (!allowedAttributes.includes(name) || typeof value !== 'string' || value.length > 1024) throw bad();
  }
  for (const [name, value] of Object.entries(fixed)) if ((k as Key)[name] !== value) throw bad();
  return k as Key;
}
