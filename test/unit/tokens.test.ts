/** The secrets in links: 256 random bits, URL-safe; what is stored is their SHA-256 in hex, stable across deploys. */
import { createHash } from 'node:crypto';
import { hashToken, newToken } from '../../lambdas/domain/tokens';

it('a token is 32 random bytes in base64url (43 URL-safe characters), never the same twice', () => {
  const tokens = new Set(Array.from({ length: 100 }, newToken));
  expect(tokens.size).toBe(100);
  for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
});

it('what is stored is the SHA-256 of the token in lower-case hex: links issued before a deploy still open after it', () => {
  const token = 'q0S5yhq2M0Wc2c3E1G7cH8y3cGm3v1JmYHhP5wS0kXA';
  expect(hashToken(token)).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
  expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  expect(hashToken(token)).not.toContain(token);
});
