import { isJobState } from './comm-state.js';
import { FileLineReader } from './file-line-reader.js';
import { commandCode, stripComment } from './gcode-line.js';
import type { PrintJobOutcome, PrintJobProgress, PrintJobRequest } from './print-job.types.js';
import type { PrinterStatus } from './printer-comm.types.js';

/** The print states the engine sets; every other state change comes from the protocol (errors, disconnects). */
export type JobStateId = 'STARTING' | 'PRINTING' | 'PAUSING' | 'PAUSED' | 'RESUMING' | 'CANCELLING' | 'FINISHING';

/** A position report (`X:10.00 Y:20.00 Z:0.30 E:5.00 Count ...`), for the pause scripts. */
export interface PrinterPosition {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly e: number;
}

/** What a print needs from the protocol (PrinterComm implements it). */
export interface PrintJobHost {
  readonly status: PrinterStatus;
  readonly extruderCount: number;
  /** Bytes done and total of an SD print, from the firmware's reports. */
  readonly sdProgress: { done: number; total: number } | undefined;
  /** Queues lines ahead of file lines; resolves once all were acknowledged. */
  send(lines: readonly string[]): Promise<void>;
  /**
   * Lines to draw from whenever the command queue is empty (each goes out as soon as it is drawn); `accepted` hears
   * of each line's ok. Undefined stops the feed at once.
   */
  setLineSource(source: { next(): string | undefined; accepted?(line: string): void } | undefined): void;
  /** The source has lines again. */
  wake(): void;
  /** `sdTransfer`: the job writes the file to the SD card (the states read "… send file to SD"). */
  setJobState(state: JobStateId | 'OPERATIONAL', sdTransfer?: boolean): void;
  onState(listener: (status: PrinterStatus) => void): () => void;
  onPosition(listener: (position: PrinterPosition) => void): () => void;
  readonly now: () => number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  log(message: string): void;
}

const POSITION_WAIT_MS = 10_000;
/** First characters of lines that may be special, after `| 0x20` (which lower-cases letters and turns `@` into 0x60). */
const AT_SIGN = 0x40 | 0x20;
const LOWER_M = 0x6d;
const LOWER_T = 0x74;
/** Heat-ups: the time until their ok is left out of the time-left estimate (spec §5.2), kept in the print time. */
const HEATING = new Set(['M109', 'M190', 'M191', 'M116']);

