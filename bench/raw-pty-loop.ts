// The baseline of the streaming benches: the tightest send-and-wait-for-ok loop written directly against a
// pseudo-terminal (opened through @serialport/bindings-cpp, printcore's approach), into the firmware simulator.
import { autoDetect } from '@serialport/bindings-cpp';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { startPtySimulator } from '@hotend/firmware-sim';
import { numberedLine } from '../apps/server/dist/comm/gcode-line.js';

const binding = autoDetect();

/** The simulator of the streaming benches: moves take no simulated time, so the wire and the host are the limit. */
export const STREAMING_SIM = { resetOnOpen: false, moveTimeFactor: 0, sdCard: false } as const;

/** Lines per second for `commands` sent one at a time, each written from the previous line's ok handler. */
export async function rawPingPong(commands: readonly string[]): Promise<number> {
  const pty = await startPtySimulator(STREAMING_SIM);
  const port = new SerialPortStream({ binding, path: pty.path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  const parser = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
  // No queue, no promises: the next line goes out from the ok handler itself.
  let next = 0;
  let started = 0;
  await new Promise<void>((resolve) => {
    parser.on('data', (line: string) => {
      if (!line.startsWith('ok')) return;
      if (next === 0) started = performance.now();
      if (next === commands.length) {
        resolve();
        return;
      }
      next += 1;
      port.write(`${numberedLine(next, commands[next - 1] ?? '')}\n`);
    });
    port.write(`${numberedLine(0, 'M110 N0')}\n`);
  });
  const seconds = (performance.now() - started) / 1000;
  await new Promise<void>((resolve) => port.close(() => resolve()));
  await pty.close();
  return commands.length / seconds;
}
