import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { HotendApiError, type HotendClient } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

const DISRUPTION =
  "This action may disrupt any ongoing print jobs (depending on your printer's controller and general setup that " +
  "might also apply to prints run directly from your printer's internal storage).";

/** Commands run in the base directory, so these relative marker files land where the test can see them. */
const ACTIONS = [
  { action: 'hello', name: 'Say hello', command: 'echo hello >> hello.log', confirm: 'Really say hello?' },
  { action: 'divider' },
  { action: 'fail', command: 'echo out; echo err >&2; exit 3' },
  { action: 'ignored', command: 'echo out; exit 4', ignore: true },
  { action: 'later', async: true, command: 'while [ ! -e go ]; do sleep 0.02; done; echo done > later.marker' },
  { action: 'gate', command: 'touch gate.started; while [ ! -e release ]; do sleep 0.02; done' },
  { action: 'args', command: 'printf "%s %s\\n" "$0" "$#" > args.txt; env > env.txt; pwd > pwd.txt' },
];

async function failureOf(promise: Promise<unknown>): Promise<HotendApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HotendApiError);
  return error as HotendApiError;
}

/** A process counts as gone when it no longer exists or is only a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes whose process group is `pgid`. */
function liveMembersOf(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return fields[2] === String(pgid) && fields[0] !== 'Z' ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
}

