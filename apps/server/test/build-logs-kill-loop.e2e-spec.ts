import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildLogContentStore } from '../src/build-logs/build-log-content.store.js';
import { SqliteBuildLogRepository } from '../src/build-logs/build-log.repository.js';
import { BuildLogsService } from '../src/build-logs/build-logs.service.js';
import { loadConfig } from '../src/config/config.loader.js';
import { HotendConfigService } from '../src/config/config.service.js';
// @ts-expect-error: a plain ES module shared with the child process, which runs without a TypeScript loader.
import { buildLogBody } from './fixtures/build-log-bodies.mjs';

const PUBLISHER = fileURLToPath(new URL('./fixtures/build-log-publisher.mjs', import.meta.url));
const KILLS = 100;
const bodyOf = buildLogBody as (n: number) => Buffer;

interface Ack {
  readonly id: number;
  readonly n: number;
}

/**
 * Runs the publisher until it is SIGKILLed `delayMs` after its `afterAcks`-th acknowledgement (or after it is
 * ready, for 0); returns the publishes it acknowledged.
 */
function publishUntilKilled(basedir: string, first: number, afterAcks: number, delayMs: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [PUBLISHER, basedir, String(first)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    let armed = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const acks = output.split('\nACK ').length - 1;
      if (!armed && output.startsWith('READY\n') && acks >= afterAcks) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`publisher exited with ${code}:\n${errors}`));
      // Only whole lines count: a line cut short by the kill was never acknowledged.
      const acks = output
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.startsWith('ACK '))
        .map((line) => line.split(' ').map(Number))
        .map(([, id = 0, n = 0]) => ({ id, n }));
      resolve(acks);
    });
  });
}

describe('build logs: 100 publishers SIGKILLed at random moments, each followed by the start-up recovery', () => {
  let basedir: string;

  beforeAll(() => {
    expect(existsSync(join(PUBLISHER, '../../../dist/build-logs/build-logs.service.js'))).toBe(true);
    basedir = mkdtempSync(join(tmpdir(), 'hotend-kill-loop-'));
    const config = { api: { keys: [] }, serial: { autoconnect: false } };
    writeFileSync(join(basedir, 'config.yaml'), stringify(config), { mode: 0o600 });
    Logger.overrideLogger(false);
  });
  afterAll(() => rmSync(basedir, { recursive: true, force: true }));

  it('loses no acknowledged log and leaves no orphan', { timeout: 600_000 }, async () => {
    const acknowledged: Ack[] = [];
    let next = 1;
    let lost = 0;
    let orphans = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      // Spread the kills over the whole publish sequence: body streaming, the transaction, the reply.
      const acks = await publishUntilKilled(basedir, next, kill % 3, (kill * 37) % 50);
      acknowledged.push(...acks);
      next += 1000;

      // What the server does at start (BuildLogsService.onModuleInit), then a look at what it left.
      const loaded = new HotendConfigService(loadConfig(basedir));
      const repository = SqliteBuildLogRepository.open(loaded.paths.database);
      const contents = new BuildLogContentStore(loaded.paths.buildLogs);
      const service = new BuildLogsService(repository, contents, loaded);
      try {
        await service.onModuleInit();
        service.onModuleDestroy();
        for (const { id, n } of acks) {
          const row = await repository.get(id);
          const path = contents.pathOf(id);
          if (row?.startTime !== n || !existsSync(path) || !readFileSync(path).equals(bodyOf(n))) lost += 1;
        }
        const rows = new Set((await repository.list({ limit: 1_000_000, offset: 0 })).map((row) => row.id));
        const files = readdirSync(contents.directory);
        orphans += files.filter((name) => !/^\d+\.log$/.test(name) || !rows.has(Number.parseInt(name, 10))).length;
        orphans += [...rows].filter((id) => !files.includes(`${id}.log`)).length;
      } finally {
        repository.close();
      }
    }
    expect({ kills: KILLS, lost, orphans }).toEqual({ kills: KILLS, lost: 0, orphans: 0 });
    // The kills must have landed among real work, not only before the first publish finished.
    expect(acknowledged.length).toBeGreaterThan(KILLS);
  });
});
