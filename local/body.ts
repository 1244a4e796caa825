/** Reading a request body on the local servers (the API, the S3 emulator), bounded. */
import type { IncomingMessage } from 'node:http';

/** Beyond this the connection is cut instead of drained: nobody sends that much to the local stack in good faith. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** The body was larger than its reader takes (or the client went away before its end). */
export class TooLarge extends Error {}

/**
 * The body, up to `limit` bytes. A larger one is read to its end and thrown away before the refusal
 * (a client still writing would otherwise see a broken pipe instead of the answer).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > Math.max(limit, DRAIN_LIMIT_BYTES)) req.destroy();
    });
    req.on('end', () => (size > limit ? reject(new TooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    // Cut off (above) or aborted by the client: nothing to answer, but the request must still settle.
    req.on('close', () => req.complete || reject(new TooLarge()));
  });
}
