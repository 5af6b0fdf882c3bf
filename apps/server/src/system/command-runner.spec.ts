import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CommandRunner, OutputTail } from './command-runner.js';

describe('OutputTail', () => {
  it('keeps only the last bytes and counts the dropped ones', () => {
    const tail = new OutputTail(5);
    tail.push(Buffer.from('abc'));
    tail.push(Buffer.from('defg'));
    tail.push(Buffer.from('h'));
    expect(tail.result()).toEqual({ text: 'defgh', droppedBytes: 3 });
  });

  it('keeps everything under the limit', () => {
    const tail = new OutputTail(100);
    tail.push(Buffer.from('one\n'));
    tail.push(Buffer.from('two\n'));
    expect(tail.result()).toEqual({ text: 'one\ntwo\n', droppedBytes: 0 });
  });
});

describe('CommandRunner (real processes)', () => {
  const runner = new CommandRunner();
  const cwd = mkdtempSync(join(tmpdir(), 'hotend-runner-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const run = (commandLine: string, extra: { timeoutMs?: number; outputLimitBytes?: number } = {}) =>
    runner.run({
      commandLine,
      cwd,
      environment: { PATH: '/usr/bin:/bin' },
      outputLimitBytes: extra.outputLimitBytes ?? 1024,
      ...extra,
    }).outcome;

  it('captures stdout, stderr and the exit code', async () => {
    expect(await run('echo out; echo err >&2; exit 3')).toEqual({
      exitCode: 3,
      signal: null,
      timedOut: false,
      stdout: { text: 'out\n', droppedBytes: 0 },
      stderr: { text: 'err\n', droppedBytes: 0 },
    });
  });

  it('runs in the given working directory', async () => {
    expect((await run('pwd')).stdout.text).toBe(`${cwd}\n`);
  });

  it('caps the captured output, keeping its end', async () => {
    const outcome = await run("head -c 200000 /dev/zero | tr '\\0' a; printf END", { outputLimitBytes: 1000 });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout.text).toBe(`${'a'.repeat(997)}END`);
    expect(outcome.stdout.droppedBytes).toBe(200003 - 1000);
  });

  it('reports a signal that ended the shell', async () => {
    const outcome = await run('kill -TERM $$');
    expect(outcome.exitCode).toBeNull();
    expect(outcome.signal).toBe('SIGTERM');
    expect(outcome.timedOut).toBe(false);
  });

  it('kills the whole process group when the timeout elapses', async () => {
    const running = runner.run({
      commandLine: 'sleep 30 & echo $!; wait',
      cwd,
      environment: { PATH: '/usr/bin:/bin' },
      timeoutMs: 200,
      outputLimitBytes: 1024,
    });
    const outcome = await running.outcome;
    expect(outcome.timedOut).toBe(true);
    expect(outcome.signal).toBe('SIGKILL');
    const child = Number(outcome.stdout.text.trim());
    expect(child).toBeGreaterThan(1);
    await vi.waitFor(() => expect(() => process.kill(-(running.pid ?? 0), 0)).toThrow(/ESRCH/), { timeout: 5000 });
  });

  it('answers once the shell exits even if a background child keeps the output open', async () => {
    const running = runner.run({
      commandLine: 'sleep 30 & echo started',
      cwd,
      environment: { PATH: '/usr/bin:/bin' },
      outputLimitBytes: 1024,
    });
    const outcome = await running.outcome;
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false, stdout: { text: 'started\n' } });
    running.kill();
  });

  it('reports a command that cannot be started', async () => {
    const outcome = await runner.run({
      commandLine: 'true',
      cwd: join(cwd, 'missing'),
      environment: {},
      outputLimitBytes: 10,
    }).outcome;
    expect(outcome.exitCode).toBeNull();
    expect(outcome.startError).toMatch(/ENOENT/);
  });
});
