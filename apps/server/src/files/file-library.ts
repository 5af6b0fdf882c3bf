import {
  ConflictException,
  Injectable,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PrinterCommService } from '../comm/printer-comm.service.js';
import { HotendConfigService } from '../config/config.service.js';
import { AnalysisQueue } from './analysis-queue.js';
import { FileMetadataRepository } from './file-metadata.repository.js';
import { type EntryContext } from './file-entries.js';
import { FileEvents } from './file-events.js';
import { FileSelection } from './file-selection.js';
import { LocalFileStorage, type StoredEntry } from './local-file.storage.js';

/**
 * What the Files and Job APIs share: the uploads folder, its metadata, the analysis queue, the selection, and the
 * printer-state questions ("is this file in use?") that decide their 409s.
 */
@Injectable()
export class FileLibrary implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly analysis: AnalysisQueue;

  constructor(
    readonly storage: LocalFileStorage,
    readonly metadata: FileMetadataRepository,
    readonly selection: FileSelection,
    private readonly comm: PrinterCommService,
    private readonly config: HotendConfigService,
    readonly events: FileEvents,
  ) {
    const axes = config.get().printerProfile.axes;
    this.analysis = new AnalysisQueue({
      defaultFeedrate: Math.min(axes.x.speed, axes.y.speed),
      holdBack: () => {
        const runAt = this.config.get().files.analysisRunAt;
        return runAt === 'never' || (runAt === 'idle' && this.busy);
      },
      onResult: (path, hash, analysis) => {
        this.metadata.setAnalysis(path, hash, analysis);
        events.analysisFinished(path, analysis);
      },
      onStart: (path) => events.analysisStarted(path),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.storage.init();
    // Files that arrived while Hotend was down, or whose analysis was cut short, are analysed in the background.
    const root = await this.storage.entry([], Number.POSITIVE_INFINITY);
    const known = this.metadata.under('');
    const visit = (entry: StoredEntry): void => {
      if (entry.type === 'file' && known.get(entry.path)?.analysis === undefined) this.queueAnalysis(entry.path, false);
      for (const child of entry.children ?? []) visit(child);
    };
    if (root !== undefined) visit(root);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.analysis.close();
  }

  get operational(): boolean {
    return this.comm.status.flags.operational;
  }

  /** Printing or paused (OctoPrint's "busy"). */
  get busy(): boolean {
    const flags = this.comm.status.flags;
    return flags.printing || flags.paused;
  }

  /** Operational and not busy: a file may be selected or a print started. */
  get ready(): boolean {
    return this.operational && !this.busy;
  }

  /** SD support on, printer idle, card ready; otherwise OctoPrint's 404/409 for SD uploads (spec §3.4 rows 4-6). */
  assertSdUsable(): void {
    if (!this.config.get().printerProfile.sdSupport) throw new NotFoundException('SD support is disabled');
    if (!this.operational || this.busy) {
      throw new ConflictException('Can not upload to SD card, printer is either not operational or already busy');
    }
    if (!this.comm.sd.ready) throw new ConflictException('Can not upload to SD card, not yet initialized');
  }

  /** Names already on the card, lower case, for picking a new 8.3 name. */
  sdNames(): Set<string> {
    return new Set(this.comm.sdFiles.map((file) => file.name.replace(/^\/+/, '').toLowerCase()));
  }

  /** The file (or a folder holding it) is the one being printed. */
  inUse(path: string): boolean {
    return this.busy && this.selection.holds(path);
  }

  queueAnalysis(path: string, high = true): void {
    this.analysis.enqueue({ path, file: this.storage.absolute(path.split('/')) }, high);
  }

  entryContext(baseUrl: string, folder: string): EntryContext {
    return {
      baseUrl,
      metadata: this.metadata.under(folder),
      isPending: (path) => this.analysis.isPending(path),
    };
  }
}
