import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PRINTER_FEED, type PrinterFeed } from '../comm/printer-comm.types.js';
import { EventBus } from '../events/event-bus.service.js';
import type { UploadPayloadDto } from '../events/events.dto.js';
import type { GcodeAnalysis } from './gcode-analyser.js';

export type EntryKind = 'file' | 'folder';

const MACHINE_CODE = ['machinecode', 'gcode'];
const nameOf = (path: string): string => path.split('/').at(-1) ?? path;
const typeOf = (kind: EntryKind): string[] => (kind === 'file' ? MACHINE_CODE : ['folder']);

/**
 * The file events OctoPrint fires (spec octoprint-push §4), in its order: the change (`FileAdded`, `FolderRemoved`,
 * ...) and then `UpdatedFiles`, which is what UIs reload their list on. The Files API calls these after a change
 * took effect; a card listing that changed fires `UpdatedFiles` too.
 */
@Injectable()
export class FileEvents implements OnApplicationBootstrap, OnModuleDestroy {
  private stopSdWatch: (() => void) | undefined;

  constructor(
    private readonly events: EventBus,
    @Inject(PRINTER_FEED) private readonly feed: PrinterFeed,
  ) {}

  onApplicationBootstrap(): void {
    this.stopSdWatch = this.feed.subscribe('sdFiles', () => this.updated());
  }

  onModuleDestroy(): void {
    this.stopSdWatch?.();
  }

  /** `operation`: `add` (upload, new folder) or `copy`. */
  added(path: string, kind: EntryKind, operation: 'add' | 'copy' = 'add'): void {
    this.change('Added', path, kind, operation);
    this.updated();
  }

  /** Folders an upload created on its way; its own `added` brings the one `UpdatedFiles` for all of them. */
  foldersCreated(paths: readonly string[]): void {
    for (const path of paths) this.change('Added', path, 'folder', 'add');
  }

  removed(path: string, kind: EntryKind): void {
    this.change('Removed', path, kind, 'remove');
    this.updated();
  }

  /** A file move is also a removal and an addition (OctoPrint fires all three); a folder move only FolderMoved. */
  moved(from: string, to: string, kind: EntryKind): void {
    if (kind === 'file') {
      this.change('Removed', from, kind, 'move');
      this.change('Added', to, kind, 'move');
    }
    this.events.emit(kind === 'file' ? 'FileMoved' : 'FolderMoved', {
      source_storage: 'local',
      source_path: from,
      source_name: nameOf(from),
      source_type: typeOf(kind),
      destination_storage: 'local',
      destination_path: to,
      destination_name: nameOf(to),
      destination_type: typeOf(kind),
    });
    this.updated();
  }

  /** A card file was deleted (`M30`). */
  removedFromCard(path: string): void {
    this.events.emit('FileRemoved', {
      storage: 'sdcard',
      path,
      name: nameOf(path),
      type: MACHINE_CODE,
      operation: 'remove',
    });
  }

  /** After the upload's FileAdded and any selection or print it asked for. */
  uploaded(payload: UploadPayloadDto): void {
    this.events.emit('Upload', payload);
  }

  analysisStarted(path: string): void {
    this.events.emit('MetadataAnalysisStarted', { name: nameOf(path), path, origin: 'local', type: 'gcode' });
  }

  analysisFinished(path: string, result: GcodeAnalysis): void {
    this.events.emit('MetadataAnalysisFinished', { name: nameOf(path), path, origin: 'local', result });
  }

  updated(): void {
    this.events.emit('UpdatedFiles', { type: 'printables' });
  }

  private change(what: 'Added' | 'Removed', path: string, kind: EntryKind, operation: string): void {
    if (kind === 'folder') {
      this.events.emit(what === 'Added' ? 'FolderAdded' : 'FolderRemoved', {
        storage: 'local',
        path,
        name: nameOf(path),
      });
      return;
    }
    this.events.emit(what === 'Added' ? 'FileAdded' : 'FileRemoved', {
      storage: 'local',
      path,
      name: nameOf(path),
      type: MACHINE_CODE,
      operation,
    });
  }
}
