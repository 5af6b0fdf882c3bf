import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** One file on the simulated SD card. `path` is the long path with `/` separators, no leading slash. */
export interface SdEntry {
  path: string;
  size: number;
  /** Modification time (ms since the epoch). */
  mtime: number;
}

/** Storage behind the simulated SD card. */
export interface SdStore {
  list(): SdEntry[];
  read(path: string): Buffer | undefined;
  write(path: string, data: Buffer): void;
  remove(path: string): boolean;
}

const FIXED_MTIME = Date.UTC(2024, 0, 1, 12, 0, 0);

export class MemorySdStore implements SdStore {
  private readonly files = new Map<string, { data: Buffer; mtime: number }>();

  constructor(files: Record<string, string | Buffer> = {}) {
    for (const [path, content] of Object.entries(files)) {
      this.files.set(normalize(path), { data: Buffer.from(content), mtime: FIXED_MTIME });
    }
  }

  list(): SdEntry[] {
    return [...this.files.entries()].map(([path, file]) => ({ path, size: file.data.length, mtime: file.mtime }));
  }

  read(path: string): Buffer | undefined {
    return this.files.get(normalize(path))?.data;
  }

  write(path: string, data: Buffer): void {
    this.files.set(normalize(path), { data, mtime: FIXED_MTIME });
  }

  remove(path: string): boolean {
    return this.files.delete(normalize(path));
  }
}

export class FolderSdStore implements SdStore {
  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  list(): SdEntry[] {
    const out: SdEntry[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        if (name.startsWith('.')) continue;
        const full = join(dir, name);
        const stat = statSync(full);
        if (stat.isDirectory()) walk(full);
        else out.push({ path: relative(this.root, full).split(sep).join('/'), size: stat.size, mtime: stat.mtimeMs });
      }
    };
    walk(this.root);
    return out;
  }

  read(path: string): Buffer | undefined {
    try {
      return readFileSync(join(this.root, normalize(path)));
    } catch {
      return undefined;
    }
  }

  write(path: string, data: Buffer): void {
    const full = join(this.root, normalize(path));
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, data);
  }

  remove(path: string): boolean {
    try {
      rmSync(join(this.root, normalize(path)));
      return true;
    } catch {
      return false;
    }
  }
}

function normalize(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .join('/');
}

/** A listed SD file: the FAT 8.3 path Marlin shows, and the long path. */
export interface SdListing extends SdEntry {
  dosPath: string;
  longName: string;
}

const DOS_CHARS = /[^A-Z0-9!#$%&'()\-@^_`{}~]/g;

function isDosName(name: string): boolean {
  const match = /^([^.]{1,8})(?:\.([^.]{1,3}))?$/.exec(name);
  if (!match) return false;
  return !/[^A-Za-z0-9!#$%&'()\-@^_`{}~]/.test(name.replace('.', ''));
}

/** Gives every file an 8.3 name per directory (`LONGFI~1.GCO` for long names), as FAT does. */
export function dosListing(entries: SdEntry[]): SdListing[] {
  const used = new Map<string, Set<string>>();
  const dirNames = new Map<string, string>();
  const shortName = (dir: string, name: string): string => {
    const key = `${dir}|${name}`;
    const known = dirNames.get(key);
    if (known) return known;
    let taken = used.get(dir);
    if (!taken) used.set(dir, (taken = new Set()));
    let result: string;
    if (isDosName(name)) result = name.toUpperCase();
    else {
      const dot = name.lastIndexOf('.');
      const base = (dot > 0 ? name.slice(0, dot) : name).toUpperCase().replace(DOS_CHARS, '');
      const ext = (dot > 0 ? name.slice(dot + 1) : '').toUpperCase().replace(DOS_CHARS, '').slice(0, 3);
      let n = 1;
      do {
        const tail = `~${n}`;
        result = `${base.slice(0, 8 - tail.length)}${tail}${ext ? `.${ext}` : ''}`;
        n++;
      } while (taken.has(result));
    }
    taken.add(result);
    dirNames.set(key, result);
    return result;
  };
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((entry) => {
    const parts = entry.path.split('/');
    const dos: string[] = [];
    let dir = '';
    for (const part of parts) {
      dos.push(shortName(dir, part));
      dir = `${dir}/${part}`;
    }
    return { ...entry, dosPath: dos.join('/'), longName: parts[parts.length - 1] ?? entry.path };
  });
}

/** FAT timestamp (date << 16 | time) of a JS time, as `M20 T` prints it (hex). */
export function fatTimestamp(ms: number): number {
  const d = new Date(ms);
  const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2);
  return ((date << 16) | time) >>> 0;
}
