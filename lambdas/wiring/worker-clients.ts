/**
 * The clients only the background functions use: SES (the outbox worker's, without retries — each
 * attempt takes its own pacing slot, domain/portal-access/delivery.ts) and EventBridge (the worker's
 * and the scheduled job's). Kept apart from clients.ts so that no HTTP function's bundle carries them.
 *
 * Each call is cut off: a connection not made within `connectionTimeout`, an answer not there
 * within `requestTimeout` (`throwOnRequestTimeout`: without it the SDK's handler only logs a
 * warning and the call waits for ever — a hung SES or EventBridge would hold the worker, and every
 * item behind it, until its invocation is killed). A cut-off call is a `TimeoutError`: transient,
 * so the worker tries it again (an SES one with the same mail: it may have been taken).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SDK_LOGGER } from './clients';

let ses: SESv2Client | undefined;
let eventBridge: EventBridgeClient | undefined;

/** An SES call is given up after 3 s + 10 s at most (outbox.ts's lease outlasts it). */
export const SES_REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true } as const;
/** PutEvents of one entry answers in milliseconds: each of the 3 attempts is given up after 3 s + 5 s. */
export const EVENTBRIDGE_REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true } as const;

export const sesClient = (): SESv2Client => (ses ??= new SESv2Client({ maxAttempts: 1, logger: SDK_LOGGER, requestHandler: SES_REQUEST_HANDLER }));
export const eventBridgeClient = (): EventBridgeClient => (eventBridge ??= new EventBridgeClient({ maxAttempts: 3, logger: SDK_LOGGER, requestHandler: EVENTBRIDGE_REQUEST_HANDLER }));
