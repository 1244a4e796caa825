/**
 * Reads a request starts before its access check has answered (for the viewer it guesses), then
 * asks for again, by the same key, for the viewer the check confirmed: a read whose key the
 * confirmed viewer needs too is reused, the others are dropped unseen, and what the guess missed is
 * read then. A key names everything the read depends on, so whoever asks for it gets the same answer.
 */
export class EarlyReads {
  readonly #reads = new Map<string, Promise<unknown>>();

  read<T>(key: string, start: () => Promise<T>): Promise<T> {
    let read = this.#reads.get(key) as Promise<T> | undefined;
    if (!read) {
      read = start();
      // A read nobody ends up needing may fail unseen.
      read.catch(() => undefined);
      this.#reads.set(key, read);
    }
    return read;
  }
}
