import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_LOG_MIGRATIONS, migrate, SqliteBuildLogRepository } from './build-log.repository.js';

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
