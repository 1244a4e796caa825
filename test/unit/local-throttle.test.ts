/**
 * The local server's rate limit of the throttled routes (per client IP, API Gateway's token bucket)
 * and its log lines, which never show a share link's token.
 */
import { SHARED_THROTTLE } from '../../lambdas/contract/share-links';
import { loggablePath } from '../../local/routing';
import { ClientBuckets } from '../../local/throttle';

describe('ClientBuckets', () => {
  const T = 1_000_000;

  test('a burst of burstLimit passes, the next is refused with Retry-After; tokens come back at rateLimit a second', () => {
    const buckets = new ClientBuckets(SHARED_THROTTLE);
    for (let i = 0; i < SHARED_THROTTLE.burstLimit; i++) expect(buckets.take('10.0.0.1', T)).toEqual({ allowed: true });
    expect(buckets.take('10.0.0.1', T)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // One token back after 1/rateLimit s, not before.
    expect(buckets.take('10.0.0.1', T + Math.floor(1000 / SHARED_THROTTLE.rateLimit) - 1).allowed).toBe(false);
    expect(buckets.take('10.0.0.1', T + Math.ceil(1000 / SHARED_THROTTLE.rateLimit) + 1).allowed).toBe(true);
  });

  test('each client has its own bucket', () => {
    const buckets = new ClientBuckets({ rateLimit: 1, burstLimit: 1 });
    expect(buckets.take('a', T).allowed).toBe(true);
    expect(buckets.take('a', T).allowed).toBe(false);
    expect(buckets.take('b', T).allowed).toBe(true);
  });

  test('Retry-After is the wait for one token, in whole seconds', () => {
    const buckets = new ClientBuckets({ rateLimit: 0.25, burstLimit: 1 });
    buckets.take('a', T);
    expect(buckets.take('a', T)).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });

  test('a refused request takes no token: waiting is enough', () => {
    const buckets = new ClientBuckets({ rateLimit: 1, burstLimit: 1 });
    buckets.take('a', T);
    for (let i = 0; i < 10; i++) buckets.take('a', T + 500);
    expect(buckets.take('a', T + 1000).allowed).toBe(true);
  });
});

describe('log lines', () => {
  test('a share link’s token is replaced by its name, in both share-link routes', () => {
    const token = 'Zm9vYmFyYmF6cXV4cXV1eHh5enp5eHh5enp5eHh5enp5';
    expect(loggablePath(`/shared/${token}`)).toBe('/shared/{token}');
    expect(loggablePath(`/shared/${token}/attachments/a1`)).toBe('/shared/{token}/attachments/a1');
  });
  test('so is a token under /shared/ on a path that matches no route (a trailing slash, a wrong segment): the answer is a 404, the line holds no token', () => {
    const token = 'Zm9vYmFyYmF6cXV4cXV1eHh5enp5eHh5enp5eHh5enp5';
    expect(loggablePath(`/shared/${token}/`)).toBe('/shared/{token}/');
    expect(loggablePath(`/shared/${token}/zzz`)).toBe('/shared/{token}/zzz');
    expect(loggablePath(`/shared/${token}/attachments/a1/`)).toBe('/shared/{token}/attachments/a1/');
    expect(loggablePath(`/shared/${token}/attachments/a1/x?y=1`)).toBe('/shared/{token}/attachments/a1/x?y=1');
    for (const path of ['/shared', '/shared/', '/sharedx/abc']) expect(loggablePath(path)).toBe(path);
  });
  test('other paths are logged as they are', () => {
    for (const path of ['/contacts/c1?q=x', '/documents/invoice/INV-1/links', '/nowhere/x', '/']) expect(loggablePath(path)).toBe(path);
  });
});
