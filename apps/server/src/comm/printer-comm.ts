import { EventEmitter } from 'node:events';
import { CommFaults } from './comm-faults.js';
import { CommandIntake } from './command-intake.js';
import { connectionCandidates } from './port-scanner.js';
import { isOperationalState, stateFlags, stateText } from './comm-state.js';
import { FirmwareModel } from './firmware-model.js';
import { CommTiming } from './comm-timing.js';
import { Handshake } from './handshake.js';
import { followHostAction } from './host-actions.js';
import { LineWriter } from './line-writer.js';
import type { LineSource } from './line-source.js';
import { Pollers } from './pollers.js';
import {
  type CommClock,
  type CommDiagnostics,
  commLogs,
  type CommTimeouts,
  ConnectionLostError,
  DEFAULT_TIMEOUTS,
  type PrinterCommOptions,
  REAL_CLOCK,
} from './printer-comm.options.js';
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
import { ReplyHandler } from './reply-handler.js';
import { parseActionCommand } from './reply-parsers.js';
import { SdTracker } from './sd-tracker.js';
import type { CommLink, LinkHandlers } from './serial-link.js';
import { Transmitter } from './transmitter.js';

export { CommandRejectedError, ConnectionLostError } from './printer-comm.options.js';
export type { CommClock, CommDiagnostics, PrinterCommOptions } from './printer-comm.options.js';
export { REAL_CLOCK } from './printer-comm.options.js';

export { MAX_COMMAND_BYTES } from './command-intake.js';

/**
 * Marlin's host protocol over one serial link, as OctoPrint's state machine: opening the port (detecting port and
 * baud rate), the handshake and the post-connect sync, states, errors and closing. Its parts: the LineWriter (the
 * outgoing side), the Transmitter (queue, numbering, resends, flow control, ok-watchdog), the ReplyHandler (what
 * each received line means), the FirmwareModel and SdTracker (what the firmware reported) and the Pollers. Nothing
 * here knows about Nest or HTTP; time comes from `clock`.
 */
export class PrinterComm {
  /**
   * `state` (PrinterStatus), `temperature` (TemperatureSample), `firmware` (FirmwareInfo), `printerError`
   * (PrinterErrorInfo), `action` (HostAction), `sdFiles` (SdFileEntry[]): the payloads of CommEvents.
   */
  readonly events = new EventEmitter();
  readonly transmitter: Transmitter;
  readonly firmwareModel: FirmwareModel;
  readonly sdCard: SdTracker;

  private readonly clock: CommClock;
  private readonly timeouts: CommTimeouts;
  private readonly epochOffset: number;
  private readonly writer: LineWriter;
  private readonly replies: ReplyHandler;
  private readonly pollers: Pollers;
  private readonly faults: CommFaults;
  private readonly intake: CommandIntake;
  private readonly handshake: Handshake;

  private state: PrinterStateId = 'CLOSED';
  private errorText: string | undefined;
  private lastErrorInfo: PrinterErrorInfo | undefined;
  private link: CommLink | undefined;
  private linkGeneration = 0;
  private current: CurrentConnection = { state: 'Closed', port: null, baudrate: null };
  private connectAttempt = 0;
  private everOpened = false;
  private readonly timing: CommTiming;
  private readonly logs: CommDiagnostics;
  /** The job writes a file to the SD card (`M28`…`M29`) rather than printing. */
  private sdTransfer = false;
  /** The handshake was answered: the sync and the first M105 run before the state is Operational. */
  private answered = false;

