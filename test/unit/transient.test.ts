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
