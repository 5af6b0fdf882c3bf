import { Confirmations } from './confirmations.js';
import { numberedLine } from './gcode-line.js';
import { InFlightWindow } from './in-flight-window.js';
import { LineNumbering } from './line-numbering.js';
import type { LineSource } from './line-source.js';
import { OkWatchdog } from './ok-watchdog.js';
import type { CommClock } from './printer-comm.options.js';
import type { ResendStats } from './printer-comm.types.js';
import { parseResendRequest } from './reply-parsers.js';
import { ResendHold } from './resend-hold.js';
import { ResendOkTimer } from './resend-ok-timer.js';
import { ResendTracker } from './resend-tracker.js';
import { type Batch, type Entry, heatsUp, mayRunLong, newEntry, type PollKind } from './transmit-entry.js';
import { TransmitQueue } from './transmit-queue.js';
import type { TransmitterHost, TransmitterOptions } from './transmitter.options.js';

export type { Batch } from './transmit-entry.js';

const HELLO = 'M110 N0';
const MAX_CONSECUTIVE_TIMEOUTS = 5;

/**
 * The sending half of Marlin's host protocol: what goes out when, and what each ok, `Resend:` and silence means.
 * Its parts: the queue (TransmitQueue: commands, polls, line sources), LineNumbering (numbers, checksums, the resend
 * history), the InFlightWindow (ping-pong, or send-ahead bounded by lines and by the firmware's RX bytes),
 * Confirmations, the ResendTracker and ResendHold, and the OkWatchdog. Order of what goes out on each ok: resends,
 * then queued commands (user, polls), then the next line of a line source (OctoPrint's command queue before the job).
 */
export class Transmitter {
  readonly watchdog: OkWatchdog;
  private readonly resends: ResendTracker;
  private readonly queue = new TransmitQueue();
  private readonly resendQueue: Entry[] = [];
  private readonly numbering: LineNumbering;
  private readonly inFlight = new InFlightWindow();
  private readonly confirmations = new Confirmations();
  /** Oks that belong to error replies (`Error`/`Resend`/`ok`) rather than to a line in flight. */
  private errorOks = 0;
  /** After an error, one line in flight until every resent line is confirmed. */
  private recoverUntilSeq = 0;
  private readonly resendOk: ResendOkTimer;
  /** The resend waits for the duplicate requests of the lines that were in flight. */
  private readonly resendHold: ResendHold;
  private consecutiveTimeouts = 0;
  /**
   * After the first handshake ok (or an external reset): one more hello and an M115 probe go out, stray oks of
   * earlier hellos are skipped until the probe's ok, and nothing else is sent before it (see `startSync`).
   */
  private syncProbe: Entry | undefined;

  constructor(
    clock: CommClock,
    private readonly options: TransmitterOptions,
    private readonly host: TransmitterHost,
  ) {
    this.watchdog = new OkWatchdog(clock, host.communicationTimeoutMs, () => this.onCommunicationTimeout());
    this.resends = new ResendTracker(host);
    this.resendHold = new ResendHold(clock, () => this.pump());
    this.numbering = new LineNumbering(options.sendAheadLines);
    this.resendOk = new ResendOkTimer(clock, () => {
      host.log(
        "Firmware didn't send an 'ok' with their resend request. That's a known bug with some firmware variants out there.",
      );
      this.handleOk();
    });
  }

  get syncing(): boolean {
    return this.syncProbe !== undefined;
  }

  /** An ok is pending after a `Resend:` (see ResendOkTimer). */
  get awaitingResendOk(): boolean {
    return this.resendOk.pending;
  }

  /**
   * Lines went again after a resend request or a lost ok and are not all confirmed, and no timeout passed since:
   * the firmware that asked for them answers at once, so silence means the exchange broke down (the ok-watchdog
   * runs short once; a printer that stays silent then gets the usual timeouts).
   */
  get recovering(): boolean {
    return this.confirmations.through < this.recoverUntilSeq && this.consecutiveTimeouts === 0;
  }

  /** Resend requests and lines sent since `restartStats`. */
  get resendStats(): ResendStats {
    return this.resends.stats;
  }

