/** The portal-access lifecycle's events on the stack's bus: source `portal.access`, detail `{ contactId, email, at }`. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { env } from '../../contract/env';
import { EMITTED_SOURCE } from '../../contract/event-rules';
import type { AccessEvents, AccessEventType } from '../../domain/portal-access/ports';

/** The source this adapter stamps on every event: the one the stack's rules exclude. */
export const ACCESS_EVENT_SOURCE = EMITTED_SOURCE;

let client: EventBridgeClient | undefined;
const eventBridge = () => (client ??= new EventBridgeClient({ maxAttempts: 3 }));

export class EventBridgeAccessEvents implements AccessEvents {
  async emit(type: AccessEventType, detail: { contactId: string; email: string; at: string }): Promise<void> {
    const out = await eventBridge().send(
      new PutEventsCommand({
        Entries: [{ Source: ACCESS_EVENT_SOURCE, DetailType: type, Detail: JSON.stringify(detail), EventBusName: env('eventBusName') }],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new Error(`PutEvents refused ${type}: ${entry?.ErrorCode ?? 'unknown'}`);
    }
  }
}
