import type { PrinterFlags, PrinterSnapshot, PrinterStateId } from './printer-comm.types.js';

/** OctoPrint's human text for each state (`MachineCom.getStateString`). Error states show the error instead. */
export const STATE_TEXTS: Readonly<Record<PrinterStateId, string>> = {
  OFFLINE: 'Offline',
  OPENING_SERIAL: 'Opening serial connection',
  DETECT_SERIAL: 'Detecting serial connection',
  CONNECTING: 'Connecting',
  OPERATIONAL: 'Operational',
  STARTING: 'Starting',
  PRINTING: 'Printing',
  PAUSING: 'Pausing',
  PAUSED: 'Paused',
  RESUMING: 'Resuming',
  CANCELLING: 'Cancelling',
  FINISHING: 'Finishing',
  CLOSED: 'Offline',
  ERROR: 'Error',
  CLOSED_WITH_ERROR: 'Offline after error',
};

/** The states of a job between its start and its end (a host print, an SD print or an SD transfer). */
const JOB_STATES: ReadonlySet<PrinterStateId> = new Set([
  'STARTING',
  'PRINTING',
  'PAUSING',
  'PAUSED',
  'RESUMING',
  'CANCELLING',
  'FINISHING',
]);
const OPERATIONAL_STATES: ReadonlySet<PrinterStateId> = new Set([
  'OPERATIONAL',
  'STARTING',
  'PRINTING',
  'PAUSING',
  'PAUSED',
  'RESUMING',
  'CANCELLING',
  'FINISHING',
]);
const PRINTING_STATES: ReadonlySet<PrinterStateId> = new Set([
  'STARTING',
  'PRINTING',
  'PAUSING',
  'RESUMING',
  'CANCELLING',
  'FINISHING',
]);

export function isJobState(state: PrinterStateId): boolean {
  return JOB_STATES.has(state);
}

export function isOperationalState(state: PrinterStateId): boolean {
  return OPERATIONAL_STATES.has(state);
}

/** The state text as OctoPrint shows it (SD variants while printing from SD); the error itself is `state.error`. */
export function stateText(state: PrinterStateId, options: { sdPrinting: boolean; sdTransfer?: boolean }): string {
  // OctoPrint's TRANSFERING_FILE reads as its own Starting/Printing texts (`Transferring file to SD` is never shown).
  if (state === 'PRINTING' && options.sdTransfer === true) return 'Sending file to SD';
  if (state === 'STARTING' && options.sdTransfer === true) return 'Starting to send file to SD';
  if (state === 'PRINTING' && options.sdPrinting) return 'Printing from SD';
  if (state === 'STARTING' && options.sdPrinting) return 'Starting print from SD';
  return STATE_TEXTS[state];
}

/** OctoPrint's `state.flags` for a state. `ready` = operational and not printing. */
export function stateFlags(state: PrinterStateId, options: { sdReady: boolean }): PrinterFlags {
  const operational = OPERATIONAL_STATES.has(state);
  const printing = PRINTING_STATES.has(state);
  const error = state === 'ERROR' || state === 'CLOSED_WITH_ERROR';
  return {
    operational,
    printing,
    cancelling: state === 'CANCELLING',
    pausing: state === 'PAUSING',
    resuming: state === 'RESUMING',
    finishing: state === 'FINISHING',
    closedOrError: error || state === 'OFFLINE' || state === 'CLOSED',
    error,
    paused: state === 'PAUSED',
    ready: operational && !printing,
    sdReady: options.sdReady,
  };
}

/** The printer before any connection: what the server shows until the comm layer reports. */
export function initialSnapshot(): PrinterSnapshot {
  return {
    status: { id: 'CLOSED', text: STATE_TEXTS.CLOSED, flags: stateFlags('CLOSED', { sdReady: false }) },
    connection: { state: 'Closed', port: null, baudrate: null },
    heaters: {},
    sd: { ready: false, printing: false },
    lastError: null,
    firmware: { name: null, capabilities: {} },
    currentZ: null,
    resends: { count: 0, transmitted: 0, ratio: 0 },
  };
}

/**
 * The printer after its comm process died: offline after an error with the reason, whatever it showed before
 * (connection details kept, so the UI still names the port).
 */
export function lostSnapshot(before: PrinterSnapshot, reason: string): PrinterSnapshot {
  const id = 'CLOSED_WITH_ERROR';
  const text = STATE_TEXTS[id];
  return {
    ...before,
    status: { id, text, flags: stateFlags(id, { sdReady: false }), error: reason },
    connection: { ...before.connection, state: text },
    lastError: { error: reason, reason: 'serial', consequence: null, faq: null, logs: [] },
  };
}
