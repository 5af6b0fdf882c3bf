import { statSync } from 'node:fs';

/**
 * Why a port named in a connect request cannot be opened, or undefined when it can be tried. Like OctoPrint, any
 * serial device that exists may be connected to, listed or not (a simulator's pty, a `/dev/serial/by-id` link).
 */
export function unusablePortReason(port: string): string | undefined {
  let isDevice: boolean;
  try {
    isDevice = statSync(port).isCharacterDevice();
  } catch {
    return `port is invalid: ${port} does not exist. GET /api/connection lists the ports found; a path that exists (a USB serial device, or the one npx hotend-firmware-sim --pty prints) may also be given`;
  }
  return isDevice ? undefined : `port is invalid: ${port} is not a serial device`;
}
