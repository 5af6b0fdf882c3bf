import type { HostAction, PrinterStateId } from './printer-comm.types.js';

export interface HostActionTarget {
  state(): PrinterStateId;
  setState(state: PrinterStateId): void;
  /** The firmware ended its SD print. */
  forgetSdPrint(): void;
  disconnect(): void;
  log(message: string): void;
}

/** What the host does on a `//action:` line from the firmware (marlin-protocol.md §3.5, step 4). */
export function followHostAction(action: HostAction, target: HostActionTarget): void {
  const state = target.state();
  switch (action.action) {
    case 'disconnect':
      target.log('Disconnecting on request of the printer (action:disconnect)');
      target.disconnect();
      break;
    case 'pause':
    case 'paused':
      if (state === 'PRINTING') target.setState('PAUSED');
      break;
    case 'resume':
    case 'resumed':
      if (state === 'PAUSED') target.setState('PRINTING');
      break;
    case 'cancel':
      if (state === 'PRINTING' || state === 'PAUSED') {
        target.forgetSdPrint();
        target.setState('OPERATIONAL');
      }
      break;
  }
}