  constructor(private readonly options: PrinterCommOptions) {
    this.clock = options.clock ?? REAL_CLOCK;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.epochOffset = Date.now() - this.clock.now();
    const logs = commLogs(options);
    this.logs = logs;
    this.writer = new LineWriter(this.clock, this.timeouts.write * 1000, options.traffic, {
      onWriteTimeout: () => this.faults.writeFailed('Write timeout'),
      ...logs,
    });
    this.handshake = new Handshake(this.clock, this.timeouts.connection, this.writer, () => this.state);
    this.firmwareModel = new FirmwareModel(options.profile?.heatedChamber === true);
    this.timing = new CommTiming(this.timeouts, this.firmwareModel, () => this.transmitter);
    this.transmitter = new Transmitter(
      this.clock,
      {
        flowControl: options.flowControl ?? 'ping-pong',
        sendAheadLines: options.sendAheadLines ?? 4,
        rxBufferSize: options.rxBufferSize ?? 127,
      },
      {
        linked: () => this.link !== undefined,
        ready: () => this.link !== undefined && (this.isOperational || this.answered),
        printing: () => this.state === 'PRINTING' || this.state === 'PAUSED',
        writeLine: (line) => this.writer.writeLine(line),
        commandSent: (command, code) => {
          if (this.firmwareModel.commandSent(command, code)) this.pollers.scheduleTemperature();
        },
        synchronised: () => this.onSynchronised(),
        firmwareInfoSeen: () => this.firmwareModel.infoSeen,
        communicationTimeoutMs: () => this.timing.communicationTimeoutMs(),
        triggerError: (message) => this.faults.fatal(message),
        ...logs,
      },
    );
    this.sdCard = new SdTracker({
      printingChanged: (printing) => {
        if (printing && this.state === 'OPERATIONAL') this.setState('PRINTING');
        else if (!printing && (this.state === 'PRINTING' || this.state === 'PAUSED')) this.setState('OPERATIONAL');
        else this.emitState();
      },
      pollingChanged: () => this.pollers.scheduleSd(),
      requestListing: () => {
        this.transmitter.enqueue([this.firmwareModel.has('EXTENDED_M20') ? 'M20 L T' : 'M20'], undefined);
        this.transmitter.pump();
      },
      filesChanged: (files) => this.events.emit('sdFiles', files),
    });
    this.pollers = new Pollers(this.clock, this.timeouts.sdStatus, this.transmitter, {
      operational: () => this.link !== undefined && this.isOperational,
      temperatureInterval: () =>
        this.firmwareModel.autoreportTemperature ? undefined : this.timing.temperatureInterval(),
      sdPollWanted: () =>
        this.link !== undefined &&
        this.isOperational &&
        !this.transmitter.syncing &&
        !this.firmwareModel.autoreportSd &&
        (this.sdCard.fileSelected || this.sdCard.printing),
    });
    this.replies = new ReplyHandler(this.clock, this.transmitter, this.firmwareModel, this.sdCard, {
      state: () => this.state,
      linked: () => this.link !== undefined,
      handshaking: () => !this.answered && (this.state === 'CONNECTING' || this.state === 'DETECT_SERIAL'),
      sayHello: () => this.handshake.hello(),
      connected: () => this.onConnected(),
      temperatures: () => this.emitTemperature(),
      busy: () => this.onBusy(),
      action: (action) => this.onAction(action),
      externalReset: () => this.onExternalReset(),
      position: (position) => this.events.emit('position', position),
      error: (message) => this.faults.firmwareError(message),
    });
    this.intake = new CommandIntake(this.transmitter, this.firmwareModel, {
      operational: () => this.link !== undefined && this.isOperational,
      emergencyStop: () => {
        this.faults.emergencyStop();
        this.closeWithError('Emergency stop (M112) sent, closing the connection');
      },
      ...logs,
    });
    this.faults = new CommFaults(options, this.writer, this.transmitter, {
      state: () => this.state,
      sdPrinting: () => this.sdCard.printing,
      recordError: (info) => this.recordError(info),
      enterError: (message) => {
        this.errorText = message;
        this.setState('ERROR');
      },
      closeWithError: (message) => this.closeWithError(message),
      failConnectAttempt: (message) => this.handshake.fail(new ConnectionLostError(message)),
      ...logs,
    });
  }

  // ---------------------------------------------------------------- reads

