import { Injectable } from '@nestjs/common';
import { EventBus } from '../events/event-bus.service.js';

export type FileOrigin = 'local' | 'sdcard';

/** The file the next print will use (OctoPrint's "selected file"), as the Job API shows it. */
export interface SelectedFile {
  readonly origin: FileOrigin;
  readonly path: string;
  readonly name: string;
  readonly display: string;
  /** Bytes, measured when selected (SD: from the card listing, or null). */
  readonly size: number | null;
  /** Modification time in epoch seconds (SD: null unless the card said). */
  readonly date: number | null;
  /** Key name of whoever selected or started it. */
  readonly user?: string;
}

/** Starts a print of the selection; provided by the job module, which owns the print engine. */
export type PrintStarter = (user: string | undefined) => Promise<void>;

/** Writes a stored file to the SD card under a short name; provided by the job module too. */
export type SdTransferStarter = (path: string, remote: string, user: string | undefined) => Promise<void>;

/**
 * The current selection, shared by the Files API (select, unselect, "in use" checks) and the Job API. Printing
 * itself lives in the job module; it registers how to start a print, so neither module imports the other.
 */
@Injectable()
export class FileSelection {
  private selected: SelectedFile | undefined;
  private starter: PrintStarter | undefined;
  private transferStarter: SdTransferStarter | undefined;

  constructor(private readonly events: EventBus) {}

  get current(): SelectedFile | undefined {
    return this.selected;
  }

  /** Fires FileSelected, unless this only updates the selected file (e.g. who started it). */
  select(file: SelectedFile): void {
    const before = this.selected;
    this.selected = file;
    if (before?.origin === file.origin && before.path === file.path) return;
    this.events.emit('FileSelected', { name: file.name, path: file.path, origin: file.origin });
  }

  clear(): void {
    if (this.selected === undefined) return;
    this.selected = undefined;
    this.events.emit('FileDeselected', null);
  }

  /** Whether `path` is the selected local file or a folder holding it. */
  holds(path: string): boolean {
    const selected = this.selected;
    if (selected?.origin !== 'local') return false;
    return selected.path === path || path === '' || selected.path.startsWith(`${path}/`);
  }

  setPrintStarter(starter: PrintStarter): void {
    this.starter = starter;
  }

  setSdTransferStarter(starter: SdTransferStarter): void {
    this.transferStarter = starter;
  }

  async startSdTransfer(path: string, remote: string, user: string | undefined): Promise<void> {
    if (this.transferStarter === undefined) throw new Error('No print engine is registered');
    await this.transferStarter(path, remote, user);
  }

  async startPrint(user: string | undefined): Promise<void> {
    if (this.starter === undefined) throw new Error('No print engine is registered');
    await this.starter(user);
  }
}
