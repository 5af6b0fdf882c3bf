import { EventEmitter } from 'node:events';
import { isOperationalState, stateFlags, stateText } from './comm-state.js';
import { commandCode, commandParameter, MAX_LINE_BYTES, numberedLine, stripComment } from './gcode-line.js';
import type {
  ConnectionParameters,
  CurrentConnection,
  FirmwareInfo,
  HeaterReadings,
  PrinterErrorInfo,
  PrinterSnapshot,
  PrinterStateId,
  PrinterStatus,
  SdFileEntry,
  SdStatus,
  TemperatureSample,
} from './printer-comm.types.js';
import {
  canonicalHeaters,
  classifyError,
  errorContinues,
  errorReason,
  isTemperatureLine,
  parseActionCommand,
  parseCapability,
  parseFileListLine,
  parseFirmwareInfo,
  parseResendRequest,
  parseSdPrintingByte,
  parseTemperatureLine,
} from './reply-parsers.js';
import { type CommLink, type LinkHandlers, type OpenLink, SerialWriteError } from './serial-link.js';

/** Time source; `@hotend/firmware-sim`'s VirtualClock and RealClock both fit. */
export interface CommClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock timers, unref'd so a connected printer never keeps the process alive. */
export const REAL_CLOCK: CommClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Where PrinterComm writes its conversation (serial.log); optional. */
export interface CommTrafficLog {
  readonly enabled: boolean;
  append(direction: 'Send' | 'Recv' | 'Info', line: string): void;
  rollOver(): void;
}

export interface CommDiagnostics {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PrinterCommOptions {
  openLink: OpenLink;
  clock?: CommClock;
  /**
   * Seconds, as in `serial.timeouts`; `write`: how long a write may stay unaccepted by the port before one retry
   * period, then an error; `sdStatus`: the M27 poll interval when the firmware does not auto-report SD status.
   */
  timeouts?: Partial<{
    connection: number;
    communication: number;
    communicationBusy: number;
    temperature: number;
    write: number;
    sdStatus: number;
  }>;
  flowControl?: 'ping-pong' | 'send-ahead';
  /** Most lines in flight in send-ahead mode. */
  sendAheadLines?: number;
  /** Firmware RX buffer in bytes; send-ahead never has more than this in flight. */
  rxBufferSize?: number;
  profile?: { extruders: number; heatedBed: boolean; heatedChamber: boolean };
  /** Treat any unknown firmware error as fatal (OctoPrint's `disconnectOnErrors`, default true). */
  disconnectOnErrors?: boolean;
  /** Send the emergency stop sequence on a fatal error (OctoPrint's `sendM112OnError`, default true). */
  sendM112OnError?: boolean;
  /** Baud rates tried when the baud rate is 0 (auto). */
  detectionBaudrates?: readonly number[];
  /** Device ports tried when the port is `AUTO`. */
  detectionPorts?: () => Promise<string[]>;
  traffic?: CommTrafficLog;
  diagnostics?: CommDiagnostics;
}

/** A command was refused before it reached the printer (too long, printer not operational). */
export class CommandRejectedError extends Error {}
/** The connection ended before the printer acknowledged a command. */
export class ConnectionLostError extends Error {}

interface Batch {
  remaining: number;
  resolve(): void;
  reject(error: Error): void;
  settled: boolean;
}

/** One command on its way to the firmware. `seq` orders confirmations across line-number resets. */
interface Entry {
  command: string;
  code: string | undefined;
  batch: Batch | undefined;
  seq: number;
  lineNumber: number | undefined;
  wire: string | undefined;
  /** Poll commands are de-duplicated: at most one of each kind waits in the queue. */
  kind: PollKind | undefined;
  confirmed: boolean;
}

type PollKind = 'temperature-poll' | 'sd-status-poll';

function newEntry(command: string, batch?: Batch, kind?: PollKind): Entry {
  return {
    command,
    code: commandCode(command),
    batch,
    seq: 0,
    lineNumber: undefined,
    wire: undefined,
    kind,
    confirmed: false,
  };
}

/** Sent and awaiting an ok. */
interface InFlight {
  entry: Entry;
  bytes: number;
}

const HELLO = 'M110 N0';
const HISTORY_SIZE = 50;
const MAX_CONSECUTIVE_RESENDS = 10;
const MAX_CONSECUTIVE_TIMEOUTS = 5;
const RESEND_OK_TIMEOUT_MS = 500;
const ERROR_CONTINUATION_MS = 1000;
const TERMINAL_LINES = 20;
const MAX_NOT_SD_PRINTING = 2;
/** Longest command accepted; `N<7 digits> ` and `*<cs>` must still fit Marlin's 95 bytes. */
export const MAX_COMMAND_BYTES = MAX_LINE_BYTES - 'N9999999 '.length - '*127'.length;
const LONG_RUNNING = new Set(['G4', 'G28', 'G29', 'G30', 'G32', 'M400', 'M226', 'M600']);
const HEATING = new Set(['M109', 'M190', 'M191', 'M116']);
/** Jump the queue when the firmware has an emergency parser (OctoPrint's `_emergency_force_send`). */
const FORCE_SEND = new Set(['M108', 'M410']);
const DEFAULT_BAUDRATES = [115200, 250000, 230400, 57600, 38400, 19200, 9600];

type Deferred = { resolve(): void; reject(error: Error): void };

/**
 * Marlin's host protocol over one serial link: handshake, numbered and checksummed lines, ok flow control
 * (ping-pong or bounded send-ahead), resends, busy protocol, ok-watchdog, error classification, temperatures,
 * SD state and OctoPrint's state machine. Nothing here knows about Nest or HTTP; time comes from `clock`.
 */
export class PrinterComm {
  /**
   * `state` (PrinterStatus), `temperature` (TemperatureSample), `firmware` (FirmwareInfo), `printerError`
   * (PrinterErrorInfo), `action` (HostAction), `sdFiles` (SdFileEntry[]): the payloads of CommEvents.
   */
  readonly events = new EventEmitter();

  private readonly clock: CommClock;
  private readonly options: PrinterCommOptions;
  private readonly timeouts: {
    connection: number;
    communication: number;
    communicationBusy: number;
    temperature: number;
    write: number;
    sdStatus: number;
  };
  private readonly epochOffset: number;

  private state: PrinterStateId = 'CLOSED';
  private errorText: string | undefined;
  private lastErrorInfo: PrinterErrorInfo | undefined;
  private link: CommLink | undefined;
  private linkGeneration = 0;
  private current: CurrentConnection = { state: 'Closed', port: null, baudrate: null };
  private connectWaiter: Deferred | undefined;
  private connectAttempt = 0;
  private everOpened = false;
  private handshakeTimer: unknown;
  private hellosSent = 0;
  /**
   * After the first handshake ok (or an external reset): one more hello and an M115 probe go out, stray oks of
   * earlier hellos are skipped until the probe's ok, and nothing else is sent before it (see `startSync`).
   */
  private syncing = false;
  private syncProbe: Entry | undefined;
  private firmwareInfoSeen = false;

