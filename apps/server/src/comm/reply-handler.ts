import type { FirmwareModel } from './firmware-model.js';
import type { CommClock } from './printer-comm.options.js';
import type { PrinterStateId } from './printer-comm.types.js';
import { errorContinues, isTemperatureLine, parsePosition } from './reply-parsers.js';
import type { SdTracker } from './sd-tracker.js';
import type { Transmitter } from './transmitter.js';

/** How long the second line of a two-line firmware error may take to arrive. */
const ERROR_CONTINUATION_MS = 1000;

export interface ReplyHandlerHost {
  state(): PrinterStateId;
  linked(): boolean;
  /** Waiting for the first answer to the hellos. */
  handshaking(): boolean;
  /** `start` during the handshake: the board just booted and lost the hello. */
  sayHello(): void;
  /** The handshake's first ok. */
  connected(): void;
  /** The firmware model took a temperature report. */
  temperatures(): void;
  busy(): void;
  /** `//action:...` */
  action(line: string): void;
  /** `start` while operational. */
  externalReset(): void;
  /** An M114 position report (the print engine captures it when pausing). */
  position(position: { x: number; y: number; z: number; e: number }): void;
  /** A firmware error line (`Error:...`, `!!...`, `fatal:...`), merged with its continuation. */
  error(message: string): void;
}

/**
 * What each received line means, in OctoPrint's order (marlin-protocol.md §3.5): handshake replies, SD listings,
 * busy lines, host actions, errors (with their continuation line), oks, resend requests, then information for the
 * firmware model and the SD card.
 */
export class ReplyHandler {
  private pendingErrorHead: string | undefined;
  private errorContinuationTimer: unknown;

  constructor(
    private readonly clock: CommClock,
    private readonly transmitter: Transmitter,
    private readonly firmware: FirmwareModel,
    private readonly sd: SdTracker,
    private readonly host: ReplyHandlerHost,
  ) {}

  /** The link is gone: a pending error head is dropped. */
  reset(): void {
    this.clock.clearTimeout(this.errorContinuationTimer);
    this.pendingErrorHead = undefined;
  }

  handle(line: string): void {
    if (line === '') return;
    // The common case while streaming, first.
    if (
      line === 'ok' &&
      this.pendingErrorHead === undefined &&
      !this.transmitter.awaitingResendOk &&
      this.host.state() === 'OPERATIONAL' &&
      !this.sd.listingInProgress
    ) {
      this.transmitter.handleOk();
      return;
    }
    if (this.pendingErrorHead !== undefined) {
      const head = this.pendingErrorHead;
      this.pendingErrorHead = undefined;
      this.clock.clearTimeout(this.errorContinuationTimer);
      const tail = /^error:/i.test(line) ? line.replace(/^error:\s*/i, '') : undefined;
      if (tail !== undefined) {
        this.host.error(`${head} - ${tail}`);
        return;
      }
      this.host.error(head);
      if (!this.host.linked()) return;
    }
    // The firmware left out the ok after a Resend: fake it at once.
    if (this.transmitter.awaitingResendOk && !line.startsWith('ok')) this.transmitter.handleOk();

    if (this.host.handshaking()) {
      if (line.includes('start')) this.host.sayHello();
      else if (line.startsWith('ok') || line === 'wait') this.host.connected();
      return;
    }
    if (this.sd.listingInProgress) {
      this.sd.readListingLine(line);
      return;
    }
    if (/^(echo:)?busy:/i.test(line)) {
      this.host.busy();
      return;
    }
    if (line.startsWith('//')) {
      this.host.action(line);
      return;
    }
    const errorMatch = /^(error:|!!)\s*(.*)$/i.exec(line) ?? (/^fatal:/i.test(line) ? ['', '', line] : null);
    if (errorMatch !== null) {
      this.onError(errorMatch[2] ?? '');
      return;
    }
    if (line === 'wait') {
      this.transmitter.onIdleWait();
      return;
    }
    if (line.startsWith('ok')) {
      this.transmitter.handleOk();
      if (!/T\d*:|B:|C:/.test(line)) return;
    } else if (/^(resend|rs)\b/i.test(line)) {
      this.transmitter.onResendRequest(line);
      return;
    }
    this.onInformation(line);
  }

  /** Some errors continue on a second `Error:` line (`Error:Printer halted.` after the cause): wait for it briefly. */
  private onError(message: string): void {
    if (!errorContinues(message)) {
      this.host.error(message);
      return;
    }
    this.pendingErrorHead = message;
    this.errorContinuationTimer = this.clock.setTimeout(() => {
      const head = this.pendingErrorHead;
      this.pendingErrorHead = undefined;
      if (head !== undefined) this.host.error(head);
    }, ERROR_CONTINUATION_MS);
  }

  private onInformation(line: string): void {
    if (isTemperatureLine(line)) {
      if (this.firmware.readTemperatures(line)) this.host.temperatures();
      // Heat-up reports show a long-running command is alive.
      if (!line.startsWith('ok') && this.transmitter.heating) this.transmitter.refreshWatchdog();
      return;
    }
    if (this.firmware.readIdentity(line)) return;
    if (/invalid extruder/i.test(line)) {
      const tool = this.firmware.refuseTool(line);
      this.transmitter.enqueue([`T${tool}`], undefined, true);
      this.transmitter.pump();
      return;
    }
    if (line === 'start') {
      this.host.externalReset();
      return;
    }
    const position = parsePosition(line);
    if (position !== undefined) {
      this.host.position(position);
      return;
    }
    this.sd.readLine(line);
  }
}
