import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig, persistConfigValue } from './config.loader.js';

describe('loadConfig', () => {
  let basedir: string;

  beforeEach(() => {
    basedir = mkdtempSync(join(tmpdir(), 'hotend-config-'));
  });
  afterEach(() => {
    rmSync(basedir, { recursive: true, force: true });
  });

  const write = (text: string): void => writeFileSync(join(basedir, 'config.yaml'), text);
  const loadError = (): string => {
    try {
      loadConfig(basedir);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('loadConfig accepted the file');
  };

  it('creates config.yaml with a generated admin key, readable only by the owner, on first start', () => {
    const loaded = loadConfig(join(basedir, 'fresh'));
    expect(loaded.generatedAdminKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const file = join(basedir, 'fresh', 'config.yaml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(file, 'utf8'))).toEqual({
      api: { keys: [{ name: 'admin', key: loaded.generatedAdminKey, permissions: ['ADMIN'] }] },
    });
    expect(loaded.config.api.keys).toHaveLength(1);
  });

  it('does not generate a key again on the next start', () => {
    const first = loadConfig(basedir);
    const second = loadConfig(basedir);
    expect(second.generatedAdminKey).toBeUndefined();
    expect(second.config.api.keys[0]?.key).toBe(first.generatedAdminKey);
  });

  it('fills defaults for everything the file leaves out', () => {
    write('server:\n  port: 8080\n');
    const { config } = loadConfig(basedir);
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(config.serial).toMatchObject({
      port: 'VIRTUAL',
      baudrate: 115200,
      autoconnect: true,
      flowControl: 'ping-pong',
    });
    expect(config.printerProfile.axes.z.speed).toBe(200);
    expect(config.printerProfile.extruder.count).toBe(1);
  });

  it.each([
    ['server:\n  port: 70000\n', 'server.port: port must not be greater than 65535'],
    [
      'server:\n  port: "high"\n',
      'server.port: port must not be greater than 65535; port must not be less than 0; port must be an integer number',
    ],
    ['serial:\n  prot: /dev/ttyACM0\n', 'serial.prot: property prot should not exist'],
    [
      'serial:\n  flowControl: fast\n',
      'serial.flowControl: flowControl must be one of the following values: ping-pong, send-ahead',
    ],
    ['printerProfile:\n  extruder:\n    count: 0\n', 'printerProfile.extruder.count: count must not be less than 1'],
    [
      'api:\n  keys:\n    - name: a\n      key: short\n      permissions: [ADMIN]\n',
      'api.keys[0].key: key must be longer than or equal to 16 characters',
    ],
    [
      'api:\n  keys:\n    - name: a\n      key: 0123456789abcdef\n      permissions: [GOD]\n',
      'api.keys[0].permissions: each value in permissions must be one of the following values',
    ],
    [
      'system:\n  actions:\n    - action: "rm -rf"\n      command: x\n',
      'system.actions[0].action: action must match [a-z0-9_-]+',
    ],
    [
      'system:\n  actions:\n    - action: noop\n',
      /system\.actions\[0\]\.command: .*command is required for every entry that is not a divider/,
    ],
    [
      'system:\n  actions:\n    - action: a\n      command: x\n    - action: a\n      command: y\n',
      'system.actions[1].action: "a" is already defined by system.actions[0]',
    ],
    ['- just\n- a list\n', 'the top level must be a mapping of sections'],
    ['server: [unclosed\n', 'is not valid YAML'],
  ] as [string, string | RegExp][])('refuses %j with a message naming the key', (text, expected) => {
    write(text);
    const message = loadError();
    if (typeof expected === 'string') expect(message).toContain(expected);
    else expect(message).toMatch(expected);
    expect(message).toContain(join(basedir, 'config.yaml'));
  });

  it('persists one value, keeps the rest of the file and its comments, and revalidates', () => {
    write(
      '# my printer\nserial:\n  port: /dev/ttyUSB0 # the left one\napi:\n  keys:\n    - name: admin\n      key: 0123456789abcdef\n      permissions: [ADMIN]\n',
    );
    const file = join(basedir, 'config.yaml');
    const config = persistConfigValue(file, ['serial', 'baudrate'], 250000);
    expect(config.serial.baudrate).toBe(250000);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# my printer');
    expect(text).toContain('# the left one');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => persistConfigValue(file, ['serial', 'baudrate'], -1)).toThrow(/serial.baudrate/);
    expect(parse(readFileSync(file, 'utf8')).serial.baudrate).toBe(250000);
  });
});