  // Sending.
  private seq = 0;
  private nextLineNumber = 1;
  private readonly queue: Entry[] = [];
  private readonly resendQueue: Entry[] = [];
  private readonly history = new Map<number, Entry>();
  private readonly inFlight: InFlight[] = [];
  private inFlightBytes = 0;
  /** Oks that belong to error replies (`Error`/`Resend`/`ok`) rather than to a line in flight. */
  private errorOks = 0;
  private confirmedSeq = 0;
  /** Numbered entries of `send()` batches not yet confirmed, in `seq` order. */
  private readonly unconfirmed: Entry[] = [];
  /** After an error, one line in flight until every resent line is confirmed. */
  private recoverUntilSeq = 0;
  private lastCommError: string | undefined;
  private lastResendNumber: number | undefined;
  private duplicateAllowance = 0;
  private consecutiveResendNumber: number | undefined;
  private consecutiveResends = 0;
  private resendOkTimer: unknown;
  private linesSent = 0;
  private resendsReceived = 0;
  private resendRatioLogged = false;

  // Timeouts.
  private watchdog: unknown;
  private watchdogDeadline = 0;
  private consecutiveTimeouts = 0;
  private busyProtocol = false;
  private busySeen = false;
  private pollTimer: unknown;
  private sdPollTimer: unknown;

  // Writes the port has not accepted yet (a device that stops draining its input blocks them).
  private writesPending = 0;
  private writeTimer: unknown;
  private writeDeadline = 0;
  private writeRetried = false;

  // Errors.
  private pendingErrorHead: string | undefined;
  private errorContinuationTimer: unknown;

  // Firmware state.
  private readonly capabilities = new Map<string, boolean>();
  private firmwareName: string | undefined;
  private autoreportTemperature = false;
  private autoreportSd = false;
  private readonly readings: HeaterReadings = {};
  private tool = 0;
  private previousTool = 0;
  private readonly invalid = new Set<number>();
  private sdReady = false;
  private sdPrinting = false;
  /** The firmware has a file open for printing (`File selected`, until it finished or the card went away). */
  private sdFileSelected = false;
  private sdProgress: { done: number; total: number } | undefined;
  private notSdPrintingCount = 0;
  private listing: SdFileEntry[] | undefined;
  private files: SdFileEntry[] = [];
  private readonly terminal: string[] = [];

  constructor(options: PrinterCommOptions) {
    this.options = options;
    this.clock = options.clock ?? REAL_CLOCK;
    this.timeouts = {
      connection: options.timeouts?.connection ?? 10,
      communication: options.timeouts?.communication ?? 30,
      communicationBusy: options.timeouts?.communicationBusy ?? 3,
      temperature: options.timeouts?.temperature ?? 5,
      write: options.timeouts?.write ?? 10,
      sdStatus: options.timeouts?.sdStatus ?? 1,
    };
    this.epochOffset = Date.now() - this.clock.now();
  }

  // ---------------------------------------------------------------- reads

  get status(): PrinterStatus {
    const status: PrinterStatus = {
      id: this.state,
      text: stateText(this.state, { sdPrinting: this.sdPrinting }),
      flags: stateFlags(this.state, { sdReady: this.sdReady }),
    };
    if (this.errorText !== undefined) status.error = this.errorText;
    return status;
  }

  get connection(): CurrentConnection {
    // OctoPrint says `Closed` until the first connection attempt, `Offline` after a disconnect.
    return { ...this.current, state: this.everOpened ? this.status.text : 'Closed' };
  }

  get heaters(): HeaterReadings {
    // Read on every GET /api/printer: a plain copy of the flat records, a small fraction of structuredClone's cost.
    const copy: HeaterReadings = {};
    for (const [key, reading] of Object.entries(this.readings))
      copy[key] = { actual: reading.actual, target: reading.target };
    return copy;
  }

  get sd(): SdStatus {
    const sd: SdStatus = { ready: this.sdReady, printing: this.sdPrinting };
    if (this.sdProgress !== undefined) sd.progress = { ...this.sdProgress };
    return sd;
  }

  /** The card's files from the last `M20` listing. */
  get sdFiles(): readonly SdFileEntry[] {
    return this.files;
  }

  get lastError(): PrinterErrorInfo | undefined {
    return this.lastErrorInfo;
  }

  /** The active tool as last selected with `T<n>`. */
  get currentTool(): number {
    return this.tool;
  }

  /** Tools the firmware refused (`Invalid extruder`). */
  get invalidTools(): ReadonlySet<number> {
    return this.invalid;
  }

  /** `Cap:` lines from M115. */
  get firmwareCapabilities(): ReadonlyMap<string, boolean> {
    return this.capabilities;
  }

  get firmware(): FirmwareInfo {
    return { name: this.firmwareName ?? null, capabilities: Object.fromEntries(this.capabilities) };
  }

  /** Everything the server mirrors, as one plain value. */
  get snapshot(): PrinterSnapshot {
    return {
      status: this.status,
      connection: this.connection,
      heaters: this.heaters,
      sd: this.sd,
      lastError: this.lastErrorInfo ?? null,
      firmware: this.firmware,
    };
  }

  /** The last terminal lines (`Send: ...` / `Recv: ...`). */
  get terminalLines(): readonly string[] {
    return this.terminal;
  }

  get isOperational(): boolean {
    return isOperationalState(this.state);
  }

  // ---------------------------------------------------------------- connection

  /** Opens the port and runs the handshake; resolves once the printer is operational. */
  async connect(parameters: ConnectionParameters): Promise<void> {
    if (this.link !== undefined || this.state === 'OPENING_SERIAL' || this.state === 'DETECT_SERIAL') {
      await this.disconnect();
    }
    const attempt = ++this.connectAttempt;
    this.everOpened = true;
    this.errorText = undefined;
    this.options.traffic?.rollOver();
    if (this.options.traffic !== undefined && !this.options.traffic.enabled) {
      this.options.diagnostics?.log(
        'serial.log is currently not enabled, you can enable it via Settings > Serial Connection > Log communication to serial.log',
      );
    }
    const candidates = await this.candidates(parameters);
    const detecting = candidates.length > 1;
    this.setState(detecting ? 'DETECT_SERIAL' : 'OPENING_SERIAL');
    for (const [index, candidate] of candidates.entries()) {
      const last = index === candidates.length - 1;
      try {
        await this.openAndHandshake(candidate.port, candidate.baudrate, detecting && !last);
        return;
      } catch (error) {
        // A disconnect() (or a newer connect()) ended this attempt on purpose.
        if (attempt !== this.connectAttempt) throw error;
        if (!last) continue;
        const message = detecting
          ? 'No more candidates to test, and no working port/baudrate combination detected.'
          : error instanceof Error
            ? error.message
            : String(error);
        this.error(message);
        this.closeWithError(message, detecting || this.state === 'CONNECTING' ? 'CLOSED' : 'CLOSED_WITH_ERROR');
        throw new ConnectionLostError(message);
      }
    }
  }