  restartStats(): void {
    this.resends.restartCounts();
  }

  /** A heat-up command (M109, M190, ...) waits for its ok. */
  get heating(): boolean {
    return this.inFlight.some(heatsUp);
  }

  /** A command that may take long without an ok (a heat-up, homing, a dwell) waits for its ok. */
  get longRunning(): boolean {
    return this.inFlight.some(mayRunLong);
  }

  /**
   * Adds a source of lines sent when no command waits (e.g. a print job streaming a file); returns its removal.
   * The source is asked for one line at a time, only when that line can go out.
   */
  addSource(source: LineSource): () => void {
    const remove = this.queue.addSource(source);
    this.pump();
    return remove;
  }

  /** Queues commands (in order) for one `send()` call, or for the host itself when `batch` is undefined. */
  enqueue(commands: readonly string[], batch: Batch | undefined, front = false): void {
    this.queue.add(commands, batch, front);
  }

  /** Queues a poll unless one of its kind already waits. */
  enqueuePoll(command: string, kind: PollKind): void {
    if (this.queue.addPoll(command, kind)) this.pump();
  }

  dropPoll(kind: PollKind): void {
    this.queue.dropPoll(kind);
  }

  /**
   * Writes a command at once, past the queue and past flow control (M108/M410 for an emergency parser). It still
   * takes a place in line for its ok.
   */
  forceSend(command: string, batch: Batch): void {
    const entry = newEntry(command, batch);
    const wire = this.numberEntry(entry);
    this.inFlight.push(entry, wire);
    this.host.writeLine(wire);
    this.resends.lineSent();
    this.watchdog.arm();
  }

  /** Numbers a command outside the queue (the emergency stop sequence) and returns its wire form. */
  numbered(command: string): string {
    return this.numberEntry(newEntry(command));
  }

  /**
   * Queues (at the front) a hello, when `withHello`, and an M115 probe. The probe goes without a line number:
   * Marlin applies M110 once more when it executes it, so a numbered line parsed between the hello and its
   * execution would be judged against line 0, requested again and run twice. Stray oks cannot tell which hello
   * ran, but the probe's ok (after its FIRMWARE_NAME reply) means every hello before it did.
   */
  startSync(withHello: boolean): void {
    const probe = newEntry('M115');
    probe.wire = 'M115';
    this.syncProbe = probe;
    this.queue.addEntries(withHello ? [newEntry(HELLO), probe] : [probe], true);
  }

  /** Sends as many lines as flow control allows. */
  pump(): void {
    while (this.host.ready()) {
      if (this.errorOks > 0) return;
      const resending = this.resendQueue.length > 0;
      if (resending && this.resendHold.held) return;
      const entry = resending ? this.resendQueue[0] : this.queue.peek(this.syncing);
      if (entry === undefined) return;
      if (entry.code === undefined && !resending) {
        // Not a G/M/T command: no ok follows, so it takes no credit.
        this.queue.shift();
        this.host.writeLine(entry.command);
        this.confirmations.settle(entry);
        continue;
      }
      // M110 renumbers: everything before it must be confirmed first, so resends never straddle it, and no
      // numbered line follows it before its ok (Marlin renumbers again when it executes it).
      if (entry.code === 'M110' && !resending && this.inFlight.length > 0) return;
      const numbered = entry !== this.syncProbe;
      if (numbered && this.inFlight.some((flight) => flight.code === 'M110')) return;
      // While syncing, nothing follows the probe until its ok.
      if (this.syncing && this.inFlight.some((flight) => flight === this.syncProbe)) return;
      if (this.inFlight.length >= this.inFlightLimit()) return;
      if (this.inFlight.length > 0) {
        const bytes = (entry.wire ?? numberedLine(this.numbering.nextNumber, entry.command)).length + 1;
        if (this.inFlight.bytes + bytes > this.options.rxBufferSize) return;
      }
      if (resending) this.resendQueue.shift();
      else this.queue.shift();
      const wire = resending ? (entry.wire ?? '') : this.numberEntry(entry);
      this.inFlight.push(entry, wire);
      if (entry.code !== undefined) this.host.commandSent(entry.command, entry.code);
      this.host.writeLine(wire);
      this.resends.lineSent();
      this.watchdog.arm();
    }
  }

