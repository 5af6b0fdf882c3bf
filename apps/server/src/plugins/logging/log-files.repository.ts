import { Injectable } from '@nestjs/common';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type OpenedFile, openedFile } from '../../common/files/opened-file.js';
import { HotendLogService } from '../../logging/log.service.js';

export interface LogFileInfo {
  readonly name: string;
  readonly size: number;
  /** Last modification, seconds since the epoch. */
  readonly modified: number;
}

/** An opened log file: reading goes through its descriptor, so a rename or swap afterwards changes nothing. */
export interface OpenedLogFile extends LogFileInfo, OpenedFile {}

/** Why a name is not a log file name; undefined when it is one. */
export function problemWithLogName(name: string): string | undefined {
  if (name === '') return 'the file name is empty';
  if (Buffer.byteLength(name) > 255) return 'the file name is too long';
  if (name === '.' || name === '..') return 'the file name is not a file';
  if (/[/\\]/.test(name)) return 'the file name must not contain a path';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the file name contains control characters';
  return undefined;
}

/**
 * The files in `<basedir>/logs`. Only plain, visible, regular files directly in that folder exist here:
 * names with a path, hidden files, subfolders and symbolic links (wherever they point) are never listed,
 * opened or deleted.
 */
@Injectable()
export class LogFilesRepository {
  constructor(private readonly logs: HotendLogService) {}

  get folder(): string {
    return this.logs.folder;
  }

  async list(): Promise<LogFileInfo[]> {
    await this.logs.flush();
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch {
      return [];
    }
    const files: LogFileInfo[] = [];
    for (const name of names.sort()) {
      const info = await this.stat(name);
      if (info !== undefined) files.push(info);
    }
    return files;
  }

  /** The file's details, or undefined when the name is not a visible regular file directly in the folder. */
  async stat(name: string): Promise<LogFileInfo | undefined> {
    if (problemWithLogName(name) !== undefined || name.startsWith('.')) return undefined;
    try {
      const info = await lstat(join(this.folder, name));
      if (!info.isFile()) return undefined;
      return { name, size: info.size, modified: Math.floor(info.mtimeMs / 1000) };
    } catch {
      return undefined;
    }
  }

  /** Opens a log file for reading without following links; undefined when there is no such log file. */
  async open(name: string): Promise<OpenedLogFile | undefined> {
    if (problemWithLogName(name) !== undefined || name.startsWith('.')) return undefined;
    await this.logs.flush();
    let handle: FileHandle;
    try {
      handle = await open(join(this.folder, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      return undefined;
    }
    return { ...openedFile(handle, info.size), name, modified: Math.floor(info.mtimeMs / 1000) };
  }

  /** Deletes a log file; false when there is no such log file. An active log starts afresh at once. */
  async delete(name: string): Promise<boolean> {
    if ((await this.stat(name)) === undefined) return false;
    try {
      await unlink(join(this.folder, name));
    } catch {
      return false;
    }
    this.logs.fileDeleted(name);
    return true;
  }

  /** Free (for unprivileged users) and total bytes of the file system holding the logs. */
  async diskUsage(): Promise<{ free: number; total: number }> {
    const stats = await statfs(this.folder);
    return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
  }
}
