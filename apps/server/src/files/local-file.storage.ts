import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { cp, lstat, mkdir, open, readdir, rename, rm, statfs } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isMachineCode, joinPath } from './file-names.js';

/** A file or folder under the uploads folder. `size` of a folder is the sum of the files below it. */
export interface StoredEntry {
  readonly name: string;
  readonly path: string;
  readonly type: 'file' | 'folder';
  readonly size: number;
  /** Modification time, epoch seconds. */
  readonly mtime: number;
  /** Direct children of a folder (filled to the requested depth; deeper folders have none listed). */
  readonly children?: StoredEntry[];
}

/** An upload streamed to a temp file, not yet visible. */
export interface StagedUpload {
  readonly tempFile: string;
  readonly size: number;
  readonly hash: string;
  /** The stream ended early because the upload exceeded the size limit. */
  readonly truncated: boolean;
}

const TEMP_PREFIX = '.upload-';
const TEMP_SUFFIX = '.tmp';

/**
 * The uploads folder (`<basedir>/uploads`). Every path handed in is a list of sanitised segments, so nothing here
 * parses request text; hidden names, symbolic links and unknown file types are never listed or served.
 */
export class LocalFileStorage {
  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    // Uploads cut short by a crash: never listed (hidden), removed here.
    for (const name of await readdir(this.root)) {
      if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) await rm(join(this.root, name), { force: true });
    }
  }

  absolute(segments: readonly string[]): string {
    const file = join(this.root, ...segments);
    const inside = relative(this.root, file);
    if (inside.startsWith('..') || inside.split(sep).includes('..')) throw new Error(`${file} is outside the uploads`);
    return file;
  }

  /** The entry at a path, with children to `depth` levels for a folder; undefined when absent or not listable. */
  async entry(segments: readonly string[], depth: number): Promise<StoredEntry | undefined> {
    const file = this.absolute(segments);
    const info = await lstat(file).catch(() => undefined);
    if (info === undefined) return undefined;
    const name = segments.at(-1) ?? '';
    const path = joinPath(segments);
    if (info.isFile()) {
      if (segments.length > 0 && !isMachineCode(name)) return undefined;
      return { name, path, type: 'file', size: info.size, mtime: Math.floor(info.mtimeMs / 1000) };
    }
    if (!info.isDirectory()) return undefined;
    const children = await this.children(segments);
    let size = 0;
    const listed: StoredEntry[] = [];
    for (const child of children) {
      const full = await this.entry([...segments, child], Math.max(depth - 1, 0));
      if (full === undefined) continue;
      size += full.size;
      if (depth > 0) listed.push(depth > 1 || full.type === 'file' ? full : { ...full, children: [] });
    }
    return { name, path, type: 'folder', size, mtime: Math.floor(info.mtimeMs / 1000), children: listed };
  }

  private async children(segments: readonly string[]): Promise<string[]> {
    const names = await readdir(this.absolute(segments)).catch(() => []);
    return names.filter((name) => !name.startsWith('.')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** What is at a path, without reading folders: file, folder, or nothing (other things count as nothing). */
  async kind(segments: readonly string[]): Promise<'file' | 'folder' | undefined> {
    const info = await lstat(this.absolute(segments)).catch(() => undefined);
    if (info?.isFile() === true) return 'file';
    if (info?.isDirectory() === true) return 'folder';
    return undefined;
  }

  /** Streams a body into a hidden temp file in the uploads folder, hashing it on the way. */
  async stage(body: Readable, isTruncated: () => boolean): Promise<StagedUpload> {
    const tempFile = join(this.root, `${TEMP_PREFIX}${randomUUID()}${TEMP_SUFFIX}`);
    const hash = createHash('sha1');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tempFile, { flags: 'wx' }));
      // The bytes are on disk before the file is renamed into view.
      const handle = await open(tempFile, 'r');
      await handle.sync().finally(() => handle.close());
    } catch (error) {
      await rm(tempFile, { force: true });
      throw error;
    }
    return { tempFile, size, hash: hash.digest('hex'), truncated: isTruncated() };
  }

  async discard(staged: StagedUpload): Promise<void> {
    await rm(staged.tempFile, { force: true });
  }

  /** Makes a staged upload visible at its path (replacing a file there), creating missing folders. */
  async commit(staged: StagedUpload, segments: readonly string[]): Promise<void> {
    await mkdir(this.absolute(segments.slice(0, -1)), { recursive: true });
    await rename(staged.tempFile, this.absolute(segments));
  }

  async makeFolder(segments: readonly string[]): Promise<void> {
    await mkdir(this.absolute(segments), { recursive: true });
  }

  async remove(segments: readonly string[]): Promise<void> {
    await rm(this.absolute(segments), { recursive: true, force: true });
  }

  async copy(from: readonly string[], to: readonly string[]): Promise<void> {
    await cp(this.absolute(from), this.absolute(to), { recursive: true, errorOnExist: true, force: false });
  }

  async move(from: readonly string[], to: readonly string[]): Promise<void> {
    await rename(this.absolute(from), this.absolute(to));
  }

  /** Free and total bytes of the file system holding the uploads. */
  async usage(): Promise<{ free: number; total: number }> {
    const stats = await statfs(this.root);
    return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
  }
}