  /** An ok (or a faked one). */
  handleOk(): void {
    this.resendOk.clear();
    this.consecutiveTimeouts = 0;
    if (this.errorOks > 0) {
      this.errorOks -= 1;
    } else {
      const head = this.inFlight.shift();
      if (head !== undefined) {
        if (head === this.syncProbe) {
          if (!this.host.firmwareInfoSeen()) {
            // A stray hello ok ran ahead of M115's reply; M115's own ok is still to come.
            this.inFlight.unshift(head);
            this.refreshWatchdog();
            return;
          }
          this.endSync();
          this.host.synchronised();
          this.pump();
          return;
        }
        if (head.code === 'M110' && this.syncing) {
          // M110's confirmation is implied by M115's; nothing to do.
        } else if (head.lineNumber !== undefined) this.confirmThrough(head.seq);
      }
    }
    this.pump();
    this.watchdog.settle(this.owesOks());
  }

  /** An error reply of the resend class (`checksum mismatch`, `Line Number is not ...`): its text feeds the filter. */
  noteCommError(message: string): void {
    this.resends.noteCommError(message);
  }

  /** `Resend: N` (or `rs N`). */
  onResendRequest(line: string): void {
    const requested = parseResendRequest(line);
    if (requested === undefined) return;
    // The ok that follows belongs to this error reply.
    this.errorOks += 1;
    this.resendOk.arm();
    const renumbering = this.inFlight.find((flight) => flight.code === 'M110');
    if (renumbering !== undefined) {
      // Nothing numbered follows an M110 before its ok, so a request now means the M110 line itself was rejected
      // (the firmware still counts in the old numbering, which the history no longer holds): send it again.
      this.resendRenumbering(renumbering);
      return;
    }
    const lastSentNumber = this.numbering.nextNumber - 1;
    const entry = this.numbering.sent(requested);
    const decision = this.resends.judge(requested, entry !== undefined, lastSentNumber, this.numbering.nextNumber);
    if (decision !== 'resend' || entry === undefined) {
      if (this.resendHold.held) this.resendHold.update(this.resends.duplicatesExpected);
      return;
    }
    // Everything before the requested line was accepted; the rest goes again, in order.
    this.confirmThrough(entry.seq - 1);
    const dropped = this.inFlight.remove((flight) => flight.seq >= entry.seq);
    this.resends.expectDuplicates(requested, dropped - 1);
    const again = this.numbering.sentSince(requested);
    this.resendQueue.length = 0;
    this.resendQueue.push(...again);
    this.recoverUntilSeq = Math.max(this.recoverUntilSeq, again[again.length - 1]?.seq ?? 0);
    if (this.resends.duplicatesExpected) this.resendHold.update(true);
    this.host.log(
      `Got a resend request from the printer: requested line = ${requested}, current line = ${lastSentNumber + 1}`,
    );
  }

  /** `wait`: the firmware is idle with nothing to do. A line still owed an ok means the ok was lost: recover now. */
  onIdleWait(): void {
    if (!this.host.linked() || !this.owesOks() || this.syncing) return;
    this.host.warn('Received a wait while a line was unacknowledged: its ok was lost, carrying on');
    this.recoverLostOk();
  }

  /** Moves the ok-watchdog's deadline (a busy line, a heat-up report). */
  refreshWatchdog(): void {
    if (this.host.linked()) this.watchdog.refresh();
    else this.watchdog.clear();
  }

  /** Rejects every `send()` still waiting. */
  failPending(reason: Error): void {
    const batches = new Set<Batch>();
    for (const entry of [...this.queue.entries, ...this.resendQueue, ...this.numbering.entries()]) {
      if (entry.batch !== undefined && !entry.batch.settled) batches.add(entry.batch);
    }
    for (const entry of this.inFlight.entries) if (entry.batch !== undefined) batches.add(entry.batch);
    for (const batch of batches) {
      if (batch.settled) continue;
      batch.settled = true;
      batch.reject(reason);
    }
  }

