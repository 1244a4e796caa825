/**
 * BatchGetItem's unprocessed keys (what DynamoDB did not read this time, throttled) are asked again, a
 * few rounds with a growing pause; then the read gives up with a throttling error, which the request
 * answers `503` with `Retry-After` — never a loop until the function's timeout.
 */
export const UNPROCESSED_ROUNDS = 6;

/** The pause before round `round` (1, 2, …; none before the first): 40 ms, 80 ms, … at most 1 s. */
export const unprocessedPause = (round: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** round)));

/** The error of a read whose keys were still unprocessed after `UNPROCESSED_ROUNDS` rounds. */
export const keysLeftUnprocessed = (): Error => Object.assign(new Error('BatchGetItem left keys unprocessed'), { name: 'ThrottlingException' });
