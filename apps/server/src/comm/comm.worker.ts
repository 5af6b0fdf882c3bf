/**
 * The comm worker (`serial.thread: worker`): owns the port, the protocol (PrinterComm) and, for port `VIRTUAL`, the
 * simulator, on an event loop of its own, so a reply from the printer is handled the moment it arrives however busy
 * the HTTP server is. The server holds WorkerComm, which mirrors the state posted from here and forwards calls.
 *
 * A child process, not a `worker_threads` Worker: `@serialport/bindings-cpp` polls the port on `uv_default_loop()`,
 * which is the main thread's loop, so a port opened in a worker thread crashes the process on its first read
 * (`Poller::onData` -> HandleScope fatal error; upstream serialport/bindings-cpp#176). A process has its own default
 * loop. Messages use the IPC channel with `serialization: 'advanced'` (structured clone).
 */
import { CommEngine } from './comm-engine.js';
import {
  type CommSnapshot,
  type CommWorkerData,
  type MainToWorker,
  type SerialLogEntry,
  serializeError,
  type WorkerToMain,
} from './comm-worker.protocol.js';
import type { TemperatureSample } from './printer-comm.types.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('comm.worker must be started by the server (it needs an IPC channel)');
const data = JSON.parse(process.env['HOTEND_COMM_WORKER_DATA'] ?? 'null') as CommWorkerData;

let serialLogEnabled = data.serialLogEnabled;
let additionalPorts: readonly string[] = data.additionalPorts;
const post = (message: WorkerToMain): void => {
  if (process.connected) send(message);
};

// Pending for the next update: serial.log lines and temperature samples, in order.
let serialLog: SerialLogEntry[] = [];
let history: TemperatureSample[] = [];
let flushScheduled = false;

const engine = new CommEngine(data.settings, {
  additionalPorts: () => additionalPorts,
  diagnostics: {
    log: (message) => post({ type: 'log', level: 'log', message }),
    warn: (message) => post({ type: 'log', level: 'warn', message }),
    error: (message) => post({ type: 'log', level: 'error', message }),
  },
  traffic: {
    get enabled() {
      return serialLogEnabled;
    },
    // Every line sent or received passes here, so this is also where a state update gets scheduled.
    append: (direction, line) => {
      if (serialLogEnabled) serialLog.push({ direction, line });
      scheduleFlush();
    },
    rollOver: () => {
      serialLog.push({ rollOver: true });
      scheduleFlush();
    },
  },
});
const comm = engine.comm;

// The server is gone (it ended, or was killed without a shutdown): never outlive it.
process.on('disconnect', () => {
  void engine.dispose().finally(() => process.exit(0));
});

comm.events.on('temperature', () => {
  const sample = comm.temperatureHistory.at(-1);
  if (sample !== undefined) history.push(sample);
  scheduleFlush();
});
for (const event of ['state', 'sdFiles', 'action', 'prompt']) comm.events.on(event, scheduleFlush);

function snapshot(): CommSnapshot {
  return {
    status: comm.status,
    connection: comm.connection,
    heaters: comm.heaters,
    sd: comm.sd,
    lastError: comm.lastError ?? null,
    sdFiles: [...comm.sdFiles],
    currentTool: comm.currentTool,
    invalidTools: [...comm.invalidTools],
  };
}

// What the main thread last received, field by field, as JSON (the objects are small and flat).
const sent = new Map<keyof CommSnapshot, string>();
let sentSdFiles: unknown;

function flush(): void {
  flushScheduled = false;
  const current = snapshot();
  const changed: Partial<CommSnapshot> = {};
  let anyChanged = false;
  for (const key of Object.keys(current) as (keyof CommSnapshot)[]) {
    // The file list can be long: compare it by identity (PrinterComm replaces it after each listing).
    if (key === 'sdFiles') {
      if (sentSdFiles === comm.sdFiles) continue;
      sentSdFiles = comm.sdFiles;
    } else {
      const json = JSON.stringify(current[key]);
      if (sent.get(key) === json) continue;
      sent.set(key, json);
    }
    Object.assign(changed, { [key]: current[key] });
    anyChanged = true;
  }
  if (!anyChanged && history.length === 0 && serialLog.length === 0) return;
  post({ type: 'update', changed, history, serialLog });
  history = [];
  serialLog = [];
}

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}

/** Replies go after a flush, so the caller sees the state the command left behind when its promise settles. */
function reply(id: number, outcome: { value?: string[] } | { error: unknown }): void {
  flush();
  if ('error' in outcome) post({ type: 'reply', id, error: serializeError(outcome.error) });
  else post({ type: 'reply', id, ...outcome });
}

async function run(id: number, call: Extract<MainToWorker, { type: 'call' }>['call']): Promise<void> {
  try {
    switch (call.method) {
      case 'connect':
        additionalPorts = call.additionalPorts;
        await comm.connect(call.parameters);
        return reply(id, {});
      case 'disconnect':
        await comm.disconnect();
        return reply(id, {});
      case 'send':
        await comm.send(call.lines);
        return reply(id, {});
      case 'listPorts':
        additionalPorts = call.additionalPorts;
        return reply(id, { value: await engine.listPorts() });
    }
  } catch (error) {
    reply(id, { error });
  }
}

process.on('message', (message: MainToWorker) => {
  switch (message.type) {
    case 'call':
      void run(message.id, message.call);
      return;
    case 'fakeAck':
      comm.fakeAck();
      scheduleFlush();
      return;
    case 'serialLog':
      serialLogEnabled = message.enabled;
      return;
    case 'dispose':
      void engine.dispose().finally(() => {
        flush();
        post({ type: 'disposed' });
        process.disconnect();
      });
      return;
  }
});

// The initial state, before any call.
flush();