  async disconnect(): Promise<void> {
    this.connectAttempt += 1;
    const link = this.link;
    this.teardown(new ConnectionLostError('Disconnected from the printer'));
    this.setState('CLOSED');
    this.current = { ...this.current, state: 'Offline' };
    if (link !== undefined) await link.close();
  }

  /** Pretends an ok arrived. */
  fakeAck(): void {
    if (this.link !== undefined) this.handleOk();
  }

  private async candidates(parameters: ConnectionParameters): Promise<{ port: string; baudrate: number }[]> {
    const ports =
      parameters.port === 'AUTO'
        ? [...(await (this.options.detectionPorts?.() ?? Promise.resolve([]))), 'VIRTUAL']
        : [parameters.port];
    const all = this.options.detectionBaudrates ?? DEFAULT_BAUDRATES;
    const bauds = parameters.baudrate !== 0 ? [parameters.baudrate] : ports.length > 1 ? all.slice(0, 2) : all;
    return ports.flatMap((port) => bauds.map((baudrate) => ({ port, baudrate })));
  }

  private async openAndHandshake(port: string, baudrate: number, detecting: boolean): Promise<void> {
    const generation = ++this.linkGeneration;
    const handlers: LinkHandlers = {
      onLine: (line) => {
        if (generation === this.linkGeneration) this.receive(line);
      },
      onClose: (error) => {
        if (generation === this.linkGeneration) this.lostConnection(error);
      },
    };
    this.current = { state: this.status.text, port, baudrate };
    const link = await this.options.openLink(port, baudrate, handlers);
    if (generation !== this.linkGeneration) {
      await link.close();
      throw new ConnectionLostError('Connection attempt superseded');
    }
    this.link = link;
    this.log(`Connected to: ${port} at ${baudrate} baud, starting monitor`);
    if (!detecting) this.setState('CONNECTING');
    this.resetSending();
    this.hellosSent = 0;
    const connected = new Promise<void>((resolve, reject) => {
      this.connectWaiter = { resolve, reject };
    });
    if (detecting) this.writeRaw('\n');
    this.sayHello();
    this.sayHello();
    this.armHandshakeTimer(detecting);
    try {
      await connected;
    } catch (error) {
      if (detecting && generation === this.linkGeneration) {
        this.link = undefined;
        this.linkGeneration += 1;
        await link.close();
      }
      throw error;
    }
  }

  private sayHello(): void {
    this.hellosSent += 1;
    this.writeLine(numberedLine(0, HELLO));
  }

  private armHandshakeTimer(detecting: boolean): void {
    this.clock.clearTimeout(this.handshakeTimer);
    const seconds = detecting ? Math.min(2, this.timeouts.connection) : this.timeouts.connection;
    this.handshakeTimer = this.clock.setTimeout(() => {
      if (this.state !== 'CONNECTING' && this.state !== 'DETECT_SERIAL') return;
      if (this.hellosSent < 3) {
        this.sayHello();
        this.armHandshakeTimer(detecting);
        return;
      }
      const waiter = this.connectWaiter;
      this.connectWaiter = undefined;
      waiter?.reject(new ConnectionLostError('There was a timeout while trying to connect to the printer'));
    }, seconds * 1000);
  }

  private onConnected(): void {
    this.clock.clearTimeout(this.handshakeTimer);
    // Before the state change, so that commands sent by its listeners queue behind the sync.
    this.startSync(true);
    this.setState('OPERATIONAL');
    this.pump();
    const waiter = this.connectWaiter;
    this.connectWaiter = undefined;
    waiter?.resolve();
  }

  /**
   * Queues (at the front) a hello, when `withHello`, and an M115 probe. The probe goes without a line number:
   * Marlin applies M110 once more when it executes it, so a numbered line parsed between the hello and its
   * execution would be judged against line 0, requested again and run twice. Stray oks cannot tell which hello
   * ran, but the probe's ok (after its FIRMWARE_NAME reply) means every hello before it did.
   */
  private startSync(withHello: boolean): void {
    this.syncing = true;
    this.firmwareInfoSeen = false;
    const probe = newEntry('M115');
    probe.wire = 'M115';
    this.syncProbe = probe;
    this.queue.unshift(...(withHello ? [newEntry(HELLO), probe] : [probe]));
  }

  /** The probe's ok arrived: the conversation is in step; act on the capabilities. */
  private onSynchronised(): void {
    this.syncing = false;
    this.syncProbe = undefined;
    this.errorOks = 0;
    this.confirmThrough(this.seq);
    this.inFlight.length = 0;
    this.inFlightBytes = 0;
    this.clearWatchdog();
    const followUps = ['M21'];
    if (this.capabilities.get('AUTOREPORT_TEMP') === true) {
      followUps.push('M155 S2');
      this.autoreportTemperature = true;
    }
    if (this.capabilities.get('AUTOREPORT_SD_STATUS') === true) {
      followUps.push('M27 S1');
      this.autoreportSd = true;
    }
    this.enqueue(followUps, undefined);
    this.schedulePoll();
    this.scheduleSdPoll();
    this.events.emit('firmware', this.firmware);
  }

  // ---------------------------------------------------------------- sending

  /** Queues lines in order; resolves when the firmware accepted every one. */
  send(lines: string | readonly string[]): Promise<void> {
    const commands = (typeof lines === 'string' ? [lines] : [...lines])
      .map(stripComment)
      .filter((line) => line !== '' && !this.isBlocked(line));
    if (!this.isOperational || this.link === undefined) {
      return Promise.reject(new CommandRejectedError('Printer is not operational'));
    }
    const tooLong = commands.find((command) => Buffer.byteLength(command, 'latin1') > MAX_COMMAND_BYTES);
    if (tooLong !== undefined) {
      return Promise.reject(
        new CommandRejectedError(
          `Line is longer than ${MAX_COMMAND_BYTES} bytes and would be truncated by the firmware`,
        ),
      );
    }
    const emergency = commands.findIndex((command) => commandCode(command) === 'M112');
    if (emergency >= 0) {
      this.emergencyStop();
      this.closeWithError('Emergency stop (M112) sent, closing the connection');
      return Promise.resolve();
    }
    if (commands.length === 0) return Promise.resolve();
    if (this.capabilities.get('EMERGENCY_PARSER') === true) {
      const urgent = commands.filter((command) => FORCE_SEND.has(commandCode(command) ?? ''));
      if (urgent.length > 0) {
        const rest = commands.filter((command) => !urgent.includes(command));
        return Promise.all([...urgent.map((command) => this.forceSend(command)), this.send(rest)]).then(
          () => undefined,
        );
      }
    }
    return new Promise<void>((resolve, reject) => {
      this.enqueue(commands, { remaining: commands.length, resolve, reject, settled: false });
      this.pump();
    });
  }

