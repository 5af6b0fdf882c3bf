import { EventEmitter } from 'node:events';
import { type CommParts, wireCommParts } from './comm-parts.js';
import type { FirmwareModel } from './firmware-model.js';
import type { LineSource } from './line-source.js';
import { connectionCandidates } from './port-scanner.js';
import { ConnectionLostError, type PrinterCommOptions } from './printer-comm.options.js';
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
} from './printer-comm.types.js';
import type { SdTracker } from './sd-tracker.js';
import type { CommLink, LinkHandlers } from './serial-link.js';
import type { Transmitter } from './transmitter.js';

export { CommandRejectedError, ConnectionLostError } from './printer-comm.options.js';
export type { CommClock, CommDiagnostics, PrinterCommOptions } from './printer-comm.options.js';
export { REAL_CLOCK } from './printer-comm.options.js';

export { MAX_COMMAND_BYTES } from './command-intake.js';

/**
 * Marlin's host protocol over one serial link, as OctoPrint's state machine: opening the port (detecting port and
 * baud rate), the handshake and the post-connect sync, an external reset, errors and closing. Its parts (built and
 * wired in comm-parts.ts): the ConnectionState (state, connection, last error), the LineWriter (the outgoing side),
 * the Transmitter (queue, numbering, resends, flow control, ok-watchdog), the ReplyHandler (what each received line
 * means), the FirmwareModel and SdTracker (what the firmware reported) and the Pollers. Nothing here knows about Nest
 * or HTTP; time comes from `options.clock`.
 */
export class PrinterComm {
  /**
   * `state` (PrinterStatus), `temperature` (TemperatureSample), `firmware` (FirmwareInfo), `printerError`
   * (PrinterErrorInfo), `action` (HostAction), `sdFiles` (SdFileEntry[]), `position`: the payloads of CommEvents.
   */
  readonly events = new EventEmitter();
  readonly transmitter: Transmitter;
  readonly firmwareModel: FirmwareModel;
  readonly sdCard: SdTracker;

  private readonly parts: CommParts;
  private link: CommLink | undefined;
  private linkGeneration = 0;
  private connectAttempt = 0;
  /** The handshake was answered: the sync and the first M105 run before the state is Operational. */
  private answered = false;

  constructor(private readonly options: PrinterCommOptions) {
    this.parts = wireCommParts(options, {
      events: this.events,
      linked: () => this.link !== undefined,
      answered: () => this.answered,
      connected: () => this.onConnected(),
      synchronised: () => this.onSynchronised(),
      externalReset: () => this.onExternalReset(),
      disconnect: () => void this.disconnect(),
      closeWithError: (message) => this.closeWithError(message),
    });
    ({ transmitter: this.transmitter, firmwareModel: this.firmwareModel, sdCard: this.sdCard } = this.parts);
  }

  // ---------------------------------------------------------------- reads

  get status(): PrinterStatus {
    return this.parts.state.status;
  }

