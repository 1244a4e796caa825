/**
 * How every Lambda gets its dependencies: built once per container, on first use (after the
 * environment is set — the local stack sets it before it loads a handler), and replaceable by tests.
 */
export interface PerContainer<T> {
  (): T;
  /** Tests: put these in instead (`undefined`: build the real ones again on next use). */
  use(next: T | undefined): void;
}

export function perContainer<T>(build: () => T): PerContainer<T> {
  let built: T | undefined;
  const get = (() => (built ??= build())) as PerContainer<T>;
  get.use = (next) => {
    built = next;
  };
  return get;
}
