import { autoDetect } from '@serialport/bindings-cpp';
import { closeSync, constants, openSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPtySimulator, type PtySimulator } from './pty.js';

let server: PtySimulator | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function readUntil(read: () => Promise<string>, predicate: (text: string) => boolean): Promise<string> {
  let text = '';
  const deadline = Date.now() + 5000;
  while (!predicate(text)) {
    if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(text)}`);
    text += await read();
  }
  return text;
}

describe(startPtySimulator.name, () => {
  it('serves the simulator on a pty that @serialport/bindings-cpp can open (M105)', async () => {
    const link = join(tmpdir(), `hotend-sim-${process.pid}`);
    server = await startPtySimulator({ resetOnOpen: false, link });
    expect(server.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(readlinkSync(link)).toBe(server.path);
    const Binding = autoDetect();
    const port = await Binding.open({ path: link, baudRate: 115200 });
    try {
      await port.write(Buffer.from('M105\n'));
      const buf = Buffer.alloc(256);
      const text = await readUntil(
        async () => {
          const { bytesRead } = await port.read(buf, 0, buf.length);
          return buf.subarray(0, bytesRead).toString('latin1');
        },
        (t) => t.endsWith('\n'),
      );
      expect(text).toBe('ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0\n');
      expect(server.sim.executed.map((c) => c.command)).toEqual(['M105']);
    } finally {
      await port.close();
    }
  });

  it('passes bytes unchanged to a plain file descriptor (raw mode: no echo, no CR/LF translation)', async () => {
    server = await startPtySimulator({ resetOnOpen: false });
    const fd = openSync(server.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      writeSync(fd, 'N0 M110 N0*125\nM114\n');
      const buf = Buffer.alloc(256);
      const text = await readUntil(
        async () => {
          await new Promise((r) => setTimeout(r, 10));
          try {
            const n = readSync(fd, buf, 0, buf.length, null);
            return buf.subarray(0, n).toString('latin1');
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return '';
            throw error;
          }
        },
        (t) => t.split('\n').length >= 4,
      );
      expect(text).toBe('ok\nX:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0\nok\n');
    } finally {
      closeSync(fd);
    }
  });

  it('sends the banner at start when the board resets on open', async () => {
    server = await startPtySimulator({});
    const fd = openSync(server.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(1024);
      const text = await readUntil(
        async () => {
          await new Promise((r) => setTimeout(r, 10));
          try {
            return buf.subarray(0, readSync(fd, buf, 0, buf.length, null)).toString('latin1');
          } catch {
            return '';
          }
        },
        (t) => t.includes('echo:SD card ok\n'),
      );
      expect(text.startsWith('start\necho: External Reset\nMarlin 2.1.2.1\n')).toBe(true);
    } finally {
      closeSync(fd);
    }
  });
});
