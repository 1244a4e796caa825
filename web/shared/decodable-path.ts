/**
 * The router decodes each path segment with `decodeURIComponent`, which throws on a `%` that starts
 * no escape or on escapes that are not UTF-8 (`/s/%`, `/s/%ED%A0%80`): the whole app would fail to
 * render, and a hostile share-link or document address would read "not available" instead of "no
 * longer valid" or "not found". Such a segment keeps its characters literally (each `%` as `%25`).
 */
export function decodablePath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => (decodes(segment) ? segment : segment.replace(/%/g, '%25')))
    .join('/');
}

/** Whether the router's `decodeURIComponent` takes the segment (its answer is used: a bare call is dropped by the minifier as pure). */
function decodes(segment: string): boolean {
  try {
    return typeof decodeURIComponent(segment) === 'string';
  } catch {
    return false;
  }
}
