import type Database from 'better-sqlite3';

/**
 * Per-module schema versions in one shared SQLite file. `PRAGMA user_version` belongs to the first module that
 * used it (build logs); every other module keeps its version as a row of `schema_versions` instead, so two
 * modules never read each other's number.
 *
 * Entry N of `migrations` brings the module from version N to N + 1; append, never edit.
 */
export function migrateModule(db: Database.Database, module: string, migrations: readonly string[]): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_versions WHERE module = ?').get(module) as
    { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > migrations.length) {
    throw new Error(
      `${db.name} has ${module} schema version ${current}, newer than this Hotend knows (${migrations.length}); refusing to use it`,
    );
  }
  const setVersion = db.prepare(
    'INSERT INTO schema_versions (module, version) VALUES (?, ?) ON CONFLICT (module) DO UPDATE SET version = excluded.version',
  );
  for (let version = current; version < migrations.length; version += 1) {
    db.transaction(() => {
      db.exec(migrations[version] ?? '');
      setVersion.run(module, version + 1);
    }).immediate();
  }
  return migrations.length;
}
