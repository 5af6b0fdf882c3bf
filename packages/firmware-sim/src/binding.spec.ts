import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { describe, expect, it } from 'vitest';
import { createSimBinding } from './binding.js';
import { VirtualClock } from './clock.js';
import { MarlinSim } from './sim.js';

function openPort(sim: MarlinSim) {
  const binding = createSimBinding(sim);
  const port = new SerialPortStream({ binding, path: 'VIRTUAL', baudRate: 115200, autoOpen: false });
  const parser = port.pipe(new ReadlineParser({ delimiter: '\n' }));
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  parser.on('data', (line: string) => {
    lines.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise<void>((r) => waiters.push(r));
  };
  const open = () => new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => port.write(text, (e) => (e ? reject(e) : port.drain(() => resolve()))));
  const close = () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  return { binding, port, lines, waitFor, open, write, close };
}

describe(createSimBinding.name, () => {
  it('works with SerialPortStream and ReadlineParser: banner, M105, M104', async () => {
    const sim = new MarlinSim({ clock: new VirtualClock() });
    const p = openPort(sim);
    await p.open();
    await p.waitFor(() => p.lines.includes('echo:SD card ok'));
    expect(p.lines[0]).toBe('start');
    p.lines.length = 0;
    await p.write('M105\nM104 S200\nM105\n');
    await p.waitFor(() => p.lines.length >= 3);
    expect(p.lines).toEqual([
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
      'ok',
      'ok T:21.30 /200.00 B:21.30 /0.00 @:127 B@:0',
    ]);
    expect(p.binding.lastSim).toBe(sim);
    expect(sim.executed.map((c) => c.command)).toEqual(['M105', 'M104 S200', 'M105']);
    await p.close();
  });

  it('a stalled RX (faults.stallRx) holds the write until the stall ends', async () => {
    const clock = new VirtualClock();
    const sim = new MarlinSim({ clock, resetOnOpen: false });
    const p = openPort(sim);
    await p.open();
    sim.faults.stallRx(10_000);
    let done = false;
    const writing = p.write('M105\n').then(() => (done = true));
    await clock.advanceAsync(9_999);
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(sim.executed).toEqual([]);
    await clock.advanceAsync(1);
    await writing;
    await p.waitFor(() => p.lines.length >= 1);
    expect(p.lines).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    await p.close();
  });

  it('write resolves only when the RX buffer accepted every byte (backpressure)', async () => {
    const clock = new VirtualClock();
    const sim = new MarlinSim({ clock, resetOnOpen: false });
    const p = openPort(sim);
    await p.open();
    await p.write('M109 S60\n');
    let done = false;
    const big = Array.from({ length: 20 }, (_, i) => `G1 X${i}.000 Y1.000\n`).join('');
    const writing = p.write(big).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(sim.rxFree).toBe(0);
    await clock.advanceAsync(5000);
    await writing;
    expect(done).toBe(true);
    await p.waitFor(() => p.lines.filter((l) => l === 'ok').length >= 21);
    expect(sim.executed).toHaveLength(21);
    await p.close();
  });

  it('close() ends a pending read and the stream closes cleanly', async () => {
    const sim = new MarlinSim({ clock: new VirtualClock(), resetOnOpen: false });
    const p = openPort(sim);
    await p.open();
    const errors: Error[] = [];
    p.port.on('error', (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 10));
    await p.close();
    expect(p.port.isOpen).toBe(false);
    expect(errors).toEqual([]);
    expect(sim.isOpen).toBe(false);
  });

  it('toggling DTR resets a board that resets on open', async () => {
    const sim = new MarlinSim({ clock: new VirtualClock() });
    const p = openPort(sim);
    await p.open();
    await p.waitFor(() => p.lines.includes('echo:SD card ok'));
    p.lines.length = 0;
    await new Promise<void>((r) => p.port.set({ dtr: false }, () => r()));
    await new Promise<void>((r) => p.port.set({ dtr: true }, () => r()));
    await p.waitFor(() => p.lines.includes('echo:SD card ok'));
    expect(p.lines[0]).toBe('start');
    await p.close();
  });

  it('the disconnect fault closes the stream with an error', async () => {
    const sim = new MarlinSim({ clock: new VirtualClock(), resetOnOpen: false });
    const p = openPort(sim);
    await p.open();
    const closed = new Promise<Error | null>((resolve) => p.port.on('close', (e: Error | null) => resolve(e)));
    sim.faults.disconnect();
    const error = await closed;
    expect(error?.message).toContain('Simulated disconnect');
  });

  it('a factory gives a fresh simulator per open', async () => {
    const binding = createSimBinding(() => new MarlinSim({ clock: new VirtualClock(), resetOnOpen: false }));
    const a = await binding.open({ path: 'VIRTUAL', baudRate: 115200 });
    const first = binding.lastSim;
    await a.close();
    const b = await binding.open({ path: 'VIRTUAL', baudRate: 250000 });
    expect(binding.lastSim).not.toBe(first);
    expect((await b.getBaudRate()).baudRate).toBe(250000);
    await b.close();
  });
});
