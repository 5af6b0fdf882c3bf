import type { HotendEvent } from '../events/events.dto.js';
import type { PrinterSnapshot, PrinterStatus } from '../comm/printer-comm.types.js';

const CLOSED = new Set(['OFFLINE', 'CLOSED', 'CLOSED_WITH_ERROR']);
const OPENING = new Set(['OPENING_SERIAL', 'DETECT_SERIAL', 'CONNECTING']);

/** OctoPrint's ids where Hotend's differ. */
const OCTOPRINT_STATE_ID: Readonly<Record<string, string>> = { OPENING_SERIAL: 'OPEN_SERIAL' };

export type CommView = Pick<PrinterSnapshot, 'status' | 'connection'>;

/**
 * The events a printer state change means, in OctoPrint's order: `Connecting` → `PrinterStateChanged` →
 * `Connected`; `PrinterStateChanged` → `Disconnected`. (`Error` comes from the comm feed's own error event.)
 */
export function commEventsFor(previous: PrinterStatus, next: CommView): HotendEvent[] {
  const before = previous.id;
  const after = next.status.id;
  if (before === after) return [];
  const events: HotendEvent[] = [];
  if (OPENING.has(after) && !OPENING.has(before)) events.push({ type: 'Connecting', payload: null });
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