  get status(): PrinterStatus {
    const status: PrinterStatus = {
      id: this.state,
      text: stateText(this.state, { sdPrinting: this.sdCard.printing, sdTransfer: this.sdTransfer }),
      flags: stateFlags(this.state, { sdReady: this.sdCard.ready }),
    };
    if (this.errorText !== undefined) status.error = this.errorText;
    return status;
  }

  get connection(): CurrentConnection {
    // OctoPrint says `Closed` until the first connection attempt, `Offline` after a disconnect.
    return { ...this.current, state: this.everOpened ? this.status.text : 'Closed' };
  }

  get heaters(): HeaterReadings {
    return this.firmwareModel.heaters;
  }

  get sd(): SdStatus {
    return this.sdCard.status;
  }

  /** The card's files from the last `M20` listing. */
  get sdFiles(): readonly SdFileEntry[] {
    return this.sdCard.files;
  }

  get lastError(): PrinterErrorInfo | undefined {
    return this.lastErrorInfo;
  }

  get firmware(): FirmwareInfo {
    return this.firmwareModel.info;
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
      currentZ: this.firmwareModel.currentZ,
      resends: this.transmitter.resendStats,
    };
  }

  /** The last terminal lines (`Send: ...` / `Recv: ...`). */
  get terminalLines(): readonly string[] {
    return this.writer.terminalLines;
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
    const candidates = await connectionCandidates(parameters, this.options);
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
        this.logs.error(message);
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
    if (this.link !== undefined) this.transmitter.handleOk();
  }

  private async openAndHandshake(port: string, baudrate: number, detecting: boolean): Promise<void> {
    const generation = ++this.linkGeneration;
    const handlers: LinkHandlers = {
      onLine: (line) => {
        if (generation === this.linkGeneration) this.receive(line);
      },
      onClose: (error) => {
        if (generation === this.linkGeneration) this.faults.linkFailed(error);
      },
    };
    this.current = { state: this.status.text, port, baudrate };
    const link = await this.options.openLink(port, baudrate, handlers);
    if (generation !== this.linkGeneration) {
      await link.close();
      throw new ConnectionLostError('Connection attempt superseded');
    }
    this.link = link;
    this.writer.attach(link);
    this.logs.log(`Connected to: ${port} at ${baudrate} baud, starting monitor`);
    if (!detecting) this.setState('CONNECTING');
    this.transmitter.reset();
    this.transmitter.restartStats();
    const connected = this.handshake.begin(detecting);
    try {
      await connected;
    } catch (error) {
      if (detecting && generation === this.linkGeneration) {
        this.link = undefined;
        this.writer.detach();
        this.linkGeneration += 1;
        await link.close();
      }
      throw error;
    }
  }

  /** The first ok: the sync (hello, M115 probe) and an M105 follow before the printer counts as Operational. */
  private onConnected(): void {
    this.answered = true;
    this.handshake.answered();
    this.startSync(true);
    this.transmitter.pump();
  }

  /** The M105 after the sync was answered: Operational, with the temperatures of its reply known. */
  private onOperational(): void {
    if (this.link === undefined || this.isOperational) return;
    this.setState('OPERATIONAL');
    this.pollers.scheduleTemperature();
    this.pollers.scheduleSd();
    this.transmitter.pump();
    this.handshake.succeeded();
  }

  private startSync(withHello: boolean): void {
    this.firmwareModel.awaitInfo();
    this.transmitter.startSync(withHello);
  }

  /** The probe's ok arrived: the conversation is in step; act on the capabilities. */
  private onSynchronised(): void {
    const followUps = this.firmwareModel.syncFollowUps();
    if (!this.isOperational) {
      // Temperatures known at Operational: an M105 goes first, and its ok makes the printer Operational.
      // Its ok is confirmed before the rest of the `ok T:...` line is read: turn Operational once the line is done.
      const operational = (): void => queueMicrotask(() => this.onOperational());
      const whenAnswered = { remaining: 1, resolve: operational, reject: () => undefined, settled: false };
      this.transmitter.enqueue(['M105'], whenAnswered);
    }
    this.transmitter.enqueue(followUps, undefined);
    if (this.isOperational) {
      this.pollers.scheduleTemperature();
      this.pollers.scheduleSd();
    }
    this.events.emit('firmware', this.firmware);
  }

  // ---------------------------------------------------------------- sending

  /** Queues lines in order; resolves when the firmware accepted every one. */
  send(lines: string | readonly string[]): Promise<void> {
    return this.intake.send(lines);
  }

  /** Adds a line source (a print job) to the transmitter; see LineSource. Returns its removal. */
  addLineSource(source: LineSource): () => void {
    return this.transmitter.addSource(source);
  }

  // ---------------------------------------------------------------- print engine hooks

  get extruderCount(): number {
    return this.options.profile?.extruders ?? 1;
  }

  /** A line source has lines again. */
  wake(): void {
    this.transmitter.pump();
  }

  /** The print engine's states (Starting, Printing, ..., and back to Operational), only while connected. */
  setJobState(state: PrinterStateId, sdTransfer = false): void {
    this.sdTransfer = sdTransfer && state !== 'OPERATIONAL';
    if (this.isOperational) this.setState(state);
  }

  // ---------------------------------------------------------------- receiving

  private receive(raw: string): void {
    const nul = raw.indexOf('\0');
    if (nul >= 0) {
      // Marlin never sends NUL: it means noise on the line or a baud rate mismatch. The rest is still parsed.
      this.logs.warn(
        `Received line contains at least one null byte character at position ${nul}, this hints at some data corruption going on`,
      );
    }
    const line = (nul >= 0 ? raw.replaceAll('\0', '') : raw).trimEnd();
    this.writer.received(line);
    this.replies.handle(line);
  }

  private emitTemperature(): void {
    const time = Math.floor((this.epochOffset + this.clock.now()) / 1000);
    const sample: TemperatureSample = { time, heaters: this.heaters };
    this.events.emit('temperature', sample);
  }

  private onBusy(): void {
    this.transmitter.refreshWatchdog();
    const keepalive = this.timing.busySeen();
    if (keepalive === undefined) return;
    this.logs.log('Printer seems to support the busy protocol, will adjust timeouts and set busy interval accordingly');
    this.transmitter.enqueue([keepalive], undefined);
    this.transmitter.pump();
  }

  private onAction(line: string): void {
    const action = parseActionCommand(line);
    if (action === undefined) return;
    this.events.emit('action', action);
    followHostAction(action, {
      state: () => this.state,
      setState: (state) => this.setState(state),
      forgetSdPrint: () => this.sdCard.forgetPrint(),
      disconnect: () => void this.disconnect(),
      log: (message) => this.logs.log(message),
    });
  }

  private onExternalReset(): void {
    this.logs.warn(
      "Printer sent 'start' while already operational. External reset? Resetting line numbers to be on the safe side",
    );
    this.sdCard.fileSelected = false;
    if (this.sdCard.printing) {
      this.logs.warn('Aborting job since printer lost state.');
      this.sdCard.forgetPrint();
      if (this.state !== 'OPERATIONAL') this.setState('OPERATIONAL');
    }
    this.transmitter.failPending(new ConnectionLostError('The printer was reset'));
    this.transmitter.reset();
    this.handshake.restart();
    this.startSync(false);
    this.transmitter.pump();
  }

  // ---------------------------------------------------------------- errors

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
    this.writer.detach();
    this.handshake.fail(reason);
    this.pollers.stop();
    this.transmitter.stop();
    this.replies.reset();
    this.transmitter.failPending(reason);
    this.transmitter.reset();
    this.timing.reset();
    this.answered = false;
    this.firmwareModel.reset();
    this.sdCard.reset();
  }

  // ---------------------------------------------------------------- state and logging

  private setState(state: PrinterStateId): void {
    if (state === this.state) return;
    const from = stateText(this.state, { sdPrinting: this.sdCard.printing });
    this.state = state;
    const to = stateText(state, { sdPrinting: this.sdCard.printing });
    this.logs.log(`Changing monitoring state from "${from}" to "${to}"`);
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
}
