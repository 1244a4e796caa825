/**
 * The local server's rate limit of a throttled route (`throttle` in the route table), per client IP:
 * a token bucket like API Gateway's (`rateLimit` a second, bursts of `burstLimit`). In AWS the same
 * numbers are the route's throttling on the stage (all callers together).
 */
export interface Limit {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** At most this many clients are remembered; the least recently seen is forgotten first. */
const MAX_CLIENTS = 10_000;

export class ClientBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly limit: Limit) {}

  take(client: string, now = Date.now()): Verdict {
    const { rateLimit, burstLimit } = this.limit;
    const bucket = this.#buckets.get(client) ?? { tokens: burstLimit, at: now };
    this.#buckets.delete(client);
    bucket.tokens = Math.min(burstLimit, bucket.tokens + ((now - bucket.at) / 1000) * rateLimit);
    bucket.at = now;
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > MAX_CLIENTS) this.#buckets.delete(this.#buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rateLimit)) };
  }
}
