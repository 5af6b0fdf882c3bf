import type { SdFileEntry } from '../comm/printer-comm.types.js';
import type { FileMetadata, PrintHistoryEntry } from './file-metadata.repository.js';
import { extensionOf } from './file-names.js';
import type { FileEntryDto, FileRefsDto, PrintsDto, PrintStatisticsDto } from './files.dto.js';
import type { StoredEntry } from './local-file.storage.js';

/** Builds API entries from storage entries and metadata (spec §2); knows nothing of HTTP but the base URL. */
export interface EntryContext {
  readonly baseUrl: string;
  readonly metadata: ReadonlyMap<string, FileMetadata>;
  readonly isPending: (path: string) => boolean;
}

/** Percent-encodes each segment (UTF-8), keeping the slashes. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function resourceUrl(baseUrl: string, origin: 'local' | 'sdcard', path: string): string {
  return `${baseUrl}/api/files/${origin}/${encodePath(path)}`;
}

export function downloadUrl(baseUrl: string, path: string): string {
  return `${baseUrl}/downloads/files/local/${encodePath(path)}`;
}

export function fileRefs(baseUrl: string, path: string): FileRefsDto {
  return { resource: resourceUrl(baseUrl, 'local', path), download: downloadUrl(baseUrl, path) };
}

function printsOf(history: readonly PrintHistoryEntry[]): PrintsDto {
  const success = history.filter((entry) => entry.success).length;
  const last = history.at(-1);
  return {
    success,
    failure: history.length - success,
    ...(last === undefined
      ? {}
      : {
          last: {
            date: last.timestamp,
            success: last.success,
            ...(last.success && last.printTime !== undefined ? { printTime: last.printTime } : {}),
          },
        }),
  };
}

/** Mean and newest duration of successful prints, per printer profile. */
export function statisticsOf(history: readonly PrintHistoryEntry[]): PrintStatisticsDto | undefined {
  const times = new Map<string, number[]>();
  for (const entry of history) {
    if (!entry.success || entry.printTime === undefined) continue;
    times.set(entry.printerProfile, [...(times.get(entry.printerProfile) ?? []), entry.printTime]);
  }
  if (times.size === 0) return undefined;
  const averagePrintTime: Record<string, number> = {};
  const lastPrintTime: Record<string, number> = {};
  for (const [profile, list] of times) {
    averagePrintTime[profile] = list.reduce((sum, time) => sum + time, 0) / list.length;
    lastPrintTime[profile] = list.at(-1) ?? 0;
  }
  return { averagePrintTime, lastPrintTime };
}

function fileEntry(entry: StoredEntry, context: EntryContext): FileEntryDto {
  const meta = context.metadata.get(entry.path);
  const statistics = meta === undefined ? undefined : statisticsOf(meta.history);
  return {
    name: entry.name,
    display: meta?.display ?? entry.name,
    path: entry.path,
    type: 'machinecode',
    typePath: ['machinecode', 'gcode'],
    origin: 'local',
    size: entry.size,
    date: entry.mtime,
    ...(meta?.hash === undefined ? {} : { hash: meta.hash }),
    ...(meta?.user === undefined ? {} : { user: meta.user }),
    refs: fileRefs(context.baseUrl, entry.path),
    ...(meta?.analysis === undefined ? {} : { gcodeAnalysis: meta.analysis }),
    ...(context.isPending(entry.path) ? { analysisPending: true } : {}),
    prints: printsOf(meta?.history ?? []),
    ...(statistics === undefined ? {} : { statistics }),
    ...(meta?.userdata === undefined ? {} : { userdata: meta.userdata }),
  };
}

/** A folder's `prints` sums its children's; `last` is the newest child `last`. */
function sumPrints(children: readonly FileEntryDto[]): PrintsDto {
  let success = 0;
  let failure = 0;
  let last: PrintsDto['last'];
  for (const child of children) {
    success += child.prints?.success ?? 0;
    failure += child.prints?.failure ?? 0;
    const childLast = child.prints?.last;
    if (childLast !== undefined && (last === undefined || childLast.date > last.date)) last = childLast;
  }
  return { success, failure, ...(last === undefined ? {} : { last }) };
}

export function toEntry(entry: StoredEntry, context: EntryContext): FileEntryDto {
  if (entry.type === 'file') return fileEntry(entry, context);
  const children = (entry.children ?? []).map((child) => toEntry(child, context));
  return {
    name: entry.name,
    display: context.metadata.get(entry.path)?.display ?? entry.name,
    path: entry.path,
    type: 'folder',
    typePath: ['folder'],
    origin: 'local',
    size: entry.size,
    date: entry.mtime,
    refs: { resource: resourceUrl(context.baseUrl, 'local', entry.path) },
    children,
    prints: sumPrints(children),
  };
}

/** An SD card file from the printer's M20 list; non-G-code names are not shown. */
export function sdEntry(file: SdFileEntry, baseUrl: string): FileEntryDto | undefined {
  const name = file.name.replace(/^\/+/, '');
  if (!['gcode', 'gco', 'g'].includes(extensionOf(name))) return undefined;
  return {
    name,
    display: file.longName?.replace(/^\/+/, '') ?? name,
    path: name,
    type: 'machinecode',
    typePath: ['machinecode', 'gcode'],
    origin: 'sdcard',
    ...(file.size === undefined ? {} : { size: file.size }),
    ...(file.date === undefined ? {} : { date: file.date }),
    refs: { resource: resourceUrl(baseUrl, 'sdcard', name) },
  };
}
