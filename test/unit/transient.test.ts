import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTransient } from '../../lambdas/platform/transient';

const cancelled = (...codes: string[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('isTransient: a cancelled transaction', () => {
  it('is "try again later" when its items were refused for capacity (a throttled partition), so the client gets 503', () => {
    expect(isTransient(cancelled('None', 'ThrottlingError', 'None'))).toBe(true);
    expect(isTransient(cancelled('ProvisionedThroughputExceeded'))).toBe(true);
  });

  it('is not transient when a condition refused an item, even beside a throttled one (the caller decides)', () => {
    expect(isTransient(cancelled('ConditionalCheckFailed', 'None'))).toBe(false);
    expect(isTransient(cancelled('ThrottlingError', 'ConditionalCheckFailed'))).toBe(false);
  });

  it('is not transient for a validation error or without reasons', () => {
    expect(isTransient(cancelled('ValidationError'))).toBe(false);
    expect(isTransient(cancelled())).toBe(false);
    expect(isTransient(cancelled('None'))).toBe(false);
  });

  it('leaves other errors as before: a throttling error is transient, a plain error is not', () => {
    expect(isTransient(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))).toBe(true);
    expect(isTransient(new Error('boom'))).toBe(false);
  });
});

describe('isTransient: a fetch that fails on the network (our S3 and Cognito clients use fetch)', () => {
  /** The error `fetch` really throws when the server's side of the connection goes as `behave` says. */
  async function fetchError(behave: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<unknown> {
    const server = http.createServer(behave);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      await response.arrayBuffer();
      return undefined;
    } catch (error) {
      return error;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('is transient when the connection is dropped before an answer (undici: "fetch failed", cause UND_ERR_SOCKET), so the client gets 503, not 500', async () => {
    const error = await fetchError((req) => req.socket.destroy());
    expect(error).toMatchObject({ name: 'TypeError', cause: { code: 'UND_ERR_SOCKET' } });
    expect(isTransient(error)).toBe(true);
  });

  it('is transient when the connection is dropped half-way through the body ("terminated")', async () => {
    const error = await fetchError((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('abc', () => setTimeout(() => req.socket.destroy(), 20));
    });
    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });
    expect(isTransient(error)).toBe(true);
  });

  it('is transient when nothing listens (ECONNREFUSED)', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const error = await fetch(`http://127.0.0.1:${port}/`).then(() => undefined, (e: unknown) => e);
    expect(isTransient(error)).toBe(true);
  });
});
