/**
 * The clients only the outbox worker uses: SES (without retries — each attempt takes its own pacing
 * slot, domain/portal-access/delivery.ts) and EventBridge. Kept apart from clients.ts so that no
 * HTTP function's bundle carries them.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';

let ses: SESv2Client | undefined;
let eventBridge: EventBridgeClient | undefined;

export const sesClient = (): SESv2Client =>
  (ses ??= new SESv2Client({ maxAttempts: 1, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } }));
export const eventBridgeClient = (): EventBridgeClient => (eventBridge ??= new EventBridgeClient({ maxAttempts: 3 }));