  /** M0/M1 wait for a button on the printer's display that a host user may not be near: never sent (OctoPrint). */
  private isBlocked(command: string): boolean {
    const code = commandCode(command);
    if (code !== 'M0' && code !== 'M1') return false;
    this.log(`Not sending ${code} to printer, it's configured as a blocked command`);
    return true;
  }

  /**
   * M108/M410 with an emergency parser: sent at once, past the queue and past flow control (the parser acts on them
   * as they arrive, e.g. M108 ends an M109 wait). They still take a place in line for their ok.
   */
  private forceSend(command: string): Promise<void> {
    this.log(`Force-sending ${commandCode(command) ?? command} to the printer`);
    return new Promise<void>((resolve, reject) => {
      const entry = newEntry(command, { remaining: 1, resolve, reject, settled: false });
      const wire = this.numberEntry(entry);
      const bytes = wire.length + 1;
      this.inFlight.push({ entry, bytes });
      this.inFlightBytes += bytes;
      this.writeLine(wire);
      this.linesSent += 1;
      this.armWatchdog();
    });
  }

  private enqueue(commands: readonly string[], batch: Batch | undefined, front = false): void {
    const entries = commands.map((command) => newEntry(command, batch));
    if (front) this.queue.unshift(...entries);
    else this.queue.push(...entries);
  }

  private inFlightLimit(): number {
    if (this.syncing) return 2;
    if (this.options.flowControl !== 'send-ahead' || this.confirmedSeq < this.recoverUntilSeq) return 1;
    return Math.max(1, this.options.sendAheadLines ?? 4);
  }

  /** Sends as many lines as flow control allows. */
  private pump(): void {
    while (this.link !== undefined && this.isOperational) {
      if (this.errorOks > 0) return;
      const resending = this.resendQueue.length > 0;
      const entry = resending ? this.resendQueue[0] : this.queue[0];
      if (entry === undefined) return;
      if (entry.code === undefined && !resending) {
        // Not a G/M/T command: no ok follows, so it takes no credit.
        this.queue.shift();
        this.writeLine(entry.command);
        this.settle(entry);
        continue;
      }
      // M110 renumbers: everything before it must be confirmed first, so resends never straddle it, and no
      // numbered line follows it before its ok (Marlin renumbers again when it executes it).
      if (entry.code === 'M110' && !resending && this.inFlight.length > 0) return;
      const numbered = entry !== this.syncProbe;
      if (numbered && this.inFlight.some((flight) => flight.entry.code === 'M110')) return;
      // While syncing, nothing follows the probe until its ok.
      if (this.syncing && this.inFlight.some((flight) => flight.entry === this.syncProbe)) return;
      if (this.inFlight.length >= this.inFlightLimit()) return;
      if (this.inFlight.length > 0) {
        const bytes = (entry.wire ?? numberedLine(this.nextLineNumber, entry.command)).length + 1;
        if (this.inFlightBytes + bytes > (this.options.rxBufferSize ?? 127)) return;
      }
      if (resending) this.resendQueue.shift();
      else this.queue.shift();
      const wire = resending ? (entry.wire ?? '') : this.numberEntry(entry);
      const bytes = wire.length + 1;
      this.inFlight.push({ entry, bytes });
      this.inFlightBytes += bytes;
      this.beforeSend(entry);
      this.writeLine(wire);
      this.linesSent += 1;
      this.armWatchdog();
    }
  }

  /** Gives a queued entry its line number (once) and records it for resends. */
  private numberEntry(entry: Entry): string {
    if (entry.wire !== undefined) return entry.wire;
    if (entry.code === 'M110') {
      const target = commandParameter(entry.command, 'N') ?? 0;
      this.history.clear();
      this.nextLineNumber = target;
      this.lastResendNumber = undefined;
    }
    entry.seq = ++this.seq;
    entry.lineNumber = this.nextLineNumber;
    entry.wire = numberedLine(this.nextLineNumber, entry.command);
    this.history.set(this.nextLineNumber, entry);
    this.history.delete(this.nextLineNumber - this.historySize());
    this.nextLineNumber += 1;
    if (entry.batch !== undefined) this.unconfirmed.push(entry);
    return entry.wire;
  }

  /** Host-side effects of sending a command (targets, tool selection). */
  private beforeSend(entry: Entry): void {
    const code = entry.code;
    if (code === undefined) return;
    if (
      code === 'M104' ||
      code === 'M109' ||
      code === 'M140' ||
      code === 'M190' ||
      code === 'M141' ||
      code === 'M191'
    ) {
      const value = commandParameter(entry.command, 'S') ?? commandParameter(entry.command, 'R');
      if (value === undefined) return;
      const tool = commandParameter(entry.command, 'T') ?? this.tool;
      const key =
        code === 'M140' || code === 'M190' ? 'bed' : code === 'M141' || code === 'M191' ? 'chamber' : `tool${tool}`;
      const reading = this.readings[key] ?? { actual: null, target: null };
      this.readings[key] = { ...reading, target: value };
      this.schedulePoll();
    } else if (code.startsWith('T')) {
      this.previousTool = this.tool;
      this.tool = Number(code.slice(1));
    }
  }

  private writeLine(line: string): void {
    this.terminalAppend(`Send: ${line}`);
    this.options.traffic?.append('Send', line);
    this.writeRaw(`${line}\n`);
  }

  /**
   * Hands bytes to the port and watches that it accepts them: a write that stays unaccepted for `timeouts.write`
   * gets one more period ("trying again", as OctoPrint retries a timed-out write once), then the connection closes
   * with an error. Any accepted write restarts the clock; one timer serves every write (no churn per line).
   */
  private writeRaw(data: string): void {
    const link = this.link;
    if (link === undefined) return;
    const generation = this.linkGeneration;
    if (this.writesPending === 0) {
      this.writeDeadline = this.clock.now() + this.timeouts.write * 1000;
      this.writeRetried = false;
    }
    this.writesPending += 1;
    if (this.writeTimer === undefined) this.scheduleWriteTimer(this.writeDeadline - this.clock.now());
    link.write(data, () => {
      if (generation !== this.linkGeneration) return;
      this.writesPending -= 1;
      this.writeDeadline = this.clock.now() + this.timeouts.write * 1000;
      this.writeRetried = false;
    });
  }

  private scheduleWriteTimer(delayMs: number): void {
    this.writeTimer = this.clock.setTimeout(() => {
      this.writeTimer = undefined;
      this.onWriteTimer();
    }, delayMs);
  }

  private onWriteTimer(): void {
    if (this.link === undefined || this.writesPending === 0) return;
    const remaining = this.writeDeadline - this.clock.now();
    if (remaining > 0) {
      this.scheduleWriteTimer(remaining);
      return;
    }
    if (!this.writeRetried) {
      this.writeRetried = true;
      this.warn('Serial timeout while writing to serial port, trying again.');
      this.writeDeadline = this.clock.now() + this.timeouts.write * 1000;
      this.scheduleWriteTimer(this.timeouts.write * 1000);
      return;
    }
    this.failWrite('Write timeout');
  }

