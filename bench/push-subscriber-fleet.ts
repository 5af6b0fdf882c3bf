// Child process of push-subscribers.bench.ts: opens N raw push sockets, authenticates them, and records when each
// `Recv: mark-<n>` terminal line arrives (epoch ms, same clock as the parent). Prints READY once all sockets got
// their history; on "stop" (stdin) prints the arrivals as one JSON line and exits.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, name, session, countText] = process.argv.slice(2);
const count = Number(countText);
const now = (): number => performance.timeOrigin + performance.now();
const arrivals: Record<string, number[]> = {};
const sockets: WebSocket[] = [];
let registered = 0;

for (let index = 0; index < count; index += 1) {
  const ws = new WebSocket(`${url?.replace(/^http/, 'ws')}/sockjs/websocket`);
  sockets.push(ws);
  ws.on('message', (data) => {
    const text = String(data);
    if (text.startsWith('{"connected"')) ws.send(JSON.stringify({ auth: `${name}:${session}` }));
    else if (text.startsWith('{"history"')) {
      registered += 1;
      if (registered === count) process.stdout.write('READY\n');
    } else if (text.startsWith('{"current"')) {
      const at = now();
      for (const match of text.matchAll(/"Recv: mark-(\d+)"/g)) (arrivals[match[1] ?? ''] ??= []).push(at);
    }
  });
  ws.on('error', (error) => {
    process.stderr.write(`socket ${index}: ${error.message}\n`);
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stop') return;
  for (const ws of sockets) ws.terminate();
  // Exit only once the (large) line is flushed to the pipe.
  process.stdout.write(`${JSON.stringify(arrivals)}\n`, () => process.exit(0));
});
