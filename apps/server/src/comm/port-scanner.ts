import { readdirSync } from 'node:fs';

/** The port name that selects the built-in simulator. */
export const VIRTUAL_PORT = 'VIRTUAL';

/** Natural order: `/dev/ttyACM2` before `/dev/ttyACM10`. */
export function naturalSort(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** USB serial devices found by name in `/dev` (used when the native port list is unavailable). */
export function scanDevicePorts(devDirectory = '/dev'): string[] {
  try {
    return readdirSync(devDirectory)
      .filter((name) => /^tty(USB|ACM)\d+$/.test(name))
      .map((name) => `${devDirectory}/${name}`);
  } catch {
    return [];
  }
}

/**
 * Device ports to offer: the native list when it works (it needs udevadm on Linux, which this machine lacks),
 * else a `/dev` scan; plus the configured extra ports. Never throws.
 */
export async function listDevicePorts(additional: readonly string[]): Promise<string[]> {
  let found: string[] = [];
  try {
    const { autoDetect } = await import('@serialport/bindings-cpp');
    found = (await autoDetect().list()).map((info) => info.path);
  } catch {
    found = scanDevicePorts();
  }
  return naturalSort(new Set([...found, ...additional.flatMap(expandPortPattern)]));
}

/**
 * `serial.additionalPorts` entries may be globs in their last segment (`/dev/ttyAMA*`, `/dev/serial/by-id/*`), as
 * in OctoPrint: a pattern lists the paths that match it now; a plain path is listed as written.
 */
export function expandPortPattern(pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const name = pattern.slice(slash + 1);
  if (!/[*?[]/.test(name)) return [pattern];
  const directory = pattern.slice(0, slash) || '/';
  const escaped = name
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
    .replace(/\[!/g, '[^');
  try {
    const matcher = new RegExp(`^${escaped}$`);
    return readdirSync(directory)
      .filter((entry) => !entry.startsWith('.') && matcher.test(entry))
      .map((entry) => `${directory === '/' ? '' : directory}/${entry}`);
  } catch {
    return [];
  }
}

/** OctoPrint's baud rates to try, in its order, when the baud rate is 0 (detect). */
const DETECTION_BAUDRATES = [115200, 250000, 230400, 57600, 38400, 19200, 9600];

/**
 * The (port, baud rate) pairs a connect tries, in order: `AUTO` means every device port and then `VIRTUAL`, baud
 * rate 0 every detection rate (only the first two when several ports are candidates, as OctoPrint).
 */
export async function connectionCandidates(
  parameters: { port: string; baudrate: number },
  options: { detectionPorts?: () => Promise<string[]>; detectionBaudrates?: readonly number[] },
): Promise<{ port: string; baudrate: number }[]> {
  const ports =
    parameters.port === 'AUTO'
      ? [...(await (options.detectionPorts?.() ?? Promise.resolve([]))), VIRTUAL_PORT]
      : [parameters.port];
  const all = options.detectionBaudrates ?? DETECTION_BAUDRATES;
  const bauds = parameters.baudrate !== 0 ? [parameters.baudrate] : ports.length > 1 ? all.slice(0, 2) : all;
  return ports.flatMap((port) => bauds.map((baudrate) => ({ port, baudrate })));
}