  /** OctoPrint's reaction to a failed write: log it and close with an error (no M112: the port cannot take it). */
  private failWrite(reason: string): void {
    const message = `Unexpected error while writing to serial port: ${reason}`;
    this.error(message);
    this.failSerial(message);
  }

  /** A serial failure: a connect still waiting for the printer fails with it, an open link closes with the error. */
  private failSerial(message: string): void {
    if (this.connectWaiter !== undefined) {
      const waiter = this.connectWaiter;
      this.connectWaiter = undefined;
      waiter.reject(new ConnectionLostError(message));
      return;
    }
    this.recordError({ error: message, reason: 'serial', consequence: null, faq: null, logs: [...this.terminal] });
    this.closeWithError(message);
  }

  private historySize(): number {
    return Math.max(HISTORY_SIZE, 2 * (this.options.sendAheadLines ?? 4));
  }

  private settle(entry: Entry): void {
    if (entry.confirmed) return;
    entry.confirmed = true;
    const batch = entry.batch;
    if (batch === undefined || batch.settled) return;
    batch.remaining -= 1;
    if (batch.remaining <= 0) {
      batch.settled = true;
      batch.resolve();
    }
  }

  /** Every numbered line up to `seq` was accepted (the firmware enforces their order). */
  private confirmThrough(seq: number): void {
    if (seq <= this.confirmedSeq) return;
    this.confirmedSeq = seq;
    while (this.unconfirmed.length > 0 && (this.unconfirmed[0]?.seq ?? Infinity) <= seq) {
      const entry = this.unconfirmed.shift();
      if (entry !== undefined) this.settle(entry);
    }
    // Progress past the requested line ends a run of resend requests and the duplicate filter.
    if (this.consecutiveResendNumber !== undefined) {
      const requested = this.history.get(this.consecutiveResendNumber);
      if (requested === undefined || requested.seq <= seq) this.consecutiveResends = 0;
    }
    if (this.lastResendNumber !== undefined) {
      const requested = this.history.get(this.lastResendNumber);
      if (requested === undefined || requested.seq <= seq) this.duplicateAllowance = 0;
    }
  }

  // ---------------------------------------------------------------- receiving

  private receive(raw: string): void {
    const nul = raw.indexOf('\0');
    if (nul >= 0) {
      // Marlin never sends NUL: it means noise on the line or a baud rate mismatch. The rest is still parsed.
      this.warn(
        `Received line contains at least one null byte character at position ${nul}, this hints at some data corruption going on`,
      );
    }
    const line = (nul >= 0 ? raw.replaceAll('\0', '') : raw).trimEnd();
    this.terminalAppend(`Recv: ${line}`);
    this.options.traffic?.append('Recv', line);
    if (line === '') return;
    if (
      line === 'ok' &&
      this.pendingErrorHead === undefined &&
      this.resendOkTimer === undefined &&
      this.state === 'OPERATIONAL' &&
      this.listing === undefined
    ) {
      this.handleOk();
      return;
    }

    if (this.pendingErrorHead !== undefined) {
      const head = this.pendingErrorHead;
      this.pendingErrorHead = undefined;
      this.clock.clearTimeout(this.errorContinuationTimer);
      const tail = /^error:/i.test(line) ? line.replace(/^error:\s*/i, '') : undefined;
      if (tail !== undefined) {
        this.handleError(`${head} - ${tail}`);
        return;
      }
      this.handleError(head);
      if (this.link === undefined) return;
    }

    if (this.resendOkTimer !== undefined && !line.startsWith('ok')) {
      this.clock.clearTimeout(this.resendOkTimer);
      this.resendOkTimer = undefined;
      this.handleOk();
    }

    if (this.state === 'CONNECTING' || this.state === 'DETECT_SERIAL') {
      if (line.includes('start')) {
        this.sayHello();
      } else if (line.startsWith('ok') || line === 'wait') {
        this.onConnected();
      }
      return;
    }

    if (this.listing !== undefined) {
      if (/^End file list/i.test(line)) {
        this.files = this.listing;
        this.listing = undefined;
        this.events.emit('sdFiles', this.files);
      } else {
        const entry = parseFileListLine(line);
        if (entry !== undefined) this.listing.push(entry);
      }
      return;
    }

    if (/^(echo:)?busy:/i.test(line)) {
      this.onBusy();
      return;
    }

    if (line.startsWith('//')) {
      this.onAction(line);
      return;
    }

    const errorMatch = /^(error:|!!)\s*(.*)$/i.exec(line) ?? (/^fatal:/i.test(line) ? ['', '', line] : null);
    if (errorMatch !== null) {
      const message = errorMatch[2] ?? '';
      if (errorContinues(message)) {
        this.pendingErrorHead = message;
        this.errorContinuationTimer = this.clock.setTimeout(() => {
          const head = this.pendingErrorHead;
          this.pendingErrorHead = undefined;
          if (head !== undefined) this.handleError(head);
        }, ERROR_CONTINUATION_MS);
        return;
      }
      this.handleError(message);
      return;
    }

    if (line.startsWith('ok')) {
      this.handleOk();
      if (!/T\d*:|B:|C:/.test(line)) return;
    } else if (/^(resend|rs)\b/i.test(line)) {
      this.onResendRequest(line);
      return;
    }

    this.onInformation(line);
  }

  private onInformation(line: string): void {
    if (isTemperatureLine(line)) {
      this.onTemperatures(line);
      if (!line.startsWith('ok') && this.inFlightHeating()) this.refreshWatchdog();
      return;
    }
    const capability = parseCapability(line);
    if (capability !== undefined) {
      this.capabilities.set(capability.name, capability.enabled);
      return;
    }
    if (line.includes('NAME:')) {
      const info = parseFirmwareInfo(line);
      this.firmwareName = info['FIRMWARE_NAME'] ?? info['NAME'];
      this.firmwareInfoSeen = true;
      this.capabilities.clear();
      return;
    }
    if (/invalid extruder/i.test(line)) {
      const match = /T(\d+)/.exec(line);
      if (match !== null) this.invalid.add(Number(match[1]));
      this.tool = this.previousTool;
      this.enqueue([`T${this.previousTool}`], undefined, true);
      this.pump();
      return;
    }
    if (line === 'start') {
      this.onExternalReset();
      return;
    }
    this.onSdLine(line);
  }

