import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { migrateModule } from '../common/module-schema.js';
import type { GcodeAnalysis } from './gcode-analyser.js';

/** One print of a file (spec §2.5): `printTime` only for a successful one; times are float epoch seconds. */
export interface PrintHistoryEntry {
  readonly timestamp: number;
  readonly success: boolean;
  readonly printTime?: number;
  readonly printerProfile: string;
}

/** What Hotend remembers about a stored file besides its bytes. */
export interface FileMetadata {
  readonly path: string;
  readonly hash?: string;
  /** The name as uploaded, when sanitising changed it. */
  readonly display?: string;
  /** The key name that uploaded it. */
  readonly user?: string;
  readonly userdata?: unknown;
  readonly analysis?: GcodeAnalysis;
  readonly history: readonly PrintHistoryEntry[];
}

interface MetadataRow {
  path: string;
  hash: string | null;
  display: string | null;
  user: string | null;
  userdata: string | null;
  analysis: string | null;
  history: string;
}

export const FILE_METADATA_MIGRATIONS: readonly string[] = [
  `CREATE TABLE file_metadata (
     path     TEXT PRIMARY KEY,
     hash     TEXT,
     display  TEXT,
     user     TEXT,
     userdata TEXT,
     analysis TEXT,
     history  TEXT NOT NULL DEFAULT '[]'
   );
   -- The print in progress, so a print cut short by a crash is recorded as failed at the next start.
   CREATE TABLE print_recovery (
     id      INTEGER PRIMARY KEY CHECK (id = 1),
     path    TEXT NOT NULL,
     started REAL NOT NULL,
     profile TEXT NOT NULL
   );`,
];

const SCHEMA_MODULE = 'files';

function toMetadata(row: MetadataRow): FileMetadata {
  return {
    path: row.path,
    ...(row.hash === null ? {} : { hash: row.hash }),
    ...(row.display === null ? {} : { display: row.display }),
    ...(row.user === null ? {} : { user: row.user }),
    ...(row.userdata === null ? {} : { userdata: JSON.parse(row.userdata) as unknown }),
    ...(row.analysis === null ? {} : { analysis: JSON.parse(row.analysis) as GcodeAnalysis }),
    history: JSON.parse(row.history) as PrintHistoryEntry[],
  };
}

/** Escapes LIKE wildcards so a folder prefix matches literally. */
function likePrefix(path: string): string {
  return `${path.replace(/[\\%_]/g, (char) => `\\${char}`)}/%`;
}

/** The new upload's facts; whether older metadata survives depends on the hash (spec §1.7). */
export interface UploadedFileFacts {
  readonly hash: string;
  readonly display?: string;
  readonly user?: string;
  readonly userdata?: unknown;
}

