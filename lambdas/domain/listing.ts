/**
 * Listings a page at a time. A cursor is opaque to the client and valid for one listing only: its
 * scope names the listing and everything that filters it (the caller, a customer, a type), so a
 * cursor of one listing is a 400 in any other. The stores encode and check cursors; the scope is
 * built here, once.
 */

/** `<listing>:<filter>:…`, an absent filter as `*`. */
export const listingScope = (listing: string, ...filters: (string | undefined)[]): string => [listing, ...filters.map((filter) => filter ?? '*')].join(':');

/** Cursors of the document listings: each carries the order key of the last document shown. */
export interface OrderCursors {
  encode(scope: string, order: string): string;
  /** The order key to continue after, or `Invalid` (400) for a cursor of another listing. */
  decode(cursor: string | undefined, scope: string): string | undefined;
}

/** A page as the API answers it: the items, and a cursor when more follow. */
export function withCursor<T>(page: { items: T[]; last?: string }, scope: string, cursors: OrderCursors): { items: T[]; nextCursor?: string } {
  return { items: page.items, ...(page.last ? { nextCursor: cursors.encode(scope, page.last) } : {}) };
}