  private onSdLine(line: string): void {
    if (/SD init fail|volume\.init failed|No media|openRoot failed|SD Card unmounted|SD card released/i.test(line)) {
      this.sdReady = false;
      if (this.files.length > 0) {
        this.files = [];
        this.events.emit('sdFiles', this.files);
      }
      this.sdFileSelected = false;
      this.stopSdPrint();
      this.scheduleSdPoll();
    } else if (/SD card ok|Card successfully initialized/i.test(line)) {
      this.sdReady = true;
      this.enqueue([this.capabilities.get('EXTENDED_M20') === true ? 'M20 L T' : 'M20'], undefined);
      this.pump();
    } else if (/^Begin file list/i.test(line)) {
      this.listing = [];
    } else if (/SD printing byte/i.test(line)) {
      const progress = parseSdPrintingByte(line);
      if (progress === undefined) return;
      if (progress.total === 0) {
        this.onNotSdPrinting();
        return;
      }
      this.notSdPrintingCount = 0;
      this.sdProgress = progress;
      if (!this.sdPrinting && progress.done < progress.total) {
        this.sdPrinting = true;
        if (this.state === 'OPERATIONAL') this.setState('PRINTING');
        else this.emitState();
        this.scheduleSdPoll();
      }
    } else if (/Not SD printing/i.test(line)) {
      this.onNotSdPrinting();
    } else if (/^File selected/i.test(line)) {
      this.sdFileSelected = true;
      this.scheduleSdPoll();
    } else if (/Done printing file/i.test(line)) {
      // Marlin closes the file once it is done: nothing is selected any more.
      this.sdFileSelected = false;
      this.stopSdPrint();
      this.scheduleSdPoll();
    }
  }

  private onNotSdPrinting(): void {
    if (!this.sdPrinting) return;
    this.notSdPrintingCount += 1;
    if (this.notSdPrintingCount > MAX_NOT_SD_PRINTING) this.stopSdPrint();
  }

  private stopSdPrint(): void {
    this.notSdPrintingCount = 0;
    if (!this.sdPrinting) return;
    this.sdPrinting = false;
    this.sdProgress = undefined;
    if (this.state === 'PRINTING' || this.state === 'PAUSED') this.setState('OPERATIONAL');
    else this.emitState();
    this.scheduleSdPoll();
  }

  private onTemperatures(line: string): void {
    const parsed = canonicalHeaters(parseTemperatureLine(line), this.tool, this.hasChamber());
    if (parsed.size === 0) return;
    for (const [key, reading] of parsed) {
      const previous = this.readings[key];
      this.readings[key] = {
        actual: reading.actual,
        target: reading.target === undefined ? (previous?.target ?? null) : reading.target,
      };
    }
    const time = Math.floor((this.epochOffset + this.clock.now()) / 1000);
    const sample: TemperatureSample = { time, heaters: this.heaters };
    this.events.emit('temperature', sample);
  }

  private hasChamber(): boolean {
    return this.capabilities.get('CHAMBER_TEMPERATURE') === true || this.options.profile?.heatedChamber === true;
  }

  private onAction(line: string): void {
    const action = parseActionCommand(line);
    if (action === undefined) return;
    this.events.emit('action', action);
    switch (action.action) {
      case 'disconnect':
        this.log('Disconnecting on request of the printer (action:disconnect)');
        void this.disconnect();
        break;
      case 'pause':
      case 'paused':
        if (this.state === 'PRINTING') this.setState('PAUSED');
        break;
      case 'resume':
      case 'resumed':
        if (this.state === 'PAUSED') this.setState('PRINTING');
        break;
      case 'cancel':
        if (this.state === 'PRINTING' || this.state === 'PAUSED') {
          this.sdPrinting = false;
          this.sdProgress = undefined;
          this.setState('OPERATIONAL');
        }
        break;
    }
  }

  private onExternalReset(): void {
    this.warn(
      "Printer sent 'start' while already operational. External reset? Resetting line numbers to be on the safe side",
    );
    this.sdFileSelected = false;
    if (this.sdPrinting) {
      this.warn('Aborting job since printer lost state.');
      this.sdPrinting = false;
      this.sdProgress = undefined;
      if (this.state !== 'OPERATIONAL') this.setState('OPERATIONAL');
    }
    this.failPending(new ConnectionLostError('The printer was reset'));
    this.resetSending();
    this.writeLine(numberedLine(0, HELLO));
    this.hellosSent = 1;
    this.startSync(false);
    this.pump();
  }

  // ---------------------------------------------------------------- ok, resend, busy

  private handleOk(): void {
    if (this.resendOkTimer !== undefined) {
      this.clock.clearTimeout(this.resendOkTimer);
      this.resendOkTimer = undefined;
    }
    this.consecutiveTimeouts = 0;
    if (this.errorOks > 0) {
      this.errorOks -= 1;
    } else {
      const head = this.inFlight.shift();
      if (head !== undefined) {
        this.inFlightBytes -= head.bytes;
        if (head.entry === this.syncProbe) {
          if (!this.firmwareInfoSeen) {
            // A stray hello ok ran ahead of M115's reply; M115's own ok is still to come.
            this.inFlight.unshift(head);
            this.inFlightBytes += head.bytes;
            this.refreshWatchdog();
            return;
          }
          this.onSynchronised();
          this.pump();
          return;
        }
        if (head.entry.code === 'M110' && this.syncing) {
          // M110's confirmation is implied by M115's; nothing to do.
        } else if (head.entry.lineNumber !== undefined) this.confirmThrough(head.entry.seq);
      }
    }
    this.pump();
    this.settleWatchdog();
  }

  private onResendRequest(line: string): void {
    const requested = parseResendRequest(line);
    if (requested === undefined) return;
    this.resendsReceived += 1;
    this.checkResendRatio();
    // The ok that follows belongs to this error reply.
    this.errorOks += 1;
    this.armResendOkTimer();
    const entry = this.history.get(requested);
    const lastSentNumber = this.nextLineNumber - 1;
    if (entry === undefined && requested === this.nextLineNumber) {
      this.log(`Ignoring resend request for line ${requested}, that hasn't been sent yet`);
      return;
    }
    if (
      this.duplicateAllowance > 0 &&
      requested === this.lastResendNumber &&
      /line number|expected line/i.test(this.lastCommError ?? '')
    ) {
      this.duplicateAllowance -= 1;
      this.log(`Ignoring resend request for line ${requested}, caused by lines already in flight`);
      return;
    }
    if (requested === this.consecutiveResendNumber) {
      this.consecutiveResends += 1;
      if (this.consecutiveResends >= MAX_CONSECUTIVE_RESENDS) {
        this.triggerError(`Printer keeps requesting line ${requested} again and again, communication stuck`);
        return;
      }
    } else {
      this.consecutiveResendNumber = requested;
      this.consecutiveResends = 1;
    }
    if (entry === undefined || requested > lastSentNumber) {
      const message = `Should resend line ${requested} but no sufficient history is available, can't resend`;
      this.warn(message);
      // Mid-print nothing can rescue the job (OctoPrint errors out); idle, the next line simply carries on.
      if (this.state === 'PRINTING' || this.state === 'PAUSED') this.triggerError(message);
      return;
    }
    // Everything before the requested line was accepted; the rest goes again, in order.
    this.confirmThrough(entry.seq - 1);
    const dropped = this.inFlight.filter((item) => item.entry.seq >= entry.seq);
    this.duplicateAllowance = Math.max(0, dropped.length - 1);
    this.lastResendNumber = requested;
    for (const item of dropped) {
      this.inFlight.splice(this.inFlight.indexOf(item), 1);
      this.inFlightBytes -= item.bytes;
    }
    const again: Entry[] = [];
    for (let number = requested; number <= lastSentNumber; number += 1) {
      const resent = this.history.get(number);
      if (resent !== undefined) again.push(resent);
    }
    this.resendQueue.length = 0;
    this.resendQueue.push(...again);
    this.recoverUntilSeq = Math.max(this.recoverUntilSeq, again[again.length - 1]?.seq ?? 0);
    this.log(
      `Got a resend request from the printer: requested line = ${requested}, current line = ${lastSentNumber + 1}`,
    );
  }

