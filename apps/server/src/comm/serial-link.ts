import { ReadlineParser } from '@serialport/parser-readline';
import { type OpenOptions, SerialPortStream } from '@serialport/stream';
import { directIo } from './direct-io-port.js';

/**
 * A `@serialport/bindings-interface` binding, named through `@serialport/stream` (the interface package's ESM entry
 * ships no types under NodeNext resolution).
 */
export type SerialBinding = OpenOptions['binding'];

/** A write to the port failed (as opposed to a read or the port closing). */
export class SerialWriteError extends Error {}

/** What PrinterComm needs from a port: ordered writes, whole lines in, one close notification. */
export interface CommLink {
  /**
   * Queues bytes for the port, in order. `written` runs once the port accepted them (a device that stops draining
   * never calls it); failures arrive through `onClose` as a {@link SerialWriteError}.
   */
  write(data: string, written?: () => void): void;
  close(): Promise<void>;
}

export interface LinkHandlers {
  onLine(line: string): void;
  /** The port closed without `close()` being called (unplugged, read error), or failed. */
  onClose(error: Error): void;
}

export type OpenLink = (port: string, baudrate: number, handlers: LinkHandlers) => Promise<CommLink>;

/**
 * Opens `path` through `binding` (with direct reads and writes where it can: see direct-io-port.ts) as a
 * `SerialPortStream` piped into a `\n` readline parser. Lines arrive without
 * `\r` (NUL bytes are left for PrinterComm to report); bytes are decoded as latin1 so nothing is ever lost to a
 * decoding error.
 */
export async function openSerialLink(
  binding: SerialBinding,
  path: string,
  baudRate: number,
  handlers: LinkHandlers,
): Promise<CommLink> {
  const port = new SerialPortStream({ binding: directIo(binding), path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  let closing = false;
  let reported = false;
  const report = (error: Error): void => {
    if (closing || reported) return;
    reported = true;
    handlers.onClose(error);
  };
  const parser = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
  parser.on('data', (line: string) => handlers.onLine(line.replace(/\r/g, '')));
  port.on('error', (error: Error) => report(error));
  port.on('close', (error: Error | null) => report(error ?? new Error('The serial port was closed')));
  return {
    write(data: string, written?: () => void): void {
      port.write(Buffer.from(data, 'latin1'), (error) => {
        if (error) report(new SerialWriteError(error.message, { cause: error }));
        else written?.();
      });
    },
    close(): Promise<void> {
      if (closing || !port.isOpen) return Promise.resolve();
      closing = true;
      return new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
