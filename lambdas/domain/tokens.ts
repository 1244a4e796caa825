/**
 * The secrets in links (an invitation's, a share link's): 32 random bytes (256 bits), base64url;
 * only their SHA-256 is ever stored, so a copy of the table opens nothing.
 */
import { createHash, randomBytes } from 'node:crypto';

export const newToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
