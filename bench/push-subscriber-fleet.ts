// Child process of push-subscribers.bench.ts: opens N raw push sockets and authenticates them. Every SAMPLE_EVERY-th
// socket (spread over the connection order) records, for each `Recv: mark-<n>` terminal line, when it arrived and
// when the `current` before it arrived on that socket (epoch ms, same clock as the parent); the others only receive,
// as a client that keeps up does, without decoding, so the fleet's own CPU stays small beside the server's.
// Prints READY once all sockets got their history; on "stop" (stdin) prints
// `{"arrivals": {mark: [[at, previousAt], ...]}, "cpuMs": n}` as one JSON line and exits.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const SAMPLE_EVERY = 10;
const [url, name, session, countText] = process.argv.slice(2);
const count = Number(countText);
const now = (): number => performance.timeOrigin + performance.now();
const arrivals: Record<string, [number, number][]> = {};
const sockets: WebSocket[] = [];
let registered = 0;
const cpuAtStart = process.cpuUsage();

for (let index = 0; index < count; index += 1) {
  const ws = new WebSocket(`${url?.replace(/^http/, 'ws')}/sockjs/websocket`);
  sockets.push(ws);
  const sampled = index % SAMPLE_EVERY === 0;
  let previousAt = Number.NaN;
  let live = false;
  ws.on('message', (data: Buffer) => {
    if (!live) {
      const text = String(data);
      if (text.startsWith('{"connected"')) ws.send(JSON.stringify({ auth: `${name}:${session}` }));
      else if (text.startsWith('{"history"')) {
        live = true;
        registered += 1;
        if (registered === count) process.stdout.write('READY\n');
      }
      return;
    }
    if (!sampled) return;
    const at = now();
    const text = String(data);
    if (!text.startsWith('{"current"')) return;
    for (const match of text.matchAll(/"Recv: mark-(\d+)"/g)) (arrivals[match[1] ?? ''] ??= []).push([at, previousAt]);
    previousAt = at;
  });
  ws.on('error', (error) => {
    process.stderr.write(`socket ${index}: ${error.message}\n`);
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stop') return;
  for (const ws of sockets) ws.terminate();
  const cpu = process.cpuUsage(cpuAtStart);
  // Exit only once the (large) line is flushed to the pipe.
  process.stdout.write(`${JSON.stringify({ arrivals, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`, () =>
    process.exit(0),
  );
});
