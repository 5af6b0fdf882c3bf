import { Injectable, Logger } from '@nestjs/common';
import type { HotendEvent, HotendEventName, HotendEventPayload } from './events.dto.js';

type EventListener = (event: HotendEvent) => void;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Hotend's event channel: the comm watcher, login, files and jobs emit here; the push socket (and anything else)
 * listens. Listeners run synchronously in emit order; one that throws is logged and does not stop the others.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('hotend.events');
  private readonly listeners = new Set<EventListener>();

  /**
   * Fires an event. The payload is copied and frozen, so a listener sees what was fired even if the caller reuses
   * its object (OctoPrint's PrintCancelled once picked up the `reason` PrintFailed added later).
   */
  emit<N extends HotendEventName>(type: N, payload: HotendEventPayload<N>): void {
    const event = deepFreeze({ type, payload: structuredClone(payload) }) as HotendEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`A listener of ${type} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Calls `listener` for every event from now on; the returned function stops that. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
