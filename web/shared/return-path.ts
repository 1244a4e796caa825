/**
 * Where sign-in goes back to: only a path of this app, never `//elsewhere`, `/\elsewhere` or
 * `https://elsewhere` (no open redirect through the sign-in state).
 */
export const safeReturnPath = (value: unknown): string =>
  typeof value === 'string' && /^\/(?![/\\])/.test(value) && !/[\0-\x1f]/.test(value) ? value : '/';
