import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../config/config.loader.js';
import { HotendConfigService } from '../config/config.service.js';
import { ApiKeyService } from './api-key.service.js';
import { Permission } from './permission.js';

describe('ApiKeyService', () => {
  let basedir: string;

  beforeEach(() => {
    basedir = mkdtempSync(join(tmpdir(), 'hotend-keys-'));
  });
  afterEach(() => rmSync(basedir, { recursive: true, force: true }));

  const serviceWith = (keys: { name: string; key: string; permissions: Permission[] }[]): ApiKeyService => {
    writeFileSync(join(basedir, 'config.yaml'), stringify({ api: { keys } }));
    return new ApiKeyService(new HotendConfigService(loadConfig(basedir)));
  };

  it('resolves each configured key to its name and permissions, every time', () => {
    const service = serviceWith([
      { name: 'status', key: 'status-key-0123456789', permissions: [Permission.STATUS] },
      { name: 'admin', key: 'admin-key-0123456789', permissions: [Permission.ADMIN] },
    ]);
    expect(service.resolve('status-key-0123456789')).toEqual({ name: 'status', permissions: [Permission.STATUS] });
    expect(service.resolve('admin-key-0123456789')).toEqual({ name: 'admin', permissions: [Permission.ADMIN] });
    expect(service.resolve('status-key-0123456789')).toEqual({ name: 'status', permissions: [Permission.STATUS] });
  });

  it('resolves nothing for unknown keys, prefixes, extensions or a different case', () => {
    const service = serviceWith([{ name: 'status', key: 'status-key-0123456789', permissions: [Permission.STATUS] }]);
    for (const guess of ['', 'status-key-012345678', 'status-key-01234567890', 'STATUS-KEY-0123456789', 'other']) {
      expect(service.resolve(guess)).toBeUndefined();
    }
  });

  it('gives the first entry when two entries share a secret', () => {
    const service = serviceWith([
      { name: 'first', key: 'shared-key-0123456789', permissions: [Permission.STATUS] },
      { name: 'second', key: 'shared-key-0123456789', permissions: [Permission.ADMIN] },
    ]);
    expect(service.resolve('shared-key-0123456789')).toEqual({ name: 'first', permissions: [Permission.STATUS] });
  });

  it('hands out keys that callers cannot change', () => {
    const service = serviceWith([{ name: 'status', key: 'status-key-0123456789', permissions: [Permission.STATUS] }]);
    const resolved = service.resolve('status-key-0123456789');
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved?.permissions)).toBe(true);
  });

  it('follows a replacement of the keys for keys it resolved before', () => {
    const service = serviceWith([
      { name: 'status', key: 'status-key-0123456789', permissions: [Permission.STATUS] },
      { name: 'admin', key: 'admin-key-0123456789', permissions: [Permission.ADMIN] },
    ]);
    expect(service.resolve('status-key-0123456789')?.name).toBe('status');
    expect(service.resolve('admin-key-0123456789')?.name).toBe('admin');
    service.replace([{ name: 'renamed', key: 'admin-key-0123456789', permissions: [Permission.STATUS] }]);
    expect(service.resolve('status-key-0123456789')).toBeUndefined();
    expect(service.resolve('admin-key-0123456789')).toEqual({ name: 'renamed', permissions: [Permission.STATUS] });
  });

  it('resolves every one of many keys, again and again', () => {
    const keys = Array.from({ length: 150 }, (_, i) => ({
      name: `key${i}`,
      key: `many-keys-${i}-0123456789`,
      permissions: [Permission.STATUS],
    }));
    const service = serviceWith(keys);
    for (let round = 0; round < 3; round += 1) {
      for (const { name, key } of keys) expect(service.resolve(key)?.name).toBe(name);
      expect(service.resolve('many-keys-guess-0123456789')).toBeUndefined();
    }
  });
});
