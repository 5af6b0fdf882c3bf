import type { PrinterFlags, PrinterStateId } from './printer-comm.types.js';

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

export function isOperationalState(state: PrinterStateId): boolean {
  return OPERATIONAL_STATES.has(state);
}

/** The state text as OctoPrint shows it (SD variants while printing from SD); the error itself is `state.error`. */
export function stateText(state: PrinterStateId, options: { sdPrinting: boolean }): string {
  if (state === 'PRINTING' && options.sdPrinting) return 'Printing from SD';
  if (state === 'STARTING' && options.sdPrinting) return 'Starting print from SD';
  return STATE_TEXTS[state];
}

/** OctoPrint's `state.flags` for a state. `ready` = operational, not printing and not busy streaming. */
export function stateFlags(state: PrinterStateId, options: { sdReady: boolean; busy: boolean }): PrinterFlags {
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
    ready: operational && !printing && !options.busy,
    sdReady: options.sdReady,
  };
}
