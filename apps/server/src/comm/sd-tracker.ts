import type { SdFileEntry, SdStatus } from './printer-comm.types.js';
import { parseFileListLine, parseSdPrintingByte } from './reply-parsers.js';

/** `Not SD printing` replies tolerated while printing before the print counts as gone (firmware hiccups). */
const MAX_NOT_SD_PRINTING = 2;

export interface SdTrackerHooks {
  /** An SD print started or ended (from progress reports, `Done printing file`, a card that went away). */
  printingChanged(printing: boolean): void;
  /** Whether M27 polling is wanted may have changed (a file was selected or closed, a print started or ended). */
  pollingChanged(): void;
  /** The card is ready: list its files. */
  requestListing(): void;
  filesChanged(files: readonly SdFileEntry[]): void;
}

/** The firmware's SD card as its replies describe it: ready, selected file, print progress, the M20 listing. */
export class SdTracker {
  ready = false;
  printing = false;
  /** The firmware has a file open for printing (`File selected`, until it finished or the card went away). */
  fileSelected = false;
  private progress: { done: number; total: number } | undefined;
  private notSdPrintingCount = 0;
  private listing: SdFileEntry[] | undefined;
  private entries: SdFileEntry[] = [];

  constructor(private readonly hooks: SdTrackerHooks) {}

  get status(): SdStatus {
    const sd: SdStatus = { ready: this.ready, printing: this.printing };
    if (this.progress !== undefined) sd.progress = { ...this.progress };
    return sd;
  }

  /** The card's files from the last `M20` listing. */
  get files(): readonly SdFileEntry[] {
    return this.entries;
  }

  /** Inside `Begin file list` ... `End file list` every line is a file entry. */
  get listingInProgress(): boolean {
    return this.listing !== undefined;
  }

  /** The connection ended: nothing is known about the card any more (the listing stays until the next one). */
  reset(): void {
    this.ready = false;
    this.printing = false;
    this.fileSelected = false;
    this.progress = undefined;
    this.listing = undefined;
  }

  /** An SD print was cancelled or lost (an external reset): no print any more, without the hooks. */
  forgetPrint(): void {
    this.printing = false;
    this.progress = undefined;
  }

  /** A line of a listing in progress. */
  readListingLine(line: string): void {
    if (/^End file list/i.test(line)) {
      this.entries = this.listing ?? [];
      this.listing = undefined;
      this.hooks.filesChanged(this.entries);
      return;
    }
    const entry = parseFileListLine(line);
    if (entry !== undefined) this.listing?.push(entry);
  }

  /** Any other line: the SD messages of marlin-protocol.md §3.5 step 11. */
  readLine(line: string): void {
    if (/SD init fail|volume\.init failed|No media|openRoot failed|SD Card unmounted|SD card released/i.test(line)) {
      this.ready = false;
      if (this.entries.length > 0) {
        this.entries = [];
        this.hooks.filesChanged(this.entries);
      }
      this.fileSelected = false;
      this.stopPrint();
      this.hooks.pollingChanged();
    } else if (/SD card ok|Card successfully initialized/i.test(line)) {
      this.ready = true;
      this.hooks.requestListing();
    } else if (/^Begin file list/i.test(line)) {
      this.listing = [];
    } else if (/SD printing byte/i.test(line)) {
      this.readProgress(line);
    } else if (/Not SD printing/i.test(line)) {
      this.onNotSdPrinting();
    } else if (/^File selected/i.test(line)) {
      this.fileSelected = true;
      this.hooks.pollingChanged();
    } else if (/Done printing file/i.test(line)) {
      // Marlin closes the file once it is done: nothing is selected any more. A short file can be done before any
      // M27 report said it was printing: the print still ends here.
      this.fileSelected = false;
      if (this.printing) this.stopPrint();
      else this.hooks.printingChanged(false);
      this.hooks.pollingChanged();
    }
  }

  private readProgress(line: string): void {
    const progress = parseSdPrintingByte(line);
    if (progress === undefined) return;
    if (progress.total === 0) {
      this.onNotSdPrinting();
      return;
    }
    this.notSdPrintingCount = 0;
    this.progress = progress;
    if (!this.printing && progress.done < progress.total) {
      this.printing = true;
      this.hooks.printingChanged(true);
      this.hooks.pollingChanged();
    }
  }

  private onNotSdPrinting(): void {
    if (!this.printing) return;
    this.notSdPrintingCount += 1;
    if (this.notSdPrintingCount > MAX_NOT_SD_PRINTING) this.stopPrint();
  }

  private stopPrint(): void {
    this.notSdPrintingCount = 0;
    if (!this.printing) return;
    this.printing = false;
    this.progress = undefined;
    this.hooks.printingChanged(false);
    this.hooks.pollingChanged();
  }
}