  get connection(): CurrentConnection {
    return this.parts.state.connection;
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
    return this.parts.state.lastError;
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
      lastError: this.lastError ?? null,
      firmware: this.firmware,
      currentZ: this.firmwareModel.currentZ,
      resends: this.transmitter.resendStats,
    };
  }

  /** The last terminal lines (`Send: ...` / `Recv: ...`). */
  get terminalLines(): readonly string[] {
    return this.parts.writer.terminalLines;
  }

  get isOperational(): boolean {
    return this.parts.state.operational;
  }

  // ---------------------------------------------------------------- connection

  /** Opens the port and runs the handshake; resolves once the printer is operational. */
  async connect(parameters: ConnectionParameters): Promise<void> {
    if (this.link !== undefined || this.state === 'OPENING_SERIAL' || this.state === 'DETECT_SERIAL') {
      await this.disconnect();
    }
    const attempt = ++this.connectAttempt;
    this.parts.state.attempting();
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
        this.parts.logs.error(message);
        this.closeWithError(message, detecting || this.state === 'CONNECTING' ? 'CLOSED' : 'CLOSED_WITH_ERROR');
        throw new ConnectionLostError(message);
      }
    }
  }

  async disconnect(): Promise<void> {
    this.connectAttempt += 1;
    const link = this.link;
    this.teardown(new ConnectionLostError('Disconnected from the printer'));
    this.parts.state.disconnected();
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
        if (generation === this.linkGeneration) this.parts.faults.linkFailed(error);
      },
    };
    this.parts.state.opening(port, baudrate);
    const link = await this.options.openLink(port, baudrate, handlers);
    if (generation !== this.linkGeneration) {
      await link.close();
      throw new ConnectionLostError('Connection attempt superseded');
    }
    this.link = link;
    this.parts.writer.attach(link);
    this.parts.logs.log(`Connected to: ${port} at ${baudrate} baud, starting monitor`);
    if (!detecting) this.setState('CONNECTING');
    this.transmitter.reset();
    this.transmitter.restartStats();
    const connected = this.parts.handshake.begin(detecting);
    try {
      await connected;
    } catch (error) {
      if (detecting && generation === this.linkGeneration) {
        this.link = undefined;
        this.parts.writer.detach();
        this.linkGeneration += 1;
        await link.close();
      }
      throw error;
    }
  }

  /** The first ok: the sync (hello, M115 probe) and an M105 follow before the printer counts as Operational. */
  private onConnected(): void {
    this.answered = true;
    this.parts.handshake.answered();
    this.startSync(true);
    this.transmitter.pump();
  }

  /** The M105 after the sync was answered: Operational, with the temperatures of its reply known. */
  private onOperational(): void {
    if (this.link === undefined || this.isOperational) return;
    this.setState('OPERATIONAL');
    this.parts.pollers.scheduleTemperature();
    this.parts.pollers.scheduleSd();
    this.transmitter.pump();
    this.parts.handshake.succeeded();
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
      this.parts.pollers.scheduleTemperature();
      this.parts.pollers.scheduleSd();
    }
    this.events.emit('firmware', this.firmware);
  }

  // ---------------------------------------------------------------- sending

  /** Queues lines in order; resolves when the firmware accepted every one. */
  send(lines: string | readonly string[]): Promise<void> {
    return this.parts.intake.send(lines);
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
    this.parts.state.setJob(state, sdTransfer);
  }

  // ---------------------------------------------------------------- receiving

  private receive(raw: string): void {
    const nul = raw.indexOf('\0');
    if (nul >= 0) {
      // Marlin never sends NUL: it means noise on the line or a baud rate mismatch. The rest is still parsed.
      this.parts.logs.warn(
        `Received line contains at least one null byte character at position ${nul}, this hints at some data corruption going on`,
      );
    }
    const line = (nul >= 0 ? raw.replaceAll('\0', '') : raw).trimEnd();
    this.parts.writer.received(line);
    this.parts.replies.handle(line);
  }

  private onExternalReset(): void {
    this.parts.logs.warn(
      "Printer sent 'start' while already operational. External reset? Resetting line numbers to be on the safe side",
    );
    this.sdCard.fileSelected = false;
    if (this.sdCard.printing) {
      this.parts.logs.warn('Aborting job since printer lost state.');
      this.sdCard.forgetPrint();
      if (this.state !== 'OPERATIONAL') this.setState('OPERATIONAL');
    }
    this.transmitter.failPending(new ConnectionLostError('The printer was reset'));
    this.transmitter.reset();
    this.parts.handshake.restart();
    this.startSync(false);
    this.transmitter.pump();
  }

  // ---------------------------------------------------------------- errors

  private closeWithError(message: string, state: 'CLOSED' | 'CLOSED_WITH_ERROR' = 'CLOSED_WITH_ERROR'): void {
    const link = this.link;
    this.teardown(new ConnectionLostError(message));
    this.parts.state.fail(message, state);
    if (link !== undefined) void link.close();
  }

  private teardown(reason: Error): void {
    this.linkGeneration += 1;
    this.link = undefined;
    this.parts.writer.detach();
    this.parts.handshake.fail(reason);
    this.parts.pollers.stop();
    this.transmitter.stop();
    this.parts.replies.reset();
    this.transmitter.failPending(reason);
    this.transmitter.reset();
    this.parts.timing.reset();
    this.answered = false;
    this.firmwareModel.reset();
    this.sdCard.reset();
  }

  // ---------------------------------------------------------------- state

  private get state(): PrinterStateId {
    return this.parts.state.id;
  }

  private setState(state: PrinterStateId): void {
    this.parts.state.set(state);
  }
}
