import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startTestServer, statusOf, TEST_KEYS, type TestServer } from './harness.js';
import { passiveLogin, RawPushSocket, sleep } from './push-helpers.js';

interface KeyEntry {
  name: string;
  key: string;
  permissions: string[];
}

/**
 * Keys edited in config.yaml while the server runs: removing one revokes it (REST refuses it, its sessions end, its
 * sockets get `reauthRequired`), changing its permissions ends its sessions as `modified`; a broken file changes
 * nothing. The file is edited as an editor saves it: written beside and renamed over.
 */
describe('api.keys reloaded from config.yaml at run time', () => {
  let server: TestServer;
  const open: RawPushSocket[] = [];
  let original: string;

  const file = (): string => join(server.basedir, 'config.yaml');
  const save = (text: string): void => {
    writeFileSync(`${file()}.edit`, text, { mode: 0o600 });
    renameSync(`${file()}.edit`, file());
  };
  const editKeys = (change: (keys: KeyEntry[]) => KeyEntry[]): void => {
    const config = parse(original) as { api: { keys: KeyEntry[] } };
    config.api.keys = change(config.api.keys);
    save(stringify(config));
  };

  beforeAll(async () => {
    server = await startTestServer();
    original = readFileSync(join(server.basedir, 'config.yaml'), 'utf8');
  });
  afterAll(() => server.close());
  afterEach(async () => {
    for (const socket of open.splice(0)) await socket.close();
    save(original);
    // The original keys are back once the status key answers again.
    const deadline = Date.now() + 5000;
    while ((await statusOf(server.client(TEST_KEYS.STATUS).server.get())).status !== 204) {
      if (Date.now() > deadline) throw new Error('the original keys did not come back');
      await sleep(50);
    }
  });

  const authed = async (key: string): Promise<{ socket: RawPushSocket; name: string; session: string }> => {
    const socket = await RawPushSocket.open(server.url);
    open.push(socket);
    await socket.next('connected');
    const login = await passiveLogin(server.url, key);
    const name = login['name'] as string;
    const session = login['session'] as string;
    socket.sendAuth(name, session);
    await socket.next('history');
    return { socket, name, session };
  };

  it('removing a key: its socket gets reauthRequired removed, REST refuses it (403, as an unknown key), its session no longer authenticates; other keys go on', async () => {
    const removed = await authed(TEST_KEYS.STATUS);
    const kept = await authed(TEST_KEYS.ADMIN);
    const idle = await passiveLogin(server.url, TEST_KEYS.STATUS);
    expect((await statusOf(server.client(TEST_KEYS.STATUS).server.get())).status).toBe(204);

    editKeys((keys) => keys.filter((entry) => entry.name !== 'status'));
    await removed.socket.waitFor(
      () => removed.socket.of('reauthRequired').length > 0,
      5000,
      'reauthRequired after the key was removed',
    );
    expect(removed.socket.of('reauthRequired').map((message) => message.data)).toEqual([{ reason: 'removed' }]);
    expect((await statusOf(server.client(TEST_KEYS.STATUS).server.get())).status).toBe(403);
    // The session handed out before (one without a socket, too) is gone: auth with it is refused as stale.
    removed.socket.sendAuth(idle['name'] as string, idle['session'] as string);
    await removed.socket.next('reauthRequired', 2);
    expect(removed.socket.of('reauthRequired')[1]?.data).toEqual({ reason: 'stale' });
    // A passive login with it is a guest's.
    expect(await passiveLogin(server.url, TEST_KEYS.STATUS)).not.toHaveProperty('session');

    // The admin socket got nothing about re-authentication, and its key still works.
    expect(kept.socket.of('reauthRequired')).toEqual([]);
    expect((await statusOf(server.client(TEST_KEYS.ADMIN).server.get())).status).toBe(204);
  });

  it('changing a key’s permissions ends its sessions as modified; the new permissions apply at once', async () => {
    const changed = await authed(TEST_KEYS.STATUS);
    editKeys((keys) =>
      keys.map((entry) => (entry.name === 'status' ? { ...entry, permissions: ['CONNECTION'] } : entry)),
    );
    await changed.socket.waitFor(() => changed.socket.of('reauthRequired').length > 0, 5000, 'reauthRequired');
    expect(changed.socket.of('reauthRequired')[0]?.data).toEqual({ reason: 'modified' });
    expect((await statusOf(server.client(TEST_KEYS.STATUS).server.get())).status).toBe(403);
  });

  it('a config.yaml that does not validate changes nothing', async () => {
    const socket = await authed(TEST_KEYS.STATUS);
    save('api:\n  keys: [{ name: broken }]\n');
    await sleep(600);
    save('api: [this is: not valid yaml\n');
    await sleep(600);
    expect(socket.socket.of('reauthRequired')).toEqual([]);
    expect((await statusOf(server.client(TEST_KEYS.STATUS).server.get())).status).toBe(204);
  });
});
