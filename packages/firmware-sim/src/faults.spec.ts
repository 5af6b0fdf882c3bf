import { describe, expect, it } from 'vitest';
import { formatLine } from './checksum.js';
import { type MarlinSim } from './sim.js';
import { harness } from '../test/harness.js';

/** Streams numbered lines ping-pong with a resend-aware host (like OctoPrint's) and returns the output. */
function stream(h: ReturnType<typeof harness>, commands: string[]): void {
  let next = 1;
  let guard = 0;
  h.take();
  while (next <= commands.length && guard++ < commands.length * 10) {
    h.sendN(next, commands[next - 1] ?? '');
    const out = h.take();
    const resend = out.find((l) => l.startsWith('Resend:'));
    if (resend) next = Number(resend.slice(7).trim());
    else if (out.includes('ok')) next++;
  }
}

describe('fault injection', () => {
  it('corruptNextLine(n): a checksum error for line n, then the resent line runs once', () => {
    const h = harness();
    h.sendN(49, 'M110 N49');
    h.sim.faults.corruptNextLine(50);
    expect(h.exchange(formatLine(50, 'G1 X11 Y20'))).toEqual([
      'Error:checksum mismatch, Last Line: 49',
      'Resend: 50',
      'ok',
    ]);
    expect(h.exchange(formatLine(50, 'G1 X11 Y20'))).toEqual(['ok']);
    expect(h.sim.executed.filter((c) => c.lineNumber === 50)).toHaveLength(1);
  });

  it('dropNextOk(): the next ok is not sent, the command still runs', () => {
    const h = harness();
    h.sim.faults.dropNextOk();
    expect(h.exchange('G90')).toEqual([]);
    expect(h.sim.executed).toHaveLength(1);
    expect(h.exchange('G90')).toEqual(['ok']);
  });

  it('dropNextOk() also swallows an ok with data (M105)', () => {
    const h = harness();
    h.sim.faults.dropNextOk();
    expect(h.exchange('M105')).toEqual([]);
  });

  it('dropNextLine(): not executed, no ok, last N unchanged; the next line draws a resend', () => {
    const h = harness();
    h.sim.faults.dropNextLine();
    expect(h.exchange(formatLine(1, 'G1 X1'))).toEqual([]);
    expect(h.sim.executed).toHaveLength(0);
    expect(h.sim.lastLineNumber).toBe(0);
    expect(h.exchange(formatLine(2, 'G1 X2'))).toEqual([
      'Error:Line Number is not Last Line Number+1, Last Line: 0',
      'Resend: 1',
      'ok',
    ]);
  });

  it('resendWithoutOk(): only a Resend line', () => {
    const h = harness();
    h.sendN(1, 'G90');
    h.sim.faults.resendWithoutOk();
    expect(h.exchange(formatLine(2, 'G1 X1'))).toEqual(['Resend: 2']);
    expect(h.exchange(formatLine(2, 'G1 X1'))).toEqual(['ok']);
  });

  it('duplicateOk(): two oks for one line', () => {
    const h = harness();
    h.sim.faults.duplicateOk();
    expect(h.exchange('G90')).toEqual(['ok', 'ok']);
  });

  it('garbleNextOutput(): bit 0 flipped in the next line', () => {
    const h = harness();
    h.sim.faults.garbleNextOutput();
    expect(h.exchange('G90')).toEqual(['nj']);
    h.sim.faults.garbleNextOutput(1);
    expect(h.exchange('M105')).toEqual(['nk T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
  });

  it('prepareOk(): the next ok is replaced', () => {
    const h = harness();
    h.sim.faults.prepareOk('kk');
    expect(h.exchange('G90')).toEqual(['kk']);
  });

  it('lineNumberError(): the next numbered line is refused and asked for again', () => {
    const h = harness();
    h.sendN(1, 'G90');
    h.sim.faults.lineNumberError();
    expect(h.exchange(formatLine(2, 'G1 X1'))).toEqual([
      'Error:Line Number is not Last Line Number+1, Last Line: 1',
      'Resend: 2',
      'ok',
    ]);
    h.sim.faults.lineNumberError(51);
    expect(h.exchange(formatLine(2, 'G1 X1'))).toEqual([
      'Error:Line Number is not Last Line Number+1, Last Line: 50',
      'Resend: 51',
      'ok',
    ]);
  });

  it('fatal(): thermal runaway, MAXTEMP, MINTEMP, heating failed, each followed by kill', () => {
    const cases: Array<[Parameters<MarlinSim['faults']['fatal']>, string]> = [
      [['thermal_runaway', 0], 'Error:Thermal Runaway, system stopped! Heater_ID: 0'],
      [['thermal_runaway', 'bed'], 'Error:Thermal Runaway, system stopped! Heater_ID: bed'],
      [['maxtemp', 0], 'Error:MAXTEMP triggered, system stopped! Heater_ID: 0'],
      [['mintemp', 'bed'], 'Error:MINTEMP triggered, system stopped! Heater_ID: bed'],
      [['heating_failed', 'chamber'], 'Error:Heating failed, system stopped! Heater_ID: chamber'],
    ];
    for (const [args, line] of cases) {
      const h = harness({ heatedChamber: true });
      h.sim.faults.fatal(...args);
      expect(h.take()).toEqual([line, 'Error:Printer halted. kill() called!']);
      expect(h.exchange('M105')).toEqual([]);
      expect(h.sim.state).toBe('killed');
    }
  });

  it('pinTemp above MAXTEMP triggers the MAXTEMP error', () => {
    const h = harness();
    h.sim.faults.pinTemp('T0', 300);
    expect(h.take()).toEqual([
      'Error:MAXTEMP triggered, system stopped! Heater_ID: 0',
      'Error:Printer halted. kill() called!',
    ]);
  });

  it('kill(): halted and silent until reset', () => {
    const h = harness();
    h.sim.faults.kill();
    expect(h.take()).toEqual(['Error:Printer halted. kill() called!']);
    expect(h.exchange('M105')).toEqual([]);
    h.sim.faults.reset();
    expect(h.take()[0]).toBe('start');
    expect(h.exchange('M105')).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
  });

  it('silence(ms) drops input and output for a while; silence() for ever', () => {
    const h = harness();
    h.send('M155 S1');
    h.take();
    h.sim.faults.silence(3000);
    expect(h.exchange('M105')).toEqual([]);
    h.clock.advance(2999);
    expect(h.take()).toEqual([]);
    h.clock.advance(1);
    expect(h.take()).toEqual([' T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['M155 S1']);
    h.sim.faults.silence();
    h.clock.advance(60_000);
    expect(h.exchange('M105')).toEqual([]);
  });

  it('stallRx(ms) accepts no input for a while, then drains again and tells the transport', () => {
    const h = harness();
    let spaceNotices = 0;
    h.sim.onRxSpace(() => (spaceNotices += 1));
    h.sim.faults.stallRx(3000);
    expect(h.send('M105')).toBe(0);
    h.clock.advance(2999);
    expect(h.send('M105')).toBe(0);
    expect(spaceNotices).toBe(0);
    h.clock.advance(1);
    expect(spaceNotices).toBe(1);
    expect(h.exchange('M105')).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['M105']);
  });

  it('stallRx() blocks input for ever, until unstallRx(), clear() or a reset', () => {
    const h = harness();
    h.sim.faults.stallRx();
    h.clock.advance(600_000);
    expect(h.send('M105')).toBe(0);
    h.sim.faults.unstallRx();
    expect(h.send('M105')).toBe(5);
    h.sim.debug('stall_rx');
    expect(h.send('M105')).toBe(0);
    h.sim.faults.clear();
    expect(h.send('M105')).toBe(5);
    h.sim.faults.stallRx();
    h.sim.faults.reset();
    expect(h.send('M105')).toBe(5);
  });

  it('busy(ms): busy lines every keepalive interval, commands wait, then go on', () => {
    const h = harness();
    h.sim.faults.busy(5000);
    expect(h.exchange('G90')).toEqual([]);
    h.clock.advance(5000);
    expect(h.take()).toEqual(['echo:busy: processing', 'echo:busy: processing', 'ok']);
  });

  it('stallOk(ms): the ok comes late without busy lines', () => {
    const h = harness();
    h.sim.faults.stallOk(4000);
    expect(h.exchange('G90')).toEqual([]);
    h.clock.advance(3999);
    expect(h.take()).toEqual([]);
    h.clock.advance(1);
    expect(h.take()).toEqual(['ok']);
  });

  it('pinTemp(): a heater that never reaches its target keeps M109 waiting', () => {
    const h = harness();
    h.sim.faults.pinTemp('T0', 150);
    h.send('M109 S200');
    h.clock.advance(60_000);
    expect(h.lines.filter((l) => l === 'ok')).toEqual([]);
    expect(h.lines.at(-1)).toMatch(/^ T:150\.00 \/200\.00|^echo:busy: processing$/);
    h.sim.faults.pinTemp('T0', null);
    h.clock.advance(6000);
    expect(h.lines.at(-1)).toBe('ok');
  });

  it('disconnect() tells the transports', () => {
    const h = harness();
    let called = 0;
    h.sim.onDisconnect(() => called++);
    h.sim.faults.disconnect();
    expect(called).toBe(1);
  });

  it('noise(rate, seed) is deterministic and, with resends, every line still runs exactly once in order', () => {
    const commands = Array.from({ length: 400 }, (_, i) => (i % 2 ? `G92 X${i}` : `M117 line ${i}`));
    const run = (): { errors: number; executed: string[] } => {
      const h = harness({ seed: 7 });
      h.sim.faults.noise(0.1);
      let errors = 0;
      h.sim.onOutput((c) => (errors += c.startsWith('Error:checksum mismatch') ? 1 : 0));
      stream(h, commands);
      return { errors, executed: h.sim.executed.map((c) => `${c.lineNumber} ${c.command}`) };
    };
    const a = run();
    const b = run();
    expect(a.errors).toBeGreaterThan(20);
    expect(a.errors).toBe(b.errors);
    expect(a.executed).toEqual(commands.map((c, i) => `${i + 1} ${c}`));
  });

  it('the same faults as !!DEBUG lines, which get no ok', () => {
    const h = harness();
    expect(h.exchange('!!DEBUG:drop_next_ok')).toEqual([]);
    expect(h.exchange('G90')).toEqual([]);
    expect(h.exchange('!!DEBUG:duplicate_ok')).toEqual([]);
    expect(h.exchange('G90')).toEqual(['ok', 'ok']);
    h.send('!!DEBUG:corrupt_next_line 1');
    expect(h.exchange(formatLine(1, 'G90'))[0]).toBe('Error:checksum mismatch, Last Line: 0');
    expect(h.exchange('!!DEBUG:send //action:pause')).toEqual(['//action:pause']);
    expect(h.exchange('!!DEBUG:action_custom notification hi')).toEqual(['// action:notification hi']);
    expect(h.exchange('!!DEBUG:fatal thermal_runaway bed')).toEqual([
      'Error:Thermal Runaway, system stopped! Heater_ID: bed',
      'Error:Printer halted. kill() called!',
    ]);
    h.sim.reset();
    expect(h.exchange('!!DEBUG:help')[0]).toBe('echo: !!DEBUG:<command> (no ok). Commands:');
    expect(h.exchange('!!DEBUG:busy 2000')).toEqual([]);
    h.clock.advance(2000);
    expect(h.take()).toEqual(['echo:busy: processing']);
    expect(h.exchange('!!DEBUG:nonsense')).toEqual(['echo: Unknown debug command: nonsense']);
    expect(h.sim.executed).toHaveLength(2);
  });
});
