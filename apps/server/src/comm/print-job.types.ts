/**
 * The contract between the Job API (`src/job`) and the print engine, which runs beside the protocol (in the comm
 * process with `serial.thread: worker`) and streams a stored file into the send queue line by line.
 */

/** G-code scripts run around a print (OctoPrint's `scripts.gcode.*`); each is lines separated by newlines. */
export interface PrintScripts {
  readonly beforePrintStarted: string;
  readonly afterPrintDone: string;
  readonly afterPrintCancelled: string;
  readonly afterPrintPaused: string;
  readonly beforePrintResumed: string;
}

export interface PrintJobRequest {
  /** `local` (default): a stored file the host streams; `sdcard`: a file on the printer's card, printed by it. */
  readonly origin?: 'local' | 'sdcard';
  /** Absolute path of the stored file, or the name on the SD card. */
  readonly file: string;
  /** Storage path, reported back in progress and outcome. */
  readonly path: string;
  readonly scripts: PrintScripts;
  /** Capture the position (M400, M114) when pausing, for `{{ pause_position.x }}` in the scripts. */
  readonly logPositionOnPause: boolean;
  /** Start again from byte 0 while paused (the aborted run is recorded as failed, without the cancel script). */
  readonly restart?: boolean;
  /** Write the file to the SD card under this 8.3 name (`M28`/`M29`) instead of printing it. */
  readonly transferTo?: string;
}

/** Where a print is (SD: from the printer's M27 reports); times in seconds. */
export interface PrintJobProgress {
  readonly path: string;
  readonly origin: 'local' | 'sdcard';
  readonly size: number;
  /** Bytes of the file handed to the sender (skipped comments and blank lines included). */
  readonly filepos: number;
  /** Since the start, pauses excluded. */
  readonly printTime: number;
  /** Of that, time spent waiting for heat-ups (M109, M190, M191, M116). */
  readonly heatupTime: number;
}

/** How a print ended; `printTime` excludes pauses. */
export interface PrintJobOutcome {
  readonly path: string;
  readonly origin: 'local' | 'sdcard';
  readonly success: boolean;
  readonly reason: 'done' | 'cancelled' | 'error';
  /** An SD transfer, not a print: nothing goes into the print history. */
  readonly transfer?: boolean;
  readonly printTime: number;
  /** Why it failed (serial error, disconnect, firmware error). */
  readonly error?: string;
}

/** What the comm layer offers for host printing. */
export interface PrintJobControl {
  /** Starts streaming; rejects when the printer is not operational or a print already runs. */
  startPrint(request: PrintJobRequest): Promise<void>;
  pausePrint(): void;
  resumePrint(): void;
  cancelPrint(): void;
  /** The running (or paused) host print, undefined when none. */
  readonly printJob: PrintJobProgress | undefined;
  /** Calls `listener` once per finished, cancelled or failed print; returns the unsubscribe function. */
  onPrintEnded(listener: (outcome: PrintJobOutcome) => void): () => void;
}

/** DI token for PrintJobControl, provided by CommModule. */
export const PRINT_JOB_CONTROL = Symbol('PRINT_JOB_CONTROL');
