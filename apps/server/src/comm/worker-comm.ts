import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommSettings } from './comm-engine.js';
import {
  type CommCall,
  type CommSnapshot,
  type CommWorkerData,
  type MainToWorker,
  reviveError,
  type WorkerToMain,
} from './comm-worker.protocol.js';
import { ConnectionLostError } from './printer-comm.js';
import type {
  ConnectionParameters,
  CurrentConnection,
  HeaterReadings,
  PrinterCommApi,
  PrinterErrorInfo,
  PrinterStatus,
  SdStatus,
  TemperatureSample,
} from './printer-comm.types.js';
import type { SdFileEntry } from './reply-parsers.js';
import { stateFlags } from './comm-state.js';

/**
 * The worker entry beside this file. It only exists as JavaScript in the built server (`dist/comm/comm.worker.js`):
 * node cannot start the TypeScript sources vitest runs, so tests that use the sources run `serial.thread: main`
 * (the harness sets it, which also keeps the `VIRTUAL` simulator in the test's reach), and the worker mode is tested
 * end to end against the built server (test/comm-worker.e2e-spec.ts), i.e. exactly the code `npm start` runs.
 */
export const COMM_WORKER_URL = new URL('./comm.worker.js', import.meta.url);

const HISTORY_SPAN_S = 30 * 60;
/** How long a shutting-down worker may take to close the port before it is killed. */
const DISPOSE_GRACE_MS = 5000;

export interface WorkerCommSinks {
  log(level: 'log' | 'warn' | 'error', message: string): void;
  serialLog?: {
    readonly enabled: boolean;
    append(direction: 'Send' | 'Recv' | 'Info', line: string): void;
    rollOver(): void;
  };
}

interface PendingCall {
  resolve(value: string[] | undefined): void;
  reject(error: Error): void;
}

const ABSENT_HEATERS: HeaterReadings = {};

/**
 * PrinterCommApi in the server for a PrinterComm running in the comm worker (a child process, see comm.worker.ts). Reads return the latest state the
 * worker posted (they never wait and never touch the port); calls are messages answered by id, with the comm
 * layer's error classes rebuilt on this side.
 */
export class WorkerComm implements PrinterCommApi {
  private worker!: ChildProcess;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private state: CommSnapshot = {
    status: { id: 'CLOSED', text: 'Offline', flags: stateFlags('CLOSED', { sdReady: false, busy: false }) },
    connection: { state: 'Closed', port: null, baudrate: null },
    heaters: ABSENT_HEATERS,
    sd: { ready: false, printing: false },
    lastError: null,
    sdFiles: [],
    currentTool: 0,
    invalidTools: [],
  };
  private readonly history: TemperatureSample[] = [];
  private invalidToolSet: ReadonlySet<number> = new Set();
  private serialLogEnabled: boolean;
  private exited = false;
  private exit!: Promise<void>;
  /** Set by close(): a worker that ends after it is not started again. */
  private closed = false;
  /**
   * How the printer looked when its worker died: shown until the next connect, even once a fresh worker (started
   * by a port listing) reports its own idle state.
   */
  private lostWorker: Pick<CommSnapshot, 'status' | 'connection' | 'lastError'> | undefined;

  constructor(
    private readonly settings: CommSettings,
    private readonly additionalPorts: () => readonly string[],
    private readonly sinks: WorkerCommSinks,
    private readonly workerUrl: URL = COMM_WORKER_URL,
  ) {
    if (!existsSync(fileURLToPath(workerUrl))) {
      throw new Error(
        `serial.thread 'worker' needs the built comm worker (${fileURLToPath(workerUrl)}); ` +
          "run the built server or set serial.thread: 'main'",
      );
    }
    this.serialLogEnabled = sinks.serialLog?.enabled ?? false;
    this.spawn();
  }

