// Child process of push-subscribers.bench.ts: the firmware simulator on a pseudo-terminal, off the server's event
// loop (as a real printer is). Prints the pty path, then `MARK <n> <epoch ms>` whenever it writes the line
// `mark-<n>` (the echo of `M118 mark-<n>`) to the port.
import { startPtySimulator } from '@hotend/firmware-sim';

const pty = await startPtySimulator({ resetOnOpen: false, moveTimeFactor: 0, sdCard: false });
pty.sim.onOutput((chunk) => {
  const at = performance.timeOrigin + performance.now();
  for (const match of chunk.matchAll(/mark-(\d+)/g)) process.stdout.write(`MARK ${match[1]} ${at}\n`);
});
process.stdout.write(`${pty.path}\n`);
process.on('SIGTERM', () => {
  void pty.close().then(() => process.exit(0));
});
// Never outlive the benchmark (a failed run must not leave a simulator behind).
setInterval(() => {
  if (process.ppid === 1) void pty.close().then(() => process.exit(0));
}, 500).unref();
