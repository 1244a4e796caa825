/** The lifecycle's events: a lost event is logged, never fails the change it reports. */
import type { AccessEventDetail, AccessEventType, RevocationDeps } from './ports';

export async function emitAccessEvent(deps: Pick<RevocationDeps, 'events' | 'warn'>, type: AccessEventType, detail: AccessEventDetail): Promise<void> {
  try {
    await deps.events.emit(type, detail);
  } catch (error) {
    deps.warn('event not emitted', { type, contactId: detail.contactId, error });
  }
}