  /** Firmwares that leave out the ok after `Resend:` get one faked after 0.5 s. */
  private armResendOkTimer(): void {
    this.clock.clearTimeout(this.resendOkTimer);
    this.resendOkTimer = this.clock.setTimeout(() => {
      this.resendOkTimer = undefined;
      this.log(
        "Firmware didn't send an 'ok' with their resend request. That's a known bug with some firmware variants out there.",
      );
      this.handleOk();
    }, RESEND_OK_TIMEOUT_MS);
  }

  private checkResendRatio(): void {
    if (this.resendRatioLogged || this.linesSent <= 100) return;
    const ratio = this.resendsReceived / this.linesSent;
    if (ratio < 0.1) return;
    this.resendRatioLogged = true;
    this.warn(
      `Over 10% of transmitted lines have triggered resend requests (${(ratio * 100).toFixed(2)}%). The communication with the printer is unreliable. Please see https://faq.octoprint.org/communication-errors.`,
    );
  }

  private onBusy(): void {
    this.refreshWatchdog();
    if (this.busySeen) return;
    this.busySeen = true;
    this.log('Printer seems to support the busy protocol, will adjust timeouts and set busy interval accordingly');
    this.busyProtocol = true;
    const interval = Math.max(1, Math.round(this.timeouts.communicationBusy - 1));
    this.enqueue([`M113 S${interval}`], undefined);
    this.pump();
  }

  // ---------------------------------------------------------------- timeouts

  private communicationTimeoutMs(): number {
    const communication = this.busyProtocol ? this.timeouts.communicationBusy : this.timeouts.communication;
    return Math.max(communication, this.temperatureInterval() + 1) * 1000;
  }

  private temperatureInterval(): number {
    if (this.autoreportTemperature) return 2;
    const heating = Object.values(this.readings).some((reading) => (reading.target ?? 0) > 25);
    return heating ? 2 : this.timeouts.temperature;
  }

  private armWatchdog(): void {
    if (this.watchdog === undefined) this.refreshWatchdog();
  }

  /** While lines are in flight the watchdog runs; once nothing is owed it stops. */
  private settleWatchdog(): void {
    if (this.inFlight.length === 0 && this.errorOks === 0) this.clearWatchdog();
    else this.refreshWatchdog();
  }

  /**
   * The ok-watchdog: only oks, busy lines and heat-up reports move its deadline, so chatter cannot hide a lost ok.
   * Refreshing only moves the deadline; the one timer re-arms itself for the rest when it fires early (no timer
   * churn per line while streaming).
   */
  private refreshWatchdog(): void {
    if (this.link === undefined) {
      this.clearWatchdog();
      return;
    }
    this.watchdogDeadline = this.clock.now() + this.communicationTimeoutMs();
    if (this.watchdog === undefined) this.scheduleWatchdog(this.watchdogDeadline - this.clock.now());
  }

  private scheduleWatchdog(delayMs: number): void {
    this.watchdog = this.clock.setTimeout(() => {
      this.watchdog = undefined;
      const remaining = this.watchdogDeadline - this.clock.now();
      if (remaining > 0) this.scheduleWatchdog(remaining);
      else this.onCommunicationTimeout();
    }, delayMs);
  }

  private clearWatchdog(): void {
    this.clock.clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private inFlightHeating(): boolean {
    return this.inFlight.some((item) => item.entry.code !== undefined && HEATING.has(item.entry.code));
  }

  private onCommunicationTimeout(): void {
    if (this.link === undefined || (this.inFlight.length === 0 && this.errorOks === 0)) return;
    this.consecutiveTimeouts += 1;
    if (this.consecutiveTimeouts > MAX_CONSECUTIVE_TIMEOUTS) {
      this.warn(
        `No response from printer after ${this.consecutiveTimeouts - 1} consecutive communication timeouts, considering it dead.`,
      );
      this.triggerError('Too many consecutive timeouts, printer still connected and alive?');
      return;
    }
    const longRunning = this.inFlight.some(
      (item) => item.entry.code !== undefined && (LONG_RUNNING.has(item.entry.code) || HEATING.has(item.entry.code)),
    );
    if (longRunning && this.errorOks === 0) {
      this.log('Communication timeout while a long running command is active, waiting');
      this.refreshWatchdog();
      return;
    }
    // The ok was lost (or the line never arrived). Forget what is in flight and send the next line: the
    // firmware either accepts it (everything before it arrived) or asks for the first missing line.
    this.warn('Communication timeout, trying to trigger a response from the printer');
    const unacknowledged = this.inFlight.splice(0);
    this.inFlightBytes = 0;
    this.errorOks = 0;
    this.recoverUntilSeq = Math.max(this.recoverUntilSeq, this.seq);
    if (this.resendQueue.length === 0 && this.queue.length === 0) {
      this.queue.push(newEntry('M105', undefined, 'temperature-poll'));
    }
    void unacknowledged;
    this.pump();
    this.refreshWatchdog();
  }

  // ---------------------------------------------------------------- polling

  private schedulePoll(): void {
    this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    if (this.link === undefined || this.autoreportTemperature || !this.isOperational) return;
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = undefined;
      if (!this.queue.some((entry) => entry.kind === 'temperature-poll') && !this.inFlightHeating()) {
        this.queue.push(newEntry('M105', undefined, 'temperature-poll'));
        this.pump();
      }
      this.schedulePoll();
    }, this.temperatureInterval() * 1000);
  }

  /**
   * M27 every `timeouts.sdStatus` seconds while the firmware has an SD file selected or prints one, unless it
   * auto-reports SD status (marlin-protocol.md §3.9). Skipped while a heat-up or long-running command is in flight.
   */
  private scheduleSdPoll(): void {
    if (!this.sdPollWanted()) {
      this.clock.clearTimeout(this.sdPollTimer);
      this.sdPollTimer = undefined;
      const queued = this.queue.findIndex((entry) => entry.kind === 'sd-status-poll');
      if (queued >= 0) this.queue.splice(queued, 1);
      return;
    }
    if (this.sdPollTimer !== undefined) return;
    this.sdPollTimer = this.clock.setTimeout(() => {
      this.sdPollTimer = undefined;
      if (!this.sdPollWanted()) return;
      const blocked = this.inFlight.some(
        (item) => item.entry.code !== undefined && (LONG_RUNNING.has(item.entry.code) || HEATING.has(item.entry.code)),
      );
      if (!blocked && !this.queue.some((entry) => entry.kind === 'sd-status-poll')) {
        this.queue.push(newEntry('M27', undefined, 'sd-status-poll'));
        this.pump();
      }
      this.scheduleSdPoll();
    }, this.timeouts.sdStatus * 1000);
  }