/** File metadata in the server's SQLite database (`<basedir>/hotend.db`), keyed by storage path. */
export class FileMetadataRepository implements OnApplicationShutdown {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): FileMetadataRepository {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      migrateModule(db, SCHEMA_MODULE, FILE_METADATA_MIGRATIONS);
    } catch (error) {
      db.close();
      throw error;
    }
    return new FileMetadataRepository(db);
  }

  get(path: string): FileMetadata | undefined {
    const row = this.db.prepare('SELECT * FROM file_metadata WHERE path = ?').get(path) as MetadataRow | undefined;
    return row === undefined ? undefined : toMetadata(row);
  }

  /** Everything at or below `folder` ('' for all), keyed by path. */
  under(folder: string): Map<string, FileMetadata> {
    const rows = (
      folder === ''
        ? this.db.prepare('SELECT * FROM file_metadata').all()
        : this.db
            .prepare("SELECT * FROM file_metadata WHERE path = ? OR path LIKE ? ESCAPE '\\'")
            .all(folder, likePrefix(folder))
    ) as MetadataRow[];
    return new Map(rows.map((row) => [row.path, toMetadata(row)]));
  }

  /**
   * Records an upload. Identical content keeps analysis, history and user data (OctoPrint keeps metadata only
   * for the same hash); new content starts afresh.
   */
  recordUpload(path: string, facts: UploadedFileFacts): void {
    const existing = this.get(path);
    const keep = existing?.hash === facts.hash;
    this.db
      .prepare(
        `INSERT OR REPLACE INTO file_metadata (path, hash, display, user, userdata, analysis, history)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        path,
        facts.hash,
        facts.display ?? null,
        facts.user ?? null,
        facts.userdata !== undefined
          ? JSON.stringify(facts.userdata)
          : keep && existing?.userdata !== undefined
            ? JSON.stringify(existing.userdata)
            : null,
        keep && existing?.analysis !== undefined ? JSON.stringify(existing.analysis) : null,
        keep ? JSON.stringify(existing?.history ?? []) : '[]',
      );
  }

  setAnalysis(path: string, hash: string, analysis: GcodeAnalysis | undefined): void {
    this.db
      .prepare(
        `INSERT INTO file_metadata (path, hash, analysis) VALUES (?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET hash = excluded.hash, analysis = excluded.analysis`,
      )
      .run(path, hash, analysis === undefined ? null : JSON.stringify(analysis));
  }

  setDisplay(path: string, display: string | undefined): void {
    this.db
      .prepare(
        `INSERT INTO file_metadata (path, display) VALUES (?, ?)
         ON CONFLICT (path) DO UPDATE SET display = excluded.display`,
      )
      .run(path, display ?? null);
  }

  addHistory(path: string, entry: PrintHistoryEntry): void {
    const history = [...(this.get(path)?.history ?? []), entry];
    this.db
      .prepare(
        `INSERT INTO file_metadata (path, history) VALUES (?, ?)
         ON CONFLICT (path) DO UPDATE SET history = excluded.history`,
      )
      .run(path, JSON.stringify(history));
  }

  /** Notes that `path` is being printed (replacing any earlier note). */
  markPrinting(path: string, profile: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO print_recovery (id, path, started, profile) VALUES (1, ?, ?, ?)')
      .run(path, Date.now() / 1000, profile);
  }

  clearPrinting(): void {
    this.db.prepare('DELETE FROM print_recovery').run();
  }

  /**
   * A print that was running when Hotend stopped without ending it (crash, kill -9, power cut) becomes a failure
   * in its file's history; returns its path, if there was one.
   */
  recoverInterruptedPrint(): string | undefined {
    const row = this.db.prepare('SELECT path, profile FROM print_recovery WHERE id = 1').get() as
      { path: string; profile: string } | undefined;
    if (row === undefined) return undefined;
    this.db
      .transaction(() => {
        this.addHistory(row.path, { timestamp: Date.now() / 1000, success: false, printerProfile: row.profile });
        this.clearPrinting();
      })
      .immediate();
    return row.path;
  }

  /** Drops the entry and, for a folder, everything below it. */
  deleteTree(path: string): void {
    this.db.prepare("DELETE FROM file_metadata WHERE path = ? OR path LIKE ? ESCAPE '\\'").run(path, likePrefix(path));
  }

  /** Carries metadata along with a move (or duplicates it for a copy), for a file or a whole folder. */
  relocateTree(from: string, to: string, mode: 'move' | 'copy'): void {
    this.db
      .transaction(() => {
        this.deleteTree(to);
        const entries = this.under(from);
        if (mode === 'move') this.deleteTree(from);
        const insert = this.db.prepare(
          `INSERT OR REPLACE INTO file_metadata (path, hash, display, user, userdata, analysis, history)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const entry of entries.values()) {
          insert.run(
            to + entry.path.slice(from.length),
            entry.hash ?? null,
            entry.display ?? null,
            entry.user ?? null,
            entry.userdata === undefined ? null : JSON.stringify(entry.userdata),
            entry.analysis === undefined ? null : JSON.stringify(entry.analysis),
            JSON.stringify(entry.history),
          );
        }
      })
      .immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }
}