/** Lines of a script, comments and blank lines dropped, `{{ pause_position.x }}` filled in (or the line dropped). */
export function renderScript(script: string, position: PrinterPosition | undefined): string[] {
  const placeholder = /\{\{\s*pause_position\./;
  return (
    script
      .split('\n')
      // Without a captured position, a line that needs one is left out rather than sent with empty coordinates.
      .filter((line) => position !== undefined || !placeholder.test(line))
      .map((line) =>
        line.replace(/\{\{\s*pause_position\.([xyze])\s*\}\}/g, (_, axis: 'x' | 'y' | 'z' | 'e') =>
          position === undefined ? '' : String(position[axis]),
        ),
      )
      .map(stripComment)
      .filter((line) => line !== '')
  );
}

/**
 * One host print (spec octoprint-files-jobs §5): streams the stored file into the comm queue line by line (comments
 * and blank lines stripped), drives Starting → Printing ⇄ Pausing → Paused → Resuming, Cancelling, Finishing, runs
 * the scripts, and ends exactly once with an outcome (done, cancelled, or failed with the reason).
 */
export class HostPrintJob {
  private readonly reader: FileLineReader;
  private filepos = 0;
  private startedAt = 0;
  private pausedTotal = 0;
  private pausedSince: number | undefined;
  private heatupTotal = 0;
  /** A file heat-up command went out at this time and waits for its ok. */
  private heatingSince: number | undefined;
  private ended = false;
  /** Where the head was when the print paused (for the resume and cancel scripts). */
  private position: PrinterPosition | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  /** The engine is changing the state itself; protocol state events during it are its own. */
  private settingState = false;

  constructor(
    private readonly host: PrintJobHost,
    private readonly request: PrintJobRequest,
    private readonly onEnd: (outcome: PrintJobOutcome) => void,
  ) {
    this.reader = new FileLineReader(request.file, () => host.wake());
  }

  get progress(): PrintJobProgress {
    const now = this.host.now();
    const paused = this.pausedTotal + (this.pausedSince === undefined ? 0 : now - this.pausedSince);
    return {
      path: this.request.path,
      origin: 'local',
      size: this.reader.size,
      filepos: this.filepos,
      printTime: Math.max(0, (now - this.startedAt - paused) / 1000),
      heatupTime: (this.heatupTotal + (this.heatingSince === undefined ? 0 : now - this.heatingSince)) / 1000,
    };
  }

  async start(): Promise<void> {
    await this.reader.open();
    this.startedAt = this.host.now();
    this.unsubscribe.push(this.host.onState((status) => this.onProtocolState(status)));
    this.setState('STARTING');
    const transfer = this.request.transferTo;
    const opening =
      transfer === undefined ? renderScript(this.request.scripts.beforePrintStarted, undefined) : [`M28 /${transfer}`];
    this.run(['M110 N0', ...opening], () => {
      if (this.host.status.id !== 'STARTING') return;
      this.setState('PRINTING');
      this.host.setLineSource(this);
    });
  }

  /** The next line for the sender, or undefined (nothing buffered yet, paused, or the end reached). */
  next(): string | undefined {
    for (;;) {
      const line = this.reader.next();
      if (line === undefined) {
        if (this.reader.error !== undefined)
          this.fail(`Could not read ${this.request.path}: ${this.reader.error.message}`);
        else if (this.reader.done) this.finish();
        return undefined;
      }
      this.filepos = line.end;
      const command = stripComment(line.text);
      if (command === '') continue;
      // A transfer writes every line to the card as it is; only a print acts on them.
      const special = this.request.transferTo === undefined ? this.special(command) : 'send';
      if (special === 'skip') continue;
      if (special === 'stop') return undefined;
      if (special === 'heating') this.heatingSince = this.host.now();
      return command;
    }
  }

  /** The firmware acknowledged a file line: a heat-up that ends with it counts into the heat-up time. */
  accepted(line: string): void {
    if (this.heatingSince === undefined) return;
    const code = commandCode(line);
    if (code === undefined || !HEATING.has(code)) return;
    this.heatupTotal += this.host.now() - this.heatingSince;
    this.heatingSince = undefined;
  }

  /** Lines the engine handles itself instead of sending (spec §5.2 table). */
  private special(command: string): 'send' | 'heating' | 'skip' | 'stop' {
    // Most lines are moves: only `@…` host commands and M/T codes can be special (stripComment trimmed the line).
    const first = command.charCodeAt(0) | 0x20;
    if (first !== AT_SIGN && first !== LOWER_M && first !== LOWER_T) return 'send';
    const host = command.toLowerCase();
    if (host === '@pause') {
      this.pause();
      return 'stop';
    }
    if (host === '@resume') return 'skip';
    if (host === '@cancel' || host === '@abort') {
      this.cancel();
      return 'stop';
    }
    const code = commandCode(command);
    if (code === 'M0' || code === 'M1') {
      this.host.log(`Pausing the print at ${code} (never sent: it waits for a button on the printer)`);
      this.pause();
      return 'stop';
    }
    if (code === 'M112') {
      // The protocol's emergency stop closes the connection; the print fails with its reason.
      this.host.setLineSource(undefined);
      void this.host.send(['M112']).catch(() => undefined);
      return 'stop';
    }
    if (code !== undefined && code.startsWith('T') && Number(code.slice(1)) >= this.host.extruderCount) {
      this.host.log(`Not sending ${code}: the printer profile has ${this.host.extruderCount} extruder(s)`);
      return 'skip';
    }
    return code !== undefined && HEATING.has(code) ? 'heating' : 'send';
  }

  pause(): void {
    // Pausing an SD transfer is a no-op (as OctoPrint).
    if (this.request.transferTo !== undefined) return;
    const state = this.host.status.id;
    if (state !== 'STARTING' && state !== 'PRINTING' && state !== 'RESUMING') return;
    this.host.setLineSource(undefined);
    this.pausedSince = this.host.now();
    this.setState('PAUSING');
    const afterPosition = (position: PrinterPosition | undefined): void => {
      // Cancelled, failed or resumed meanwhile: the pause script no longer applies.
      if (this.ended || this.host.status.id !== 'PAUSING') return;
      this.run(renderScript(this.request.scripts.afterPrintPaused, position), () => {
        if (this.host.status.id === 'PAUSING') this.setState('PAUSED');
      });
    };
    if (!this.request.logPositionOnPause) {
      afterPosition(undefined);
      return;
    }
    let settled = false;
    const settle = (position: PrinterPosition | undefined): void => {
      if (settled) return;
      settled = true;
      stop();
      this.host.clearTimeout(timer);
      this.position = position;
      afterPosition(position);
    };
    const stop = this.host.onPosition((position) => settle(position));
    const timer = this.host.setTimeout(() => settle(undefined), POSITION_WAIT_MS);
    this.run(['M400', 'M114'], () => undefined);
  }

  resume(): void {
    if (this.host.status.id !== 'PAUSED') return;
    if (this.pausedSince !== undefined) this.pausedTotal += this.host.now() - this.pausedSince;
    this.pausedSince = undefined;
    this.setState('RESUMING');
    this.run(renderScript(this.request.scripts.beforePrintResumed, this.position), () => {
      if (this.host.status.id !== 'RESUMING') return;
      this.setState('PRINTING');
      this.host.setLineSource(this);
    });
  }

  cancel(): void {
    const state = this.host.status.id;
    if (!isJobState(state) || state === 'CANCELLING' || state === 'FINISHING') return;
    this.host.setLineSource(undefined);
    this.setState('CANCELLING');
    // M108 first: it ends a heat-up wait (sent at once with an emergency parser); lines already sent still run.
    // A cancelled transfer closes the file on the card and deletes what was written.
    const transfer = this.request.transferTo;
    const lines =
      transfer === undefined
        ? ['M108', ...renderScript(this.request.scripts.afterPrintCancelled, this.position)]
        : ['M29', `M30 /${transfer}`, 'M20'];
    this.run(lines, () => {
      this.end({ success: false, reason: 'cancelled' });
      if (this.host.status.id === 'CANCELLING') this.setState('OPERATIONAL');
    });
  }

  /** Ends a paused print as failed without the cancel script, for a restart from byte 0. */
  abortForRestart(): void {
    this.host.setLineSource(undefined);
    this.end({ success: false, reason: 'cancelled' });
  }

  private finish(): void {
    if (this.host.status.id !== 'PRINTING') return;
    this.host.setLineSource(undefined);
    this.setState('FINISHING');
    const printTime = this.progress.printTime;
    const closing =
      this.request.transferTo === undefined
        ? ['M400', ...renderScript(this.request.scripts.afterPrintDone, undefined)]
        : ['M29', 'M20'];
    this.run(closing, () => {
      this.end({ success: true, reason: 'done', printTime });
      if (this.host.status.id === 'FINISHING') this.setState('OPERATIONAL');
    });
  }

  private fail(error: string): void {
    this.host.setLineSource(undefined);
    this.end({ success: false, reason: 'error', error });
    // Still connected (e.g. the file could not be read): back to Operational.
    if (isJobState(this.host.status.id)) this.setState('OPERATIONAL');
  }

  /** Sends script lines; `then` runs once they were acknowledged (a dropped connection fails the print instead). */
  private run(lines: string[], then: () => void): void {
    this.host.send(lines).then(
      () => {
        if (!this.ended) then();
      },
      (error: unknown) => this.fail(error instanceof Error ? error.message : String(error)),
    );
  }

  private setState(state: JobStateId | 'OPERATIONAL'): void {
    this.settingState = true;
    try {
      this.host.setJobState(state, this.request.transferTo !== undefined);
    } finally {
      this.settingState = false;
    }
  }

  /** A state the engine did not set: an error, a disconnect or a printer reset ends the print as failed. */
  private onProtocolState(status: PrinterStatus): void {
    if (this.settingState || this.ended || isJobState(status.id)) return;
    const reason =
      status.error ??
      (status.id === 'OPERATIONAL' ? 'The printer reset during the print' : `Printer went ${status.text}`);
    this.fail(reason);
  }

  private end(outcome: Omit<PrintJobOutcome, 'path' | 'printTime' | 'origin'> & { printTime?: number }): void {
    if (this.ended) return;
    this.ended = true;
    for (const stop of this.unsubscribe.splice(0)) stop();
    void this.reader.close();
    this.onEnd({
      ...outcome,
      ...(this.request.transferTo === undefined ? {} : { transfer: true }),
      path: this.request.path,
      origin: 'local',
      printTime: outcome.printTime ?? this.progress.printTime,
    });
  }
}
