/**
 * How every Lambda gets its dependencies: built once per container, and replaceable by tests. In
 * Lambda they are built during INIT — when the module loads, with the cold start's full CPU — so the
 * first request does not pay for the clients' construction; elsewhere (the tests, the local stack,
 * which sets the environment before it loads a handler) on first use.
 */
export interface PerContainer<T> {
  (): T;
  /** Tests: put these in instead (`undefined`: build the real ones again on next use). */
  use(next: T | undefined): void;
}

/** Lambda sets this (on-demand, provisioned concurrency, …) for the INIT phase and after; nothing else here does. */
const inLambda = (): boolean => process.env.AWS_LAMBDA_INITIALIZATION_TYPE !== undefined;

export function perContainer<T>(build: () => T): PerContainer<T> {
  let built: T | undefined;
  const get = (() => (built ??= build())) as PerContainer<T>;
  get.use = (next) => {
    built = next;
  };
  if (inLambda()) {
    try {
      get();
    } catch {
      // A dependency that cannot be built (a setting missing) fails its first use, as it would have
      // without this: a container must not die in INIT for a route that may never be asked.
    }
  }
  return get;
}
