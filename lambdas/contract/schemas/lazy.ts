/**
 * Schemas built on first use, then kept. Building a zod schema is not free (~0.05 ms a schema object
 * on a cold start, and the route table holds ~570 of them), and each function validates only its
 * own routes' inputs: so the schemas of the table are built when something reads them — a function
 * its own routes' inputs during INIT (http-kit/handler.ts), the OpenAPI document all of them — and a
 * bundle never builds another area's schemas nor any answer's (docs/benchmark.md, issue 12 §4).
 */
import type * as z from 'zod';

/** A schema, built by its first call. */
export type Lazy<T> = () => T;

export function lazy<T>(build: () => T): Lazy<T> {
  let built: T | undefined;
  return () => (built ??= build());
}

/** `z.infer` of a lazy schema. */
export type Infer<S extends Lazy<z.ZodType>> = z.infer<ReturnType<S>>;
