import type { EventEmitter } from 'node:events';
import { CommFaults } from './comm-faults.js';
import { CommTiming } from './comm-timing.js';
import { CommandIntake } from './command-intake.js';
import { ConnectionState } from './connection-state.js';
import { FirmwareModel } from './firmware-model.js';
import { Handshake } from './handshake.js';
import { followHostAction } from './host-actions.js';
import { LineWriter } from './line-writer.js';
import { Pollers } from './pollers.js';
import {
  type CommClock,
  type CommDiagnostics,
  commLogs,
  ConnectionLostError,
  DEFAULT_TIMEOUTS,
  type PrinterCommOptions,
  REAL_CLOCK,
} from './printer-comm.options.js';
import type { TemperatureSample } from './printer-comm.types.js';
import { ReplyHandler } from './reply-handler.js';
import { parseActionCommand } from './reply-parsers.js';
import { SdTracker } from './sd-tracker.js';
import { Transmitter } from './transmitter.js';

/** What the parts need from the connection that owns them (PrinterComm). */
export interface PartsOwner {
  /** Where the parts announce what happened (PrinterComm's `events`). */
  readonly events: EventEmitter;
  /** A link is open. */
  linked(): boolean;
  /** The handshake was answered: the sync and the first M105 run before the state is Operational. */
  answered(): boolean;
  /** The first ok of the handshake. */
  connected(): void;
  /** The sync probe's ok: the conversation is in step. */
  synchronised(): void;
  /** `start` while operational: the printer was reset. */
  externalReset(): void;
  disconnect(): void;
  closeWithError(message: string): void;
}

/** The parts of one printer connection, wired to each other and to their owner. */
export interface CommParts {
  readonly clock: CommClock;
  readonly logs: CommDiagnostics;
  readonly state: ConnectionState;
  readonly writer: LineWriter;
  readonly handshake: Handshake;
  readonly firmwareModel: FirmwareModel;
  readonly timing: CommTiming;
  readonly transmitter: Transmitter;
  readonly sdCard: SdTracker;
  readonly pollers: Pollers;
  readonly replies: ReplyHandler;
  readonly intake: CommandIntake;
  readonly faults: CommFaults;
}

/**
 * Builds the parts of a connection and says how they call each other: which part hears of a written line, a
 * received reply, a busy line, an error. The reactions that need no more than the parts (a busy line, a host
 * action, a temperature report) are here; what changes the connection itself goes to the owner.
 */
export function wireCommParts(options: PrinterCommOptions, owner: PartsOwner): CommParts {
  const clock = options.clock ?? REAL_CLOCK;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const epochOffset = Date.now() - clock.now();
  const logs = commLogs(options);
  const { events } = owner;
  const linked = owner.linked;
  const operational = (): boolean => linked() && state.operational;

  const writer = new LineWriter(clock, timeouts.write * 1000, options.traffic, {
    onWriteTimeout: () => faults.writeFailed('Write timeout'),
    ...logs,
  });
  const handshake = new Handshake(clock, timeouts.connection, writer, () => state.id);
  const firmwareModel = new FirmwareModel(options.profile?.heatedChamber === true);
  const timing: CommTiming = new CommTiming(timeouts, firmwareModel, (): Transmitter => transmitter);
  const transmitter = new Transmitter(
    clock,
    {
      flowControl: options.flowControl ?? 'ping-pong',
      sendAheadLines: options.sendAheadLines ?? 4,
      rxBufferSize: options.rxBufferSize ?? 127,
    },
    {
      linked,
      ready: () => linked() && (state.operational || owner.answered()),
      printing: () => state.id === 'PRINTING' || state.id === 'PAUSED',
      writeLine: (line) => writer.writeLine(line),
      commandSent: (command, code) => {
        if (firmwareModel.commandSent(command, code)) pollers.scheduleTemperature();
      },
      synchronised: () => owner.synchronised(),
      firmwareInfoSeen: () => firmwareModel.infoSeen,
      communicationTimeoutMs: () => timing.communicationTimeoutMs(),
      triggerError: (message) => faults.fatal(message),
      ...logs,
    },
  );
  const sdCard = new SdTracker({
    printingChanged: (printing) => {
      if (printing && state.id === 'OPERATIONAL') state.set('PRINTING');
      else if (!printing && (state.id === 'PRINTING' || state.id === 'PAUSED')) state.set('OPERATIONAL');
      else state.announce();
    },
    pollingChanged: () => pollers.scheduleSd(),
    requestListing: () => {
      transmitter.enqueue([firmwareModel.has('EXTENDED_M20') ? 'M20 L T' : 'M20'], undefined);
      transmitter.pump();
    },
    filesChanged: (files) => events.emit('sdFiles', files),
  });
  const state = new ConnectionState(events, sdCard, logs.log);
  const pollers = new Pollers(clock, timeouts.sdStatus, transmitter, {
    operational,
    temperatureInterval: () => (firmwareModel.autoreportTemperature ? undefined : timing.temperatureInterval()),
    sdPollWanted: () =>
      operational() && !transmitter.syncing && !firmwareModel.autoreportSd && (sdCard.fileSelected || sdCard.printing),
  });
  const replies = new ReplyHandler(clock, transmitter, firmwareModel, sdCard, {
    state: () => state.id,
    linked,
    handshaking: () => !owner.answered() && (state.id === 'CONNECTING' || state.id === 'DETECT_SERIAL'),
    sayHello: () => handshake.hello(),
    connected: () => owner.connected(),
    temperatures: () => {
      const time = Math.floor((epochOffset + clock.now()) / 1000);
      const sample: TemperatureSample = { time, heaters: firmwareModel.heaters };
      events.emit('temperature', sample);
    },
    busy: () => {
      transmitter.refreshWatchdog();
      const keepalive = timing.busySeen();
      if (keepalive === undefined) return;
      logs.log('Printer seems to support the busy protocol, will adjust timeouts and set busy interval accordingly');
      transmitter.enqueue([keepalive], undefined);
      transmitter.pump();
    },
    action: (line) => {
      const action = parseActionCommand(line);
      if (action === undefined) return;
      events.emit('action', action);
      followHostAction(action, {
        state: () => state.id,
        setState: (next) => state.set(next),
        forgetSdPrint: () => sdCard.forgetPrint(),
        disconnect: () => owner.disconnect(),
        log: (message) => logs.log(message),
      });
    },
    externalReset: () => owner.externalReset(),
    position: (position) => events.emit('position', position),
    error: (message) => faults.firmwareError(message),
  });
  const intake = new CommandIntake(transmitter, firmwareModel, {
    operational,
    emergencyStop: () => {
      faults.emergencyStop();
      owner.closeWithError('Emergency stop (M112) sent, closing the connection');
    },
    ...logs,
  });
  const faults = new CommFaults(options, writer, transmitter, {
    state: () => state.id,
    sdPrinting: () => sdCard.printing,
    recordError: (info) => state.recordError(info),
    enterError: (message) => state.fail(message, 'ERROR'),
    closeWithError: (message) => owner.closeWithError(message),
    failConnectAttempt: (message) => handshake.fail(new ConnectionLostError(message)),
    ...logs,
  });
  return {
    clock,
    logs,
    state,
    writer,
    handshake,
    firmwareModel,
    timing,
    transmitter,
    sdCard,
    pollers,
    replies,
    intake,
    faults,
  };
}
