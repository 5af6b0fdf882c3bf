import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../config/config.loader.js';
import { HotendConfigService } from '../config/config.service.js';
import { formatLocalDate } from './log-format.js';
import { HotendLogService } from './log.service.js';
import { HotendNestLogger } from './nest-logger.js';

const LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} - (\S+) - ([A-Z]+) - (.*)$/;

describe('HotendLogService', () => {
  let basedir: string;
  let service: HotendLogService;

  const start = (logging: Record<string, unknown> = {}, serialLog = true): HotendLogService => {
    writeFileSync(join(basedir, 'config.yaml'), stringify({ logging, serial: { log: serialLog } }));
    const created = new HotendLogService(new HotendConfigService(loadConfig(basedir)));
    created.onModuleInit();
    return created;
  };
  const logs = (): string => join(basedir, 'logs');
  const lines = (name: string): string[] =>
    readFileSync(join(logs(), name), 'utf8')
      .split('\n')
      .filter((line) => line !== '');

  beforeEach(() => {
    basedir = mkdtempSync(join(tmpdir(), 'hotend-logsvc-'));
  });
  afterEach(() => {
    service.close();
    rmSync(basedir, { recursive: true, force: true });
  });

  it('writes readable lines with time, logger name, level and message', async () => {
    service = start();
    service.logger('hotend.comm').info('Connected to /dev/ttyACM0');
    service.logger('hotend.comm').warn({ port: 5 }, 'odd');
    await service.flush();
    const written = lines('hotend.log').map((line) => LINE.exec(line)?.slice(1));
    expect(written).toEqual([
      ['hotend.comm', 'INFO', 'Connected to /dev/ttyACM0'],
      ['hotend.comm', 'WARN', 'odd {"port":5}'],
    ]);
  });

  it("writes a batch of plain messages as the lines its logger would, filtered by that logger's level", async () => {
    service = start({ levels: { 'hotend.client': 'warn' } });
    service.logger('hotend.client').error('[ui] through pino');
    service.writeMessages('hotend.client', [
      { level: 'error', text: '[ui] Disk full' },
      { level: 'info', text: '[ui] filtered out' },
      { level: 'warn', text: '[ui] two\nlines' },
    ]);
    await service.flush();
    expect(lines('hotend.log').map((line) => LINE.exec(line)?.slice(1))).toEqual([
      ['hotend.client', 'ERROR', '[ui] through pino'],
      ['hotend.client', 'ERROR', '[ui] Disk full'],
      ['hotend.client', 'WARN', '[ui] two\\nlines'],
    ]);
  });

  it('keeps a message on one line whatever control characters it holds', async () => {
    service = start();
    service.logger('hotend.system').error('first\nforged - hotend.system - INFO - x\r\u001b[31m\u2028end');
    await service.flush();
    expect(lines('hotend.log')).toHaveLength(1);
    expect(lines('hotend.log')[0]).toMatch(
      / - hotend\.system - ERROR - first\\nforged - hotend\.system - INFO - x\\r\\u001b\[31m\\u2028end$/,
    );
  });

  it('applies configured levels, inherited by child names, and replaces them at run time', async () => {
    service = start({ levels: { 'hotend.comm': 'debug' }, defaultLevel: 'warn' });
    const comm = service.logger('hotend.comm.serial');
    const system = service.logger('hotend.system');
    comm.debug('comm debug 1');
    system.info('system info 1');
    expect(service.replaceLevels({ 'hotend.system': 'info' })).toEqual({ 'hotend.system': 'info' });
    comm.debug('comm debug 2');
    system.info('system info 2');
    await service.flush();
    expect(lines('hotend.log').map((line) => LINE.exec(line)?.[3])).toEqual(['comm debug 1', 'system info 2']);
    expect(readFileSync(join(basedir, 'config.yaml'), 'utf8')).toContain('hotend.system: info');
    expect(() => service.replaceLevels({ 'hotend.system': 'loud' as 'info' })).toThrow(/not a level/);
  });

  it('routes Nest Logger calls by context into the named loggers', async () => {
    service = start({ levels: { 'hotend.http': 'error', 'hotend.nest': 'debug' } });
    const nest = new HotendNestLogger(service);
    nest.log('listening', 'hotend.system');
    nest.warn('dropped', 'hotend.http');
    nest.error('boom', 'Error: boom\n    at x', 'hotend.http');
    nest.log('Mapped {/x, GET} route', 'RoutesResolver');
    await service.flush();
    expect(lines('hotend.log').map((line) => LINE.exec(line)?.slice(1))).toEqual([
      ['hotend.system', 'INFO', 'listening'],
      ['hotend.http', 'ERROR', 'boom\\nError: boom\\n    at x'],
      // Nest's own news is debug output: the first-run console shows none of it.
      ['hotend.nest', 'DEBUG', '[RoutesResolver] Mapped {/x, GET} route'],
    ]);
  });

  it('writes serial.log only when enabled, and rolls it over to a dated file', async () => {
    service = start();
    service.serial.append('Send', 'N1 M110 N0*125');
    service.serial.append('Recv', 'ok');
    service.serial.rollOver();
    service.serial.append('Info', 'Connecting');
    await service.flush();
    const today = formatLocalDate(new Date());
    expect(readdirSync(logs()).sort()).toEqual(['hotend.log', 'serial.log', `serial.log.${today}`]);
    expect(lines(`serial.log.${today}`).map((line) => line.slice(26))).toEqual(['Send: N1 M110 N0*125', 'Recv: ok']);
    expect(lines('serial.log').map((line) => line.slice(26))).toEqual(['Info: Connecting']);
    service.serial.rollOver();
    expect(existsSync(join(logs(), `serial.log.${today}.1`))).toBe(true);

    service.close();
    service = start({}, false);
    expect(service.serial.enabled).toBe(false);
    service.serial.append('Send', 'M105');
    await service.flush();
    expect(lines('serial.log')).toEqual([]);
  });

  it('rolls over a serial.log left by an earlier run on the first connect', async () => {
    mkdirSync(logs());
    writeFileSync(join(logs(), 'serial.log'), 'earlier run\n');
    service = start();
    service.serial.rollOver();
    service.serial.append('Send', 'M115');
    await service.flush();
    const today = formatLocalDate(new Date());
    expect(readFileSync(join(logs(), `serial.log.${today}`), 'utf8')).toBe('earlier run\n');
    expect(lines('serial.log').map((line) => line.slice(26))).toEqual(['Send: M115']);
  });

  it('refuses a config whose levels name a bad logger or level', () => {
    writeFileSync(join(basedir, 'config.yaml'), stringify({ logging: { levels: { 'hotend.comm': 'loud' } } }));
    expect(() => loadConfig(basedir)).toThrow(
      /logging\.levels: levels must map logger names \(hotend, hotend\.<area>\.\.\.\) to one of fatal, error, warn, info, debug, trace/,
    );
    writeFileSync(join(basedir, 'config.yaml'), stringify({ logging: { levels: { Comm: 'info' } } }));
    expect(() => loadConfig(basedir)).toThrow(
      /logging\.levels: levels must map logger names \(hotend, hotend\.<area>\.\.\.\) to one of fatal, error, warn, info, debug, trace/,
    );
    service = start({ levels: { hotend: 'debug' } });
  });

  it('keeps writing to a fresh file after the active file is deleted', async () => {
    service = start();
    service.logger('hotend.system').info('before');
    await service.flush();
    unlinkSync(join(logs(), 'hotend.log'));
    service.fileDeleted('hotend.log');
    service.logger('hotend.system').info('after');
    await service.flush();
    expect(lines('hotend.log').map((line) => LINE.exec(line)?.[3])).toEqual(['after']);
  });

  it('notices an active file deleted behind its back on the next maintenance run', async () => {
    service = start();
    service.logger('hotend.system').info('before');
    await service.flush();
    unlinkSync(join(logs(), 'hotend.log'));
    service.maintain();
    service.logger('hotend.system').info('after');
    await service.flush();
    expect(lines('hotend.log').map((line) => LINE.exec(line)?.[3])).toEqual(['after']);
  });

  it('rotates at the first maintenance run of a new day', async () => {
    service = start();
    service.logger('hotend.system').info('today');
    await service.flush();
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    service.maintain(tomorrow);
    service.logger('hotend.system').info('tomorrow');
    await service.flush();
    const today = formatLocalDate(new Date());
    expect(lines(`hotend.log.${today}`).map((line) => LINE.exec(line)?.[3])).toEqual(['today']);
    expect(lines('hotend.log').map((line) => LINE.exec(line)?.[3])).toEqual(['tomorrow']);
  });

  it('rotates a file left from an earlier day at start and prunes by age and by total size', () => {
    mkdirSync(logs());
    const day = 24 * 60 * 60 * 1000;
    const place = (name: string, ageDays: number, bytes: number): void => {
      writeFileSync(join(logs(), name), 'x'.repeat(bytes));
      const when = new Date(Date.now() - ageDays * day);
      utimesSync(join(logs(), name), when, when);
    };
    place('hotend.log', 2, 100);
    place('hotend.log.2000-01-01', 30, 100);
    place('hotend.log.2000-01-02', 5, 400);
    place('serial.log.2000-01-03', 4, 400);
    place('notes.txt', 60, 10);
    service = start({ retentionDays: 10, maxTotalBytes: 1000 });
    const twoDaysAgo = formatLocalDate(new Date(Date.now() - 2 * day));
    // 30 days old: past retention; then 100 + 400 + 400 + 10 > 1000? no: 910 stays.
    expect(readdirSync(logs()).sort()).toEqual(
      ['hotend.log', `hotend.log.${twoDaysAgo}`, 'hotend.log.2000-01-02', 'notes.txt', 'serial.log.2000-01-03'].sort(),
    );
    service.close();
    place('hotend.log.2000-01-04', 1, 300);
    service = start({ retentionDays: 10, maxTotalBytes: 1000 });
    // 1210 bytes: the oldest rotated file (5 days, 400) goes, leaving 810.
    expect(readdirSync(logs()).sort()).toEqual(
      ['hotend.log', `hotend.log.${twoDaysAgo}`, 'hotend.log.2000-01-04', 'notes.txt', 'serial.log.2000-01-03'].sort(),
    );
  });
});
