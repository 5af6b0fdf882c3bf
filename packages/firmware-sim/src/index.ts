/** @hotend/firmware-sim: a Marlin 2.1 firmware simulator with fault injection, a serialport binding and a pty. */
export const FIRMWARE_SIM_VERSION = '0.1.0';

export { type SimClock, RealClock, VirtualClock } from './clock.js';
export { checksum, formatLine } from './checksum.js';
export { type MarlinSimOptions, type SimDialect, DEFAULT_CAPABILITIES, VP_CAPABILITIES } from './options.js';
export {
  MarlinSim,
  SimFaults,
  type ExecutedCommand,
  type FatalKind,
  type HeaterRef,
  type HeaterState,
  type Position,
  type SdState,
  type SimState,
} from './sim.js';
export { type SdStore, type SdEntry, MemorySdStore, FolderSdStore, dosListing, fatTimestamp } from './sd.js';
export { parseCommand, commandText, type ParsedCommand } from './gcode.js';
export { createSimBinding, type SimBinding, SimBindingPort } from './binding.js';
export { startPtySimulator, type PtySimulator, type PtySimulatorOptions } from './pty.js';