  private sdPollWanted(): boolean {
    return (
      this.link !== undefined &&
      this.isOperational &&
      !this.syncing &&
      !this.autoreportSd &&
      (this.sdFileSelected || this.sdPrinting)
    );
  }

  // ---------------------------------------------------------------- errors

  private handleError(message: string): void {
    switch (classifyError(message)) {
      case 'missing-line-number':
        // No resend and no ok follow: fake the ok; the next line draws a proper resend.
        this.lastCommError = message;
        this.handleOk();
        return;
      case 'resend':
        this.lastCommError = message;
        return;
      case 'sd':
      case 'unknown-command':
        return;
      case 'fatal':
        if (this.options.disconnectOnErrors === false && !/kill\(\) called|fatal:/i.test(message)) {
          this.warn(`Received an error from the printer's firmware: ${message}`);
          return;
        }
        this.triggerError(message);
    }
  }

  /** A fatal error: Error state, emergency stop (heaters off) unless printing from SD, then close. */
  private triggerError(message: string): void {
    if (this.state === 'ERROR' || this.state === 'CLOSED_WITH_ERROR') return;
    this.error(`Changing monitoring state to "Error": ${message}`);
    const sendM112 = this.options.sendM112OnError !== false && !this.sdPrinting;
    this.recordError({
      error: message,
      reason: errorReason(message),
      consequence: sendM112 ? 'emergency' : 'disconnect',
      faq: faqFor(errorReason(message)),
      logs: [...this.terminal],
    });
    this.errorText = message;
    this.setState('ERROR');
    if (sendM112) this.emergencyStop();
    this.closeWithError(message);
  }

  /** Raw `M112` (for EMERGENCY_PARSER), then numbered `M112` and heaters off, as OctoPrint does. */
  private emergencyStop(): void {
    this.writeLine('M112');
    const lines = ['M112'];
    for (let tool = 0; tool < (this.options.profile?.extruders ?? 1); tool += 1) lines.push(`M104 T${tool} S0`);
    if (this.options.profile?.heatedBed !== false) lines.push('M140 S0');
    for (const command of lines) {
      this.writeLine(this.numberEntry(newEntry(command)));
    }
    this.log('Closing serial port due to emergency stop M112.');
  }

  private lostConnection(error: Error): void {
    if (error instanceof SerialWriteError) {
      this.failWrite(error.message);
      return;
    }
    const message = `Unexpected error while reading serial port, please consult hotend.log for details: ${error.message} @ https://faq.octoprint.org/serialerror`;
    this.failSerial(message);
  }

  private closeWithError(message: string, state: 'CLOSED' | 'CLOSED_WITH_ERROR' = 'CLOSED_WITH_ERROR'): void {
    this.errorText = message;
    const link = this.link;
    this.teardown(new ConnectionLostError(message));
    this.setState(state);
    if (link !== undefined) void link.close();
  }

  private teardown(reason: Error): void {
    this.linkGeneration += 1;
    this.link = undefined;
    this.clock.clearTimeout(this.handshakeTimer);
    this.clock.clearTimeout(this.pollTimer);
    this.clock.clearTimeout(this.resendOkTimer);
    this.clock.clearTimeout(this.errorContinuationTimer);
    this.clock.clearTimeout(this.sdPollTimer);
    this.clock.clearTimeout(this.writeTimer);
    this.clearWatchdog();
    this.pollTimer = undefined;
    this.sdPollTimer = undefined;
    this.writeTimer = undefined;
    this.writesPending = 0;
    this.writeRetried = false;
    this.resendOkTimer = undefined;
    this.pendingErrorHead = undefined;
    const waiter = this.connectWaiter;
    this.connectWaiter = undefined;
    waiter?.reject(reason);
    this.failPending(reason);
    this.resetSending();
    this.syncing = false;
    this.syncProbe = undefined;
    this.busyProtocol = false;
    this.busySeen = false;
    this.autoreportTemperature = false;
    this.autoreportSd = false;
    this.sdReady = false;
    this.sdPrinting = false;
    this.sdFileSelected = false;
    this.sdProgress = undefined;
    this.listing = undefined;
  }

  private failPending(reason: Error): void {
    const batches = new Set<Batch>();
    for (const entry of [...this.queue, ...this.resendQueue, ...this.history.values()]) {
      if (entry.batch !== undefined && !entry.batch.settled) batches.add(entry.batch);
    }
    for (const item of this.inFlight) if (item.entry.batch !== undefined) batches.add(item.entry.batch);
    for (const batch of batches) {
      if (batch.settled) continue;
      batch.settled = true;
      batch.reject(reason);
    }
  }

  private resetSending(): void {
    this.queue.length = 0;
    this.resendQueue.length = 0;
    this.history.clear();
    this.inFlight.length = 0;
    this.inFlightBytes = 0;
    this.unconfirmed.length = 0;
    this.errorOks = 0;
    this.nextLineNumber = 1;
    this.confirmedSeq = this.seq;
    this.recoverUntilSeq = 0;
    this.lastResendNumber = undefined;
    this.duplicateAllowance = 0;
    this.consecutiveResendNumber = undefined;
    this.consecutiveResends = 0;
    this.consecutiveTimeouts = 0;
    this.clearWatchdog();
  }

  // ---------------------------------------------------------------- state and logging

  private setState(state: PrinterStateId): void {
    if (state === this.state) return;
    const from = stateText(this.state, { sdPrinting: this.sdPrinting });
    this.state = state;
    const to = stateText(state, { sdPrinting: this.sdPrinting });
    this.log(`Changing monitoring state from "${from}" to "${to}"`);
    this.emitState();
  }

  private recordError(info: PrinterErrorInfo): void {
    this.lastErrorInfo = info;
    // Not `error`: an EventEmitter throws an `error` event nobody listens to.
    this.events.emit('printerError', info);
  }

  private emitState(): void {
    this.current = { ...this.current, state: this.status.text };
    this.events.emit('state', this.status);
  }

  private terminalAppend(line: string): void {
    this.terminal.push(line);
    if (this.terminal.length > TERMINAL_LINES) this.terminal.shift();
  }

  private log(message: string): void {
    this.options.traffic?.append('Info', message);
    this.options.diagnostics?.log(message);
  }

  private warn(message: string): void {
    this.options.traffic?.append('Info', message);
    this.options.diagnostics?.warn(message);
  }

  private error(message: string): void {
    this.options.traffic?.append('Info', message);
    this.options.diagnostics?.error(message);
  }
}

function faqFor(reason: string): string | null {
  switch (reason) {
    case 'mintemp':
    case 'maxtemp':
    case 'runaway':
    case 'heating_failed':
    case 'probing_failed':
      return `https://faq.octoprint.org/fw-error-${reason.replace('_', '-')}`;
    default:
      return null;
  }
}