  /**
   * Starts a worker. The first one starts with the server; after one ended unexpectedly (a crash in a native
   * module, a kill), the next call that needs the port starts a fresh one, so a connect from the UI recovers.
   */
  private spawn(): void {
    const workerData: CommWorkerData = {
      settings: this.settings,
      serialLogEnabled: this.serialLogEnabled,
      additionalPorts: [...this.additionalPorts()],
    };
    const worker = fork(fileURLToPath(this.workerUrl), [], {
      serialization: 'advanced',
      env: { ...process.env, HOTEND_COMM_WORKER_DATA: JSON.stringify(workerData) },
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.worker = worker;
    this.exited = false;
    this.holdProcess(false);
    worker.on('message', (message: WorkerToMain) => this.receive(message));
    worker.on('error', (error: Error) => {
      this.sinks.log('error', `The serial worker failed: ${error.stack ?? error.message}`);
      this.failed(`The serial worker failed: ${error.message}`);
    });
    this.exit = new Promise((resolve) =>
      worker.once('exit', (code, signal) => {
        this.exited = true;
        const reason = `The serial worker stopped (${signal ?? `exit code ${code}`})`;
        if (!this.closed) this.sinks.log('error', `${reason}; it starts again on the next connect`);
        this.failed(reason);
        resolve();
      }),
    );
  }

  get status(): PrinterStatus {
    return this.state.status;
  }
  get connection(): CurrentConnection {
    return this.state.connection;
  }
  get heaters(): HeaterReadings {
    // A copy per read, as PrinterComm gives: callers may keep or change it.
    const copy: HeaterReadings = {};
    for (const [key, reading] of Object.entries(this.state.heaters))
      copy[key] = { actual: reading.actual, target: reading.target };
    return copy;
  }
  get temperatureHistory(): readonly TemperatureSample[] {
    return this.history;
  }
  get sd(): SdStatus {
    return this.state.sd;
  }
  get lastError(): PrinterErrorInfo | undefined {
    return this.state.lastError ?? undefined;
  }
  get sdFiles(): readonly SdFileEntry[] {
    return this.state.sdFiles;
  }
  get currentTool(): number {
    return this.state.currentTool;
  }
  get invalidTools(): ReadonlySet<number> {
    return this.invalidToolSet;
  }

  async connect(parameters: ConnectionParameters): Promise<void> {
    this.lostWorker = undefined;
    await this.call({ method: 'connect', parameters, additionalPorts: [...this.additionalPorts()] });
  }
  async disconnect(): Promise<void> {
    await this.call({ method: 'disconnect' });
  }
  fakeAck(): void {
    this.post({ type: 'fakeAck' });
  }
  async send(lines: string | readonly string[]): Promise<void> {
    await this.call({ method: 'send', lines: typeof lines === 'string' ? [lines] : [...lines] });
  }
  async listPorts(): Promise<string[]> {
    return (await this.call({ method: 'listPorts', additionalPorts: [...this.additionalPorts()] })) ?? [];
  }

  /** Disconnects the printer (the worker closes the port and disposes the simulator), then ends the worker. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.exited) return;
    const disposed = new Promise<void>((resolve) => {
      const onMessage = (message: WorkerToMain): void => {
        if (message.type !== 'disposed') return;
        this.worker.off('message', onMessage);
        resolve();
      };
      this.worker.on('message', onMessage);
    });
    this.holdProcess(true);
    this.post({ type: 'dispose' });
    // It disconnects and exits once the port is closed; a worker that does not within the grace period is killed.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, DISPOSE_GRACE_MS).unref());
    await Promise.race([disposed.then(() => this.exit), this.exit, grace]);
    if (!this.exited) this.worker.kill('SIGKILL');
    await this.exit;
  }

  private call(call: CommCall): Promise<string[] | undefined> {
    if (this.exited && !this.closed && (call.method === 'connect' || call.method === 'listPorts')) this.spawn();
    if (this.exited) return Promise.reject(new ConnectionLostError('The serial worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.holdProcess(true);
      this.post({ type: 'call', id, call });
    });
  }

  /**
   * An idle comm layer never keeps the process alive (the HTTP server does; PrinterComm's timers are unref'd too),
   * but a call or a shutdown in progress does: its caller is waiting for the worker's answer.
   */
  private holdProcess(hold: boolean): void {
    if (hold) {
      this.worker.ref();
      this.worker.channel?.ref();
    } else {
      this.worker.unref();
      this.worker.channel?.unref();
    }
  }

  private post(message: MainToWorker): void {
    if (!this.exited && this.worker.connected) this.worker.send(message);
  }

  private receive(message: WorkerToMain): void {
    switch (message.type) {
      case 'update':
        this.apply(message);
        return;
      case 'log':
        this.sinks.log(message.level, message.message);
        return;
      case 'reply': {
        const pending = this.pending.get(message.id);
        if (pending === undefined) return;
        this.pending.delete(message.id);
        if (this.pending.size === 0) this.holdProcess(false);
        if ('error' in message) pending.reject(reviveError(message.error));
        else pending.resolve(message.value);
        return;
      }
      case 'disposed':
        return;
    }
  }

  private apply(update: Extract<WorkerToMain, { type: 'update' }>): void {
    this.state = { ...this.state, ...update.changed, ...this.lostWorker };
    if (update.changed.invalidTools !== undefined) this.invalidToolSet = new Set(update.changed.invalidTools);
    if (update.history.length > 0) {
      this.history.push(...update.history);
      // The same 30-minute window PrinterComm keeps.
      const cutoff = (update.history.at(-1)?.time ?? 0) - HISTORY_SPAN_S;
      let drop = 0;
      while (drop < this.history.length && (this.history[drop]?.time ?? 0) < cutoff) drop += 1;
      if (drop > 0) this.history.splice(0, drop);
    }
    const serialLog = this.sinks.serialLog;
    if (serialLog !== undefined) {
      for (const entry of update.serialLog) {
        if ('rollOver' in entry) serialLog.rollOver();
        else serialLog.append(entry.direction, entry.line);
      }
      // `serial.log` can be switched at run time; the worker only collects lines while it is on.
      if (serialLog.enabled !== this.serialLogEnabled) {
        this.serialLogEnabled = serialLog.enabled;
        this.post({ type: 'serialLog', enabled: this.serialLogEnabled });
      }
    }
  }

  /** The worker is gone: every call in flight fails and the printer shows as offline after an error. */
  private failed(reason: string): void {
    for (const pending of this.pending.values()) pending.reject(new ConnectionLostError(reason));
    this.pending.clear();
    if (this.exited && this.state.status.id !== 'CLOSED' && this.state.status.id !== 'CLOSED_WITH_ERROR') {
      const id = 'CLOSED_WITH_ERROR';
      this.lostWorker = {
        status: {
          id,
          text: 'Offline after error',
          flags: stateFlags(id, { sdReady: false, busy: false }),
          error: reason,
        },
        connection: { ...this.state.connection, state: 'Offline after error' },
        lastError: { error: reason, reason: 'serial', consequence: null, faq: null, logs: [] },
      };
      this.state = { ...this.state, ...this.lostWorker };
    }
  }
}
