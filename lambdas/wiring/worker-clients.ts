/**
 * The clients only the background functions use: SES (the outbox worker's, without retries — each
 * attempt takes its own pacing slot, domain/portal-access/delivery.ts) and EventBridge (the worker's
 * and the scheduled job's). Kept apart from clients.ts so that no HTTP function's bundle carries them.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SDK_LOGGER } from './clients';

let ses: SESv2Client | undefined;
let eventBridge: EventBridgeClient | undefined;

export const sesClient = (): SESv2Client =>
  (ses ??= new SESv2Client({ maxAttempts: 1, logger: SDK_LOGGER, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } }));
export const eventBridgeClient = (): EventBridgeClient => (eventBridge ??= new EventBridgeClient({ maxAttempts: 3, logger: SDK_LOGGER }));