  /** Forgets everything in the queues and in flight and starts numbering at 1 (a new link, a reset printer). */
  reset(): void {
    this.queue.clear();
    this.resendQueue.length = 0;
    this.numbering.reset();
    this.inFlight.clear();
    this.confirmations.reset(this.numbering.lastSeq);
    this.errorOks = 0;
    this.recoverUntilSeq = 0;
    this.resendHold.clear();
    this.resends.reset();
    this.consecutiveTimeouts = 0;
    this.syncProbe = undefined;
    this.watchdog.clear();
  }

  /** The link is gone: timers stop. */
  stop(): void {
    this.resendOk.clear();
    this.resendHold.clear();
    this.watchdog.clear();
  }

  private resendRenumbering(renumbering: Entry): void {
    this.host.log(`Got a resend request from the printer while renumbering, sending ${renumbering.command} again`);
    this.inFlight.remove((flight) => flight === renumbering);
    this.resendQueue.length = 0;
    this.resendQueue.push(renumbering);
  }

  private inFlightLimit(): number {
    if (this.syncing) return 2;
    if (this.options.flowControl !== 'send-ahead' || this.confirmations.through < this.recoverUntilSeq) return 1;
    return Math.max(1, this.options.sendAheadLines);
  }

  private owesOks(): boolean {
    return this.inFlight.length > 0 || this.errorOks > 0;
  }

  /** The probe's ok arrived: everything before it was accepted. */
  private endSync(): void {
    this.syncProbe = undefined;
    this.errorOks = 0;
    this.confirmThrough(this.numbering.lastSeq);
    this.inFlight.clear();
    this.watchdog.clear();
  }

  /** Gives a queued entry its line number (once) and records it for resends. */
  private numberEntry(entry: Entry): string {
    if (entry.wire !== undefined) return entry.wire;
    const wire = this.numbering.assign(entry);
    if (entry.code === 'M110') this.resends.renumbered();
    this.confirmations.track(entry);
    return wire;
  }

  /** Every numbered line up to `seq` was accepted (the firmware enforces their order). */
  private confirmThrough(seq: number): void {
    if (!this.confirmations.confirmThrough(seq)) return;
    this.resends.progressed((number) => {
      const requested = this.numbering.sent(number);
      return requested === undefined || requested.seq <= seq;
    });
  }

  private onCommunicationTimeout(): void {
    if (!this.host.linked() || !this.owesOks()) return;
    this.consecutiveTimeouts += 1;
    if (this.consecutiveTimeouts > MAX_CONSECUTIVE_TIMEOUTS) {
      this.host.warn(
        `No response from printer after ${this.consecutiveTimeouts - 1} consecutive communication timeouts, considering it dead.`,
      );
      this.host.triggerError('Too many consecutive timeouts, printer still connected and alive?');
      return;
    }
    if (this.longRunning && this.errorOks === 0) {
      this.host.log('Communication timeout while a long running command is active, waiting');
      this.refreshWatchdog();
      return;
    }
    this.host.warn('Communication timeout, trying to trigger a response from the printer');
    this.recoverLostOk();
  }

  /**
   * The ok was lost (or the line never arrived). Forget what is in flight and send the next line: the firmware
   * either accepts it (everything before it arrived) or asks for the first missing line. Requests caused by the
   * forgotten lines are not expected any more, so the duplicate filter lets the next one through.
   */
  private recoverLostOk(): void {
    this.resendOk.clear();
    this.inFlight.clear();
    this.errorOks = 0;
    this.resends.inFlightForgotten();
    this.resendHold.clear();
    this.recoverUntilSeq = Math.max(this.recoverUntilSeq, this.numbering.lastSeq);
    if (this.resendQueue.length === 0 && this.queue.length === 0) {
      this.queue.addEntries([newEntry('M105', undefined, 'temperature-poll')]);
    }
    this.pump();
    this.refreshWatchdog();
  }
}
