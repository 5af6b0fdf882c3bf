import type { HotendEvent } from '../events/events.dto.js';
import type { CurrentConnection, PrinterErrorInfo, PrinterStatus } from '../comm/printer-comm.types.js';

const CLOSED = new Set(['OFFLINE', 'CLOSED', 'CLOSED_WITH_ERROR']);
const OPENING = new Set(['OPENING_SERIAL', 'DETECT_SERIAL', 'CONNECTING']);
const ERRORS = new Set(['ERROR', 'CLOSED_WITH_ERROR']);

/** OctoPrint's ids where Hotend's differ. */
const OCTOPRINT_STATE_ID: Readonly<Record<string, string>> = { OPENING_SERIAL: 'OPEN_SERIAL' };

export interface CommView {
  readonly status: PrinterStatus;
  readonly connection: CurrentConnection;
  readonly lastError: PrinterErrorInfo | undefined;
}

/**
 * The events a printer state change means, in OctoPrint's order: `Connecting` → `PrinterStateChanged` →
 * `Connected`; `Error` → `PrinterStateChanged` → `Disconnected`.
 */
export function commEventsFor(previous: PrinterStatus, next: CommView): HotendEvent[] {
  const before = previous.id;
  const after = next.status.id;
  if (before === after) return [];
  const events: HotendEvent[] = [];
  if (OPENING.has(after) && !OPENING.has(before)) events.push({ type: 'Connecting', payload: null });
  if (ERRORS.has(after) && !ERRORS.has(before)) {
    const error = next.lastError;
    events.push({
      type: 'Error',
      payload: {
        error: error?.error ?? next.status.error ?? next.status.text,
        reason: error?.reason ?? 'connection',
        ...(error?.consequence ? { consequence: error.consequence } : {}),
        ...(error?.faq ? { faq: error.faq } : {}),
        ...(error !== undefined && error.logs.length > 0 ? { logs: [...error.logs] } : {}),
      },
    });
  }
  events.push({
    type: 'PrinterStateChanged',
    payload: { state_id: OCTOPRINT_STATE_ID[after] ?? after, state_string: next.status.text },
  });
  if (after === 'OPERATIONAL' && (OPENING.has(before) || CLOSED.has(before))) {
    events.push({
      type: 'Connected',
      payload: { port: next.connection.port ?? '', baudrate: next.connection.baudrate ?? 0 },
    });
  }
  if (CLOSED.has(after) && !CLOSED.has(before)) events.push({ type: 'Disconnected', payload: null });
  return events;
}