/** GET with a raw Host header (fetch does not let a caller set it). */
function getWithHost(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { 'x-api-key': TEST_KEYS.SYSTEM, ...headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('system commands API', () => {
  let server: TestServer;
  let client: HotendClient;
  const file = (name: string): string => join(server.basedir, name);

  beforeAll(async () => {
    // A secret in Hotend's own environment, which commands must not see.
    process.env['HOTEND_TEST_SECRET'] = 'do-not-leak-0123456789';
    server = await startTestServer({
      config: {
        server: { commands: { serverRestartCommand: 'echo restarting > restart.marker' } },
        system: { actions: ACTIONS, environment: { PRINTER_NAME: 'bench printer' } },
      },
    });
    client = server.client(TEST_KEYS.SYSTEM);
  });
  afterAll(async () => {
    delete process.env['HOTEND_TEST_SECRET'];
    await server.close();
  });

  it('lists core and custom commands with only the client fields and absolute resource URLs', async () => {
    const base = `${server.url}/api/system/commands`;
    const commands = await client.system.getCommands();
    expect(commands.core).toEqual([
      {
        action: 'restart',
        name: 'Restart Hotend',
        confirm: `You are about to restart the Hotend server.\n\n${DISRUPTION}`,
        source: 'core',
        resource: `${base}/core/restart`,
      },
    ]);
    expect(commands.plugin).toEqual([]);
    expect(commands.custom.slice(0, 3)).toEqual([
      {
        action: 'hello',
        name: 'Say hello',
        confirm: 'Really say hello?',
        source: 'custom',
        resource: `${base}/custom/hello`,
      },
      { action: 'divider', source: 'custom', resource: `${base}/custom/divider` },
      { action: 'fail', name: 'fail', source: 'custom', resource: `${base}/custom/fail` },
    ]);
    expect(commands.custom.map((entry) => entry.action)).toEqual(ACTIONS.map((entry) => entry.action));
    const keys = new Set(commands.custom.flatMap((entry) => Object.keys(entry)));
    expect([...keys].sort()).toEqual(['action', 'confirm', 'name', 'resource', 'source']);
  });

  it('lists one source as a bare array, plugin as empty, and 404s an unknown source', async () => {
    const core = await client.system.getCommandsForSource('core');
    expect(core.map((entry) => entry.action)).toEqual(['restart']);
    expect(await client.system.getCommandsForSource('plugin')).toEqual([]);
    const custom = await client.system.getCommandsForSource('custom');
    expect(custom).toEqual((await client.system.getCommands()).custom);

    const response = await fetch(`${server.url}/api/system/commands/bogus`, {
      headers: { 'x-api-key': TEST_KEYS.SYSTEM },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'Unknown command source "bogus"; expected one of core, custom, plugin',
    });
  });

  it('builds resource URLs from the forwarding headers of a reverse proxy', async () => {
    const url = `${server.url}/api/system/commands/custom`;
    const proxied = await getWithHost(url, {
      host: 'internal:5000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'printer.example.com, proxy.local',
      'x-forwarded-prefix': '/octo/',
    });
    expect(proxied.status).toBe(200);
    expect((JSON.parse(proxied.body) as { resource: string }[])[0]?.resource).toBe(
      'https://printer.example.com/octo/api/system/commands/custom/hello',
    );

    const direct = await getWithHost(url, { host: 'printer.local:8080' });
    expect((JSON.parse(direct.body) as { resource: string }[])[0]?.resource).toBe(
      'http://printer.local:8080/api/system/commands/custom/hello',
    );

    // Malformed forwarding values are ignored rather than written into the URL.
    const malformed = await getWithHost(url, {
      host: 'printer.local',
      'x-forwarded-proto': 'javascript',
      'x-forwarded-host': 'evil.example/path',
      'x-forwarded-prefix': 'no-leading-slash',
    });
    expect((JSON.parse(malformed.body) as { resource: string }[])[0]?.resource).toBe(
      'http://printer.local/api/system/commands/custom/hello',
    );
  });

  it('runs a synchronous command and answers 204 once it exited with 0', async () => {
    await client.system.executeCommand('custom', 'hello');
    await client.system.executeCommand('custom', 'hello');
    expect(readFileSync(file('hello.log'), 'utf8')).toBe('hello\nhello\n');
  });

  it('answers a failed command with 500 naming it, its exit code and its output once', async () => {
    const error = await failureOf(client.system.executeCommand('custom', 'fail'));
    expect(error.status).toBe(500);
    expect(error.body).toEqual({ error: 'Command custom:fail failed with exit code 3\nstdout:\nout\nstderr:\nerr' });
  });

  it('answers 204 for a failing command marked ignore', async () => {
    await expect(client.system.executeCommand('custom', 'ignored')).resolves.toBeUndefined();
  });

  it('answers an asynchronous command before it ends, and refuses a second run while it runs', async () => {
    await client.system.executeCommand('custom', 'later');
    // The command waits for `go`, which only this test creates: the answer cannot have waited for its end.
    expect(existsSync(file('later.marker'))).toBe(false);
    const second = await failureOf(client.system.executeCommand('custom', 'later'));
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ error: 'Command custom:later is still running; try again once it has finished' });

    writeFileSync(file('go'), '');
    await vi.waitFor(() => expect(readFileSync(file('later.marker'), 'utf8')).toBe('done\n'), { timeout: 5000 });
    // Finished, so it may run again (and, `go` being there, end at once).
    await vi.waitFor(() => client.system.executeCommand('custom', 'later'), { timeout: 5000 });
  });

  it('refuses to start a synchronous command twice at the same time (409)', async () => {
    const first = client.system.executeCommand('custom', 'gate');
    await vi.waitFor(() => expect(existsSync(file('gate.started'))).toBe(true), { timeout: 5000 });
    const second = await failureOf(client.system.executeCommand('custom', 'gate'));
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ error: 'Command custom:gate is still running; try again once it has finished' });
    writeFileSync(file('release'), '');
    await expect(first).resolves.toBeUndefined();
    await expect(client.system.executeCommand('custom', 'gate')).resolves.toBeUndefined();
  });

  it('refuses to execute a divider with 400', async () => {
    const error = await failureOf(client.system.executeCommand('custom', 'divider'));
    expect(error.status).toBe(400);
    expect(error.body).toEqual({ error: 'Dividers cannot be executed' });
  });

  it('answers 404 for an unknown action or source, and for unconfigured core commands', async () => {
    const unknown = await failureOf(client.system.executeCommand('custom', 'nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'There is no system command "nope" in source "custom"' });
    expect((await failureOf(client.system.executeCommand('core', 'shutdown'))).status).toBe(404);
    expect((await failureOf(client.system.executeCommand('plugin', 'hello'))).status).toBe(404);
    const response = await fetch(`${server.url}/api/system/commands/bogus/hello`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEYS.SYSTEM },
    });
    expect(response.status).toBe(404);
  });

  it('never lets request data reach a command line', async () => {
    // An action with shell metacharacters names no command: 404, and nothing runs.
    for (const action of ['hello;touch pwned', 'hello && touch pwned', '$(touch pwned)', '`touch pwned`', 'hello|sh']) {
      const error = await failureOf(client.system.executeCommand('custom', action));
      expect(error.status, action).toBe(404);
    }
    const response = await fetch(`${server.url}/api/system/commands/custom/args?extra=INJECTED_QUERY`, {
      method: 'POST',
      headers: {
        'x-api-key': TEST_KEYS.SYSTEM,
        'content-type': 'application/json',
        'x-injected': 'INJECTED_HEADER',
      },
      body: JSON.stringify({ command: 'touch pwned', args: ['INJECTED_BODY'] }),
    });
    expect(response.status).toBe(204);
    // `sh -c <configured line>` with no further arguments, in the base directory, and no request data in its env.
    expect(readFileSync(file('args.txt'), 'utf8')).toBe('/bin/sh 0\n');
    expect(readFileSync(file('pwd.txt'), 'utf8').trim()).toBe(server.basedir);
    expect(readFileSync(file('env.txt'), 'utf8')).not.toMatch(/INJECTED/);
    expect(existsSync(file('pwned'))).toBe(false);
  });

  it("runs commands with a minimal environment, not Hotend's own", async () => {
    await client.system.executeCommand('custom', 'args');
    const environment = Object.fromEntries(
      readFileSync(file('env.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(environment).toMatchObject({
      PATH: process.env['PATH'],
      HOTEND_BASEDIR: server.basedir,
      PRINTER_NAME: 'bench printer',
    });
    expect(Object.keys(environment).sort()).toEqual(
      expect.arrayContaining(['HOME', 'HOTEND_BASEDIR', 'LANG', 'PATH', 'PRINTER_NAME']),
    );
    expect(JSON.stringify(environment)).not.toContain('do-not-leak');
    // The shell adds only its own bookkeeping (PWD, SHLVL, `_`).
    const extra = Object.keys(environment).filter(
      (name) => !['HOME', 'HOTEND_BASEDIR', 'LANG', 'PATH', 'PRINTER_NAME', 'PWD', 'SHLVL', '_'].includes(name),
    );
    expect(extra).toEqual([]);
  });

  it('restarts Hotend with the configured command after answering, logging who asked', async () => {
    const logged = vi.spyOn(Logger.prototype, 'log');
    try {
      await server.client(TEST_KEYS.ADMIN).system.executeCommand('core', 'restart');
      await vi.waitFor(() => expect(readFileSync(file('restart.marker'), 'utf8')).toBe('restarting\n'), {
        timeout: 5000,
      });
      expect(logged.mock.calls.map((call) => call[0])).toContain('Command core:restart requested by API key "admin"');
    } finally {
      logged.mockRestore();
    }
  });

  it.each([
    ['GET', '/api/system/commands'],
    ['GET', '/api/system/commands/custom'],
    ['POST', '/api/system/commands/custom/hello'],
  ] as const)('guards %s %s with SYSTEM', async (method, path) => {
    await expectAuthMatrix(server.url, {
      method,
      path,
      permission: Permission.SYSTEM,
      ...(method === 'POST' ? { body: {} } : {}),
    });
  });

  it('ran the command only for the callers the auth matrix let through', () => {
    // 2 from the execute test, then 2 keys (SYSTEM, ADMIN) x 3 key locations; the 5 refused calls ran nothing.
    expect(readFileSync(file('hello.log'), 'utf8')).toBe('hello\n'.repeat(8));
  });
});

