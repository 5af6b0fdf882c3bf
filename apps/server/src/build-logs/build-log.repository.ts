import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';

/** One stored build log's metadata; times are UTC epoch seconds. */
export interface BuildLogRecord {
  readonly id: number;
  readonly targetId: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly arch: string;
  readonly exitCode: number;
}

export type NewBuildLog = Omit<BuildLogRecord, 'id'>;

/** Exit-code filter: a code matches when it is one of `include` (or `include` is empty) and none of `exclude`. */
export interface ExitCodeFilter {
  readonly include: readonly number[];
  readonly exclude: readonly number[];
}

/** A list query; every filter is optional and they combine with AND. Results come in ascending id. */
export interface BuildLogQuery {
  readonly limit: number;
  readonly offset: number;
  readonly targetId?: number;
  /** Exclusive upper bound on start_time. */
  readonly startedBefore?: number;
  /** Exclusive lower bound on start_time. */
  readonly startedAfter?: number;
  readonly arch?: string;
  readonly exitCodes?: ExitCodeFilter;
}

/**
 * Where build-log metadata lives. The service only sees this interface, so another store (e.g. PostgreSQL for a
 * farm of hosts) can be added without touching it.
 */
export interface BuildLogRepository {
  list(query: BuildLogQuery): Promise<BuildLogRecord[]>;
  get(id: number): Promise<BuildLogRecord | undefined>;
  /**
   * Inserts a row and, inside the same transaction, calls `attach(id)` (which puts the content in place). If
   * `attach` throws, the row is not kept; the id is only visible to readers once both have happened.
   */
  insert(log: NewBuildLog, attach: (id: number) => void): Promise<number>;
  /** Removes the row; false when there was none. */
  delete(id: number): Promise<boolean>;
  exists(id: number): Promise<boolean>;
  /** Ids of logs that started strictly before `time`, oldest id first, at most `limit`. */
  idsStartedBefore(time: number, limit: number): Promise<number[]>;
}

export const BUILD_LOG_REPOSITORY = Symbol('BuildLogRepository');

interface BuildLogRow {
  id: number;
  target_id: number;
  start_time: number;
  end_time: number;
  arch: string;
  exit_code: number;
}

/**
 * Versioned schema: entry N brings `PRAGMA user_version` from N to N + 1. Append, never edit, so an existing
 * database is upgraded in order.
 */
