import { ConflictException, ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { hasPermission, Permission } from '../auth/permission.js';
import { PrinterCommService } from '../comm/printer-comm.service.js';
import { HotendConfigService } from '../config/config.service.js';
import { sdEntry } from './file-entries.js';
import { FileLibrary } from './file-library.js';
import type { FileEntryDto } from './files.dto.js';
import { sdShortName } from './sd-names.js';

/** What a caller asked to happen once a file is on the card. */
export interface AfterTransfer {
  readonly select: boolean;
  readonly print: boolean;
}

/** How an SD transfer started: the card name, and what will follow it (spec §3.4: `select || print`, enforced). */
export interface StartedTransfer {
  readonly remote: string;
  readonly effectiveSelect: boolean;
  readonly effectivePrint: boolean;
}

/**
 * The printer's SD card as the Files API sees it: its listing, selecting a card file (`M23`), and writing a stored
 * file to it (spec §3.9), with the select/print asked for on the upload applied once the transfer is done.
 */
@Injectable()
export class SdCardFiles {
  private readonly logger = new Logger('hotend.files.sd');

  constructor(
    private readonly library: FileLibrary,
    private readonly config: HotendConfigService,
    private readonly comm: PrinterCommService,
  ) {}

  /** The card's machine-code files; none while SD support is off or the card is not ready. */
  entries(baseUrl: string): FileEntryDto[] {
    if (!this.config.get().printerProfile.sdSupport || !this.comm.sd.ready) return [];
    return this.comm.sdFiles.flatMap((file) => sdEntry(file, baseUrl) ?? []);
  }

  /** The card's file at `path` (M20 name, without the leading slash); 404 when absent or the card is not ready. */
  find(path: string, baseUrl = ''): FileEntryDto {
    const file = this.entries(baseUrl).find((entry) => entry.path === path);
    if (file === undefined) throw new NotFoundException(`No file ${path} on the SD card`);
    return file;
  }

  /** The firmware opens the file (`M23`), then it is the selection; `print` starts it (spec §3.5 select on sdcard). */
  async select(path: string, print: boolean, key: ResolvedKey): Promise<void> {
    const file = this.find(path);
    if (!this.library.ready) throw new ConflictException('Printer is already printing, cannot select a new file');
    if (print && !hasPermission(key.permissions, Permission.PRINT)) {
      throw new ForbiddenException(`The API key "${key.name}" lacks the PRINT permission`);
    }
    await this.comm.send(`M23 /${file.name}`);
    this.library.selection.select({
      origin: 'sdcard',
      path: file.name,
      name: file.name,
      display: file.display,
      size: file.size ?? null,
      date: file.date ?? null,
      user: key.name,
    });
    if (print) await this.library.selection.startPrint(key.name);
  }

  /**
   * Writes the stored file at `localPath` to the card under a fresh 8.3 name. Select and print apply only with
   * FILES_SELECT and PRINT (OctoPrint skips that check for `uploadSd`; Hotend does not), after the transfer is done.
   */
  async transfer(localPath: string, key: ResolvedKey, wanted: AfterTransfer): Promise<StartedTransfer> {
    const name = localPath.split('/').at(-1) ?? localPath;
    const remote = sdShortName(name, this.library.sdNames());
    const effectivePrint = wanted.print && hasPermission(key.permissions, Permission.PRINT);
    const effectiveSelect = (wanted.select || wanted.print) && hasPermission(key.permissions, Permission.FILES_SELECT);
    const stop =
      effectiveSelect || effectivePrint
        ? this.onTransferDone(localPath, () => this.selectTransferred(remote, effectivePrint, key))
        : undefined;
    try {
      await this.library.selection.startSdTransfer(localPath, remote, key.name);
    } catch (error) {
      stop?.();
      throw error;
    }
    return { remote, effectiveSelect: effectiveSelect || effectivePrint, effectivePrint };
  }

  /** Runs `then` once the transfer of `localPath` succeeded and the printer is ready again (never after a failure). */
  private onTransferDone(localPath: string, then: () => Promise<void>): () => void {
    let stopState: (() => void) | undefined;
    const stopEnded = this.comm.onPrintEnded((outcome) => {
      if (outcome.transfer !== true || outcome.path !== localPath) return;
      stopEnded();
      if (!outcome.success) return;
      // The outcome arrives while the state still says Finishing; the selection waits for Operational.
      const attempt = (): void => {
        if (!this.library.operational) stopState?.();
        if (!this.library.ready) return;
        stopState?.();
        then().catch((error: unknown) =>
          this.logger.warn(`After the SD transfer of ${localPath}: ${(error as Error).message}`),
        );
      };
      stopState = this.comm.subscribe('state', attempt);
      attempt();
    });
    return () => {
      stopEnded();
      stopState?.();
    };
  }

  private async selectTransferred(remote: string, print: boolean, key: ResolvedKey): Promise<void> {
    // Firmwares list 8.3 names in either case.
    const listed = this.entries('').find((entry) => entry.path.toLowerCase() === remote.toLowerCase());
    if (listed === undefined) {
      throw new NotFoundException(`${remote} is not in the card's listing after the transfer, not selected`);
    }
    await this.select(listed.path, print, key);
  }
}
