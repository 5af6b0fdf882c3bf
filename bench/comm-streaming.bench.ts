// Streaming 20,000 short G1 lines to the firmware simulator over a real pseudo-terminal (opened through
// @serialport/bindings-cpp): PrinterComm in ping-pong mode against a raw pty ping-pong loop (the limit), and
// PrinterComm in send-ahead mode against ping-pong. Moves take no simulated time, so the wire is the bottleneck.
import { autoDetect } from '@serialport/bindings-cpp';
import { startPtySimulator } from '@hotend/firmware-sim';
import { PrinterComm } from '../apps/server/dist/comm/printer-comm.js';
import { openSerialLink } from '../apps/server/dist/comm/serial-link.js';
import { rawPingPong, STREAMING_SIM } from './raw-pty-loop.js';
import { ratio, report } from './report.js';

const LINES = 20_000;
const commands = Array.from({ length: LINES }, (_, index) => `G1 X${index % 2} F6000`);
const binding = autoDetect();

/** Lines per second through PrinterComm.send, checked against the simulator's executed log. */
async function throughComm(flowControl: 'ping-pong' | 'send-ahead'): Promise<number> {
  const pty = await startPtySimulator(STREAMING_SIM);
  const comm = new PrinterComm({
    openLink: (path, baudrate, handlers) => openSerialLink(binding, path, baudrate, handlers),
    flowControl,
    sendAheadLines: 8,
    rxBufferSize: 127,
  });
  await comm.connect({ port: pty.path, baudrate: 115200 });
  await comm.send('M400');
  const started = performance.now();
  await comm.send(commands);
  const seconds = (performance.now() - started) / 1000;
  await comm.send('M400'); // an ok means "planned"; M400 waits until every move ran
  const executed = pty.sim.executed.filter((entry) => entry.command.startsWith('G1 ')).length;
  if (executed !== LINES) throw new Error(`${flowControl}: ${executed} of ${LINES} lines executed`);
  await comm.disconnect();
  await pty.close();
  return LINES / seconds;
}

/**
 * Pty round trips on a shared machine come in modes several times apart, so one run proves little: rounds
 * interleave the three loops and their medians are compared.
 */
const ROUNDS = 5;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

await rawPingPong(commands); // warm-up: JIT and pty setup costs land here, not in the baseline
const raw: number[] = [];
const pingPong: number[] = [];
const sendAhead: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  raw.push(await rawPingPong(commands));
  pingPong.push(await throughComm('ping-pong'));
  sendAhead.push(await throughComm('send-ahead'));
}
const rounds = (values: number[]): string => values.map((value) => Math.round(value)).join(' ');
console.error(`lines/s per round: raw ${rounds(raw)}; ping-pong ${rounds(pingPong)}; send-ahead ${rounds(sendAhead)}`);
report({
  bench: 'comm-streaming',
  case: `ping-pong vs raw pty loop (median of ${ROUNDS})`,
  value: median(pingPong),
  unit: 'lines/s',
  baseline: median(raw),
  ratio: ratio(median(pingPong), median(raw)),
  goal: '>= 0.8',
});
report({
  bench: 'comm-streaming',
  case: `send-ahead vs ping-pong (median of ${ROUNDS})`,
  value: median(sendAhead),
  unit: 'lines/s',
  baseline: median(pingPong),
  ratio: ratio(median(sendAhead), median(pingPong)),
  goal: '>= 2',
});
