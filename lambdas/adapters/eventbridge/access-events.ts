/** The portal-access lifecycle's events on the stack's bus: source `portal.access`, detail `{ contactId, email, at }`. */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EMITTED_SOURCE } from '../../contract/events';
import type { AccessEventDetail, AccessEvents, AccessEventType } from '../../domain/portal-access/ports';

/** The source this adapter stamps on every event: the one the stack's rules exclude. */
export const ACCESS_EVENT_SOURCE = EMITTED_SOURCE;

/**
 * The entry error codes AWS calls retryable (PutEventsResultEntry): EventBridge answers `200` with the
 * entry failed, so the SDK retries nothing; the error says "try again later", as a 503 would, so that
 * the outbox worker tries again in place rather than spend one of its stream's retries at once.
 */
const RETRYABLE_ENTRY_ERRORS = new Set(['InternalFailure', 'ThrottlingException']);

/** An entry PutEvents refused. */
export class EventRefused extends Error {
  readonly $retryable?: { throttling: boolean };
  constructor(type: string, readonly errorCode: string) {
    super(`PutEvents refused ${type}: ${errorCode}`);
    this.name = 'EventRefused';
    if (RETRYABLE_ENTRY_ERRORS.has(errorCode)) this.$retryable = { throttling: errorCode === 'ThrottlingException' };
  }
}

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
    if ((out.FailedEntryCount ?? 0) > 0) throw new EventRefused(type, out.Entries?.[0]?.ErrorCode ?? 'unknown');
  }
}
