import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUILD_LOG_MIGRATIONS,
  type BuildLogQuery,
  type BuildLogRecord,
  migrate,
  SqliteBuildLogRepository,
} from './build-log.repository.js';

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** What a list query means, computed the slow and obvious way. */
function reference(rows: readonly BuildLogRecord[], query: BuildLogQuery): BuildLogRecord[] {
  const { include = [], exclude = [] } = query.exitCodes ?? {};
  return rows
    .filter(
      (row) =>
        (query.targetId === undefined || row.targetId === query.targetId) &&
        (query.startedAfter === undefined || row.startTime > query.startedAfter) &&
        (query.startedBefore === undefined || row.startTime < query.startedBefore) &&
        (query.arch === undefined || row.arch === query.arch) &&
        (include.length === 0 || include.includes(row.exitCode)) &&
        !exclude.includes(row.exitCode),
    )
    .sort((a, b) => a.id - b.id)
    .slice(query.offset, query.offset + query.limit);
}

describe('SqliteBuildLogRepository', () => {
  let directory: string;
  let repository: SqliteBuildLogRepository;
  const log = { targetId: 1, startTime: 10, endTime: 20, arch: 'x86_64', exitCode: 0 };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'hotend-repo-'));
    repository = SqliteBuildLogRepository.open(join(directory, 'hotend.db'));
  });
  afterEach(() => {
    repository.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('opens in WAL mode at the latest schema version, with an index per filter', () => {
    expect(repository.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(repository.db.pragma('user_version', { simple: true })).toBe(BUILD_LOG_MIGRATIONS.length);
    const indexes = (
      repository.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as {
        name: string;
      }[]
    ).map((row) => row.name);
    expect(indexes.sort()).toEqual([
      'build_logs_arch',
      'build_logs_exit_code',
      'build_logs_start_max',
      'build_logs_start_min',
      'build_logs_start_time',
      'build_logs_target_id',
    ]);
  });

  it('keeps no row when attach throws, and never reuses an id', async () => {
    await expect(
      repository.insert(log, () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await repository.list({ limit: 10, offset: 0 })).toEqual([]);
    const attached: number[] = [];
    const first = await repository.insert(log, (id) => attached.push(id));
    expect(attached).toEqual([first]);
    await repository.delete(first);
    const second = await repository.insert(log, () => undefined);
    expect(second).toBeGreaterThan(first);
    expect(await repository.get(second)).toEqual({ id: second, ...log });
  });

  it('lists ids started before a time, oldest first', async () => {
    for (const startTime of [50, 5, 30, 1]) await repository.insert({ ...log, startTime }, () => undefined);
    expect(await repository.idsStartedBefore(31, 10)).toEqual([2, 3, 4]);
    expect(await repository.idsStartedBefore(31, 2)).toEqual([2, 3]);
  });

  it('answers every filter combination like a plain filter, with start times in any order and after deletes', async () => {
    const random = lcg(11);
    const kept = new Map<number, BuildLogRecord>();
    // Rising, falling and scattered runs of start times: the time-bound shortcut must not assume any order.
    const startTimes = [
      ...Array.from({ length: 150 }, (_, i) => 1000 + i * 10),
      ...Array.from({ length: 150 }, (_, i) => 3000 - i * 10),
      ...Array.from({ length: 150 }, () => Math.floor(random() * 4000)),
    ];
    for (const startTime of startTimes) {
      const record = {
        targetId: 1 + Math.floor(random() * 4),
        startTime,
        endTime: startTime + 5,
        arch: random() < 0.5 ? 'x86_64' : 'aarch64',
        exitCode: Math.floor(random() * 3),
      };
      const id = await repository.insert(record, () => undefined);
      kept.set(id, { id, ...record });
      // Deleting the newest row too: the next insert must not lose the running extremes.
      if (random() < 0.2) {
        const victim = [...kept.keys()][Math.floor(random() * kept.size)] ?? id;
        await repository.delete(victim);
        kept.delete(victim);
      }
    }
    const pick = <T>(options: readonly T[]): T | undefined =>
      random() < 0.5 ? undefined : options[Math.floor(random() * options.length)];
    for (let i = 0; i < 400; i += 1) {
      const after = pick([-1, 500, 1200, 2000, 2900, 3990, 5000]);
      const query: BuildLogQuery = {
        limit: 1 + Math.floor(random() * 30),
        offset: Math.floor(random() * 20),
        targetId: pick([1, 2, 3, 4]),
        startedAfter: after,
        startedBefore: pick([0, 1001, 1500, 2500, 3000, 4500]),
        arch: pick(['x86_64', 'aarch64']),
        exitCodes: pick([
          { include: [1], exclude: [] },
          { include: [], exclude: [0] },
          { include: [0, 2], exclude: [2] },
        ]),
      };
      expect(await repository.list(query), JSON.stringify(query)).toEqual(reference([...kept.values()], query));
    }
  });

  it('starts the id scan for a mid-table time bound at the first possible row', () => {
    const plan = (
      repository.db
        .prepare(`EXPLAIN QUERY PLAN SELECT id FROM build_logs WHERE id >= ? AND start_time > ? ORDER BY id`)
        .all(1, 1) as { detail: string }[]
    ).map((row) => row.detail);
    expect(plan.join('\n')).toMatch(/INTEGER PRIMARY KEY \(rowid>\?\)/);
  });

  it('fills the running start times when upgrading a database from schema 1', async () => {
    repository.close();
    const file = join(directory, 'old.db');
    const old = new Database(file);
    migrate(old, BUILD_LOG_MIGRATIONS.slice(0, 1));
    const insert = old.prepare(
      'INSERT INTO build_logs (target_id, start_time, end_time, arch, exit_code) VALUES (1, ?, ?, ?, 0)',
    );
    for (const startTime of [30, 10, 50, 20, 40]) insert.run(startTime, startTime + 1, 'x86_64');
    old.close();
    repository = SqliteBuildLogRepository.open(file);
    expect(repository.db.prepare('SELECT start_max, start_min FROM build_logs ORDER BY id').all()).toEqual([
      { start_max: 30, start_min: 30 },
      { start_max: 30, start_min: 10 },
      { start_max: 50, start_min: 10 },
      { start_max: 50, start_min: 10 },
      { start_max: 50, start_min: 10 },
    ]);
    expect((await repository.list({ limit: 10, offset: 0, startedAfter: 35 })).map((row) => row.id)).toEqual([3, 5]);
    expect((await repository.list({ limit: 10, offset: 0, startedBefore: 25 })).map((row) => row.id)).toEqual([2, 4]);
  });

  it('refuses a database from a newer schema', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${BUILD_LOG_MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this Hotend knows/);
    db.close();
  });

  it('upgrades step by step, each migration once', () => {
    const db = new Database(':memory:');
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'])).toBe(2);
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)', 'CREATE TABLE c (z)'])).toBe(3);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    db.close();
  });
});