describe('system commands: timeout', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      config: {
        system: {
          commandTimeout: 1,
          actions: [
            {
              action: 'hang',
              command: 'sleep 30 & echo $! > child.pid; echo $$ > shell.pid; wait',
            },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('kills the whole process group after the timeout and says so', async () => {
    const error = await failureOf(server.client(TEST_KEYS.SYSTEM).system.executeCommand('custom', 'hang'));
    expect(error.status).toBe(500);
    expect(error.body).toEqual({
      error: 'Command custom:hang did not finish within 1 s and was killed with its whole process group',
    });
    const shell = Number(readFileSync(join(server.basedir, 'shell.pid'), 'utf8'));
    const child = Number(readFileSync(join(server.basedir, 'child.pid'), 'utf8'));
    expect(shell).toBeGreaterThan(1);
    expect(child).toBeGreaterThan(1);
    await vi.waitFor(
      () => {
        expect(isAlive(shell)).toBe(false);
        expect(isAlive(child)).toBe(false);
        expect(liveMembersOf(shell)).toEqual([]);
      },
      { timeout: 5000 },
    );
    // The slot is free again: the next run times out too rather than answering 409.
    const again = await failureOf(server.client(TEST_KEYS.SYSTEM).system.executeCommand('custom', 'hang'));
    expect(again.status).toBe(500);
  });
});
