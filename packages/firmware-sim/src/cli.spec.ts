import { autoDetect } from '@serialport/bindings-cpp';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('hotend-firmware-sim CLI', () => {
  it('serves on a pty, prints the device path, obeys !!DEBUG lines and stops on SIGTERM', async () => {
    const link = join(tmpdir(), `hotend-cli-${process.pid}`);
    const tsx = require.resolve('tsx');
    const child = spawn(
      process.execPath,
      ['--import', tsx, join(import.meta.dirname, 'cli.ts'), '--pty', '--no-reset', '--link', link, '--extruders', '2'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const path = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.on('exit', () => reject(new Error('CLI exited early')));
    });
    expect(path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(existsSync(link)).toBe(true);

    const port = await autoDetect().open({ path: link, baudRate: 250000 });
    const buf = Buffer.alloc(1024);
    let text = '';
    const readLines = async (n: number): Promise<string[]> => {
      while (text.split('\n').length <= n) {
        const { bytesRead } = await port.read(buf, 0, buf.length);
        text += buf.subarray(0, bytesRead).toString('latin1');
      }
      const lines = text.split('\n');
      text = lines.slice(n).join('\n');
      return lines.slice(0, n);
    };
    await port.write(Buffer.from('M105\n!!DEBUG:send //action:pause\nT1\n'));
    // The debug line acts at intake, before the queued M105 executes.
    expect(await readLines(4)).toEqual([
      '//action:pause',
      'ok T:21.30 /0.00 B:21.30 /0.00 T0:21.30 /0.00 T1:21.30 /0.00 @:0 B@:0 @0:0 @1:0',
      'echo:Active Extruder: 1',
      'ok',
    ]);
    // Faults typed on the CLI's stdin, in order: the marker line on the port says the fault before it is armed.
    child.stdin.write('duplicate_ok\nsend armed\n');
    expect(await readLines(1)).toEqual(['armed']);
    await port.write(Buffer.from('G90\n'));
    expect(await readLines(2)).toEqual(['ok', 'ok']);
    await port.close();

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(link)).toBe(false);
  });
});
