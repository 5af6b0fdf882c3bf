/** @hotend/firmware-sim: a Marlin 2.1 imitation (filled in by its own issue). */
export const FIRMWARE_SIM_VERSION = '0.1.0';