export const BUILD_LOG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE build_logs (
     id         INTEGER PRIMARY KEY AUTOINCREMENT,
     target_id  INTEGER NOT NULL,
     start_time INTEGER NOT NULL,
     end_time   INTEGER NOT NULL,
     arch       TEXT    NOT NULL,
     exit_code  INTEGER NOT NULL
   );
   CREATE INDEX build_logs_target_id ON build_logs (target_id, id);
   CREATE INDEX build_logs_start_time ON build_logs (start_time, id);
   CREATE INDEX build_logs_arch ON build_logs (arch, id);
   CREATE INDEX build_logs_exit_code ON build_logs (exit_code, id);`,
  // Running extremes of start_time in id order, for the time bounds (see timeBoundFloor).
  `ALTER TABLE build_logs ADD COLUMN start_max INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE build_logs ADD COLUMN start_min INTEGER NOT NULL DEFAULT 0;
   WITH running AS (
     SELECT id, MAX(start_time) OVER upto AS high, MIN(start_time) OVER upto AS low
     FROM build_logs WINDOW upto AS (ORDER BY id)
   )
   UPDATE build_logs SET start_max = running.high, start_min = running.low FROM running
   WHERE running.id = build_logs.id;
   CREATE INDEX build_logs_start_max ON build_logs (start_max, id);
   CREATE INDEX build_logs_start_min ON build_logs (start_min DESC, id);`,
];

const COLUMNS = 'id, target_id, start_time, end_time, arch, exit_code';
const NO_ID = '9223372036854775807';

/**
 * Results come in id order while the time bounds are on start_time, so neither index alone serves a bound that
 * cuts the table in the middle: SQLite walks ids from the start (or sorts the whole range) until it has a page.
 * Each row also stores the running maximum and minimum of start_time up to its id; both are monotonic in id, so
 * one index probe finds the first id that can satisfy a bound and the id-ordered scan starts there. A delete may
 * leave them looser than the rows now imply, which only moves the floor earlier, never past a match.
 */
function timeBoundFloor(query: BuildLogQuery, values: (number | string)[]): string | undefined {
  const floors: string[] = [];
  if (query.startedAfter !== undefined) {
    floors.push(`(SELECT id FROM build_logs WHERE start_max > ? ORDER BY start_max, id LIMIT 1)`);
    values.push(query.startedAfter);
  }
  if (query.startedBefore !== undefined) {
    floors.push(`(SELECT id FROM build_logs WHERE start_min < ? ORDER BY start_min DESC, id LIMIT 1)`);
    values.push(query.startedBefore);
  }
  if (floors.length === 0) return undefined;
  const bounded = floors.map((floor) => `COALESCE(${floor}, ${NO_ID})`);
  return `id >= ${bounded.length === 1 ? bounded[0] : `MAX(${bounded.join(', ')})`}`;
}
/** Prepared statements are cached per SQL shape; the shapes vary only with the filters used and list lengths. */
const MAX_CACHED_STATEMENTS = 128;

const toRecord = (row: BuildLogRow): BuildLogRecord => ({
  id: row.id,
  targetId: row.target_id,
  startTime: row.start_time,
  endTime: row.end_time,
  arch: row.arch,
  exitCode: row.exit_code,
});

/** Applies pending migrations in one transaction each; refuses a database from a newer Hotend. */
export function migrate(db: Database.Database, migrations: readonly string[] = BUILD_LOG_MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `${db.name} has schema version ${current}, newer than this Hotend knows (${migrations.length}); refusing to use it`,
    );
  }
  for (let version = current; version < migrations.length; version += 1) {
    db.transaction(() => {
      db.exec(migrations[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return migrations.length;
}

/** The embedded default: SQLite in WAL mode through better-sqlite3 (synchronous, so calls never interleave). */
export class SqliteBuildLogRepository implements BuildLogRepository, OnApplicationShutdown {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(readonly db: Database.Database) {}

  static open(file: string): SqliteBuildLogRepository {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a publish answered 200 survives a power cut (NORMAL could roll the last commits back).
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      db.pragma('optimize = 0x10002');
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteBuildLogRepository(db);
  }

  list(query: BuildLogQuery): Promise<BuildLogRecord[]> {
    const values: (number | string)[] = [];
    const floor = timeBoundFloor(query, values);
    const conditions: string[] = floor === undefined ? [] : [floor];
    if (query.targetId !== undefined) {
      conditions.push('target_id = ?');
      values.push(query.targetId);
    }
    if (query.startedBefore !== undefined) {
      conditions.push('start_time < ?');
      values.push(query.startedBefore);
    }
    if (query.startedAfter !== undefined) {
      conditions.push('start_time > ?');
      values.push(query.startedAfter);
    }
    if (query.arch !== undefined) {
      conditions.push('arch = ?');
      values.push(query.arch);
    }
    const { include = [], exclude = [] } = query.exitCodes ?? {};
    if (include.length > 0) {
      conditions.push(`exit_code IN (${include.map(() => '?').join(', ')})`);
      values.push(...include);
    }
    if (exclude.length > 0) {
      conditions.push(`exit_code NOT IN (${exclude.map(() => '?').join(', ')})`);
      values.push(...exclude);
    }
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const sql = `SELECT ${COLUMNS} FROM build_logs${where} ORDER BY id LIMIT ? OFFSET ?`;
    const rows = this.statement(sql).all(...values, query.limit, query.offset) as BuildLogRow[];
    return Promise.resolve(rows.map(toRecord));
  }

  get(id: number): Promise<BuildLogRecord | undefined> {
    const row = this.statement(`SELECT ${COLUMNS} FROM build_logs WHERE id = ?`).get(id) as BuildLogRow | undefined;
    return Promise.resolve(row === undefined ? undefined : toRecord(row));
  }

  async insert(log: NewBuildLog, attach: (id: number) => void): Promise<number> {
    const insert = this.statement(
      `INSERT INTO build_logs (target_id, start_time, end_time, arch, exit_code, start_max, start_min)
       VALUES (@targetId, @startTime, @endTime, @arch, @exitCode,
               MAX(@startTime, COALESCE((SELECT start_max FROM build_logs ORDER BY id DESC LIMIT 1), @startTime)),
               MIN(@startTime, COALESCE((SELECT start_min FROM build_logs ORDER BY id DESC LIMIT 1), @startTime)))`,
    );
    const id = this.db
      .transaction(() => {
        const result = insert.run({
          targetId: log.targetId,
          startTime: log.startTime,
          endTime: log.endTime,
          arch: log.arch,
          exitCode: log.exitCode,
        });
        const newId = Number(result.lastInsertRowid);
        attach(newId);
        return newId;
      })
      .immediate();
    return id;
  }

  delete(id: number): Promise<boolean> {
    return Promise.resolve(this.statement('DELETE FROM build_logs WHERE id = ?').run(id).changes > 0);
  }

  exists(id: number): Promise<boolean> {
    return Promise.resolve(this.statement('SELECT 1 FROM build_logs WHERE id = ?').get(id) !== undefined);
  }

  idsStartedBefore(time: number, limit: number): Promise<number[]> {
    return this.list({ limit, offset: 0, startedBefore: time }).then((rows) => rows.map((row) => row.id));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
