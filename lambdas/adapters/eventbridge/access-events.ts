/** The portal-access lifecycle's events on the stack's bus: source `portal.access`, detail `{ contactId, email, at }`. */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EMITTED_SOURCE } from '../../contract/events';
import type { AccessEventDetail, AccessEvents, AccessEventType } from '../../domain/portal-access/ports';

/** The source this adapter stamps on every event: the one the stack's rules exclude. */
export const ACCESS_EVENT_SOURCE = EMITTED_SOURCE;

export class EventBridgeAccessEvents implements AccessEvents {
  readonly #eventBridge: EventBridgeClient;
  readonly #busName: string;

  constructor(eventBridge: EventBridgeClient, busName: string) {
    [this.#eventBridge, this.#busName] = [eventBridge, busName];
  }

  async emit(type: AccessEventType, detail: AccessEventDetail): Promise<void> {
    const out = await this.#eventBridge.send(
      new PutEventsCommand({
        Entries: [{ Source: ACCESS_EVENT_SOURCE, DetailType: type, Detail: JSON.stringify(detail), EventBusName: this.#busName }],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new Error(`PutEvents refused ${type}: ${entry?.ErrorCode ?? 'unknown'}`);
    }
  }
}
