import { describe, expect, it } from 'vitest';
import { formatLine } from './checksum.js';
import { harness } from '../test/harness.js';

describe('system, keepalive and info commands (marlin dialect)', () => {
  it('M115 sends the firmware line, the Cap lines and ok', () => {
    const out = harness().exchange('M115');
    expect(out[0]).toBe(
      'FIRMWARE_NAME:Marlin 2.1.2.1 (Jan  1 2024 12:00:00) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:3D Printer EXTRUDER_COUNT:1 UUID:cede2a2f-41a2-4748-9b12-c55c62f367ff',
    );
    expect(out.slice(1, 4)).toEqual(['Cap:SERIAL_XON_XOFF:0', 'Cap:BINARY_FILE_TRANSFER:0', 'Cap:EEPROM:1']);
    expect(out).toContain('Cap:AUTOREPORT_TEMP:1');
    expect(out).toContain('Cap:AUTOREPORT_SD_STATUS:1');
    expect(out).toContain('Cap:EXTENDED_M20:1');
    expect(out).toHaveLength(1 + 35 + 1);
    expect(out.at(-1)).toBe('ok');
  });

  it('M115 capabilities are configurable, and can be left out', () => {
    const out = harness({ capabilities: { AUTOREPORT_TEMP: false, BUSY_PROTOCOL: true }, extruders: 2 }).exchange(
      'M115',
    );
    expect(out[0]).toContain('EXTRUDER_COUNT:2');
    expect(out).toContain('Cap:AUTOREPORT_TEMP:0');
    expect(out.at(-2)).toBe('Cap:BUSY_PROTOCOL:1');
    expect(harness({ extendedCapabilities: false }).exchange('M115')).toHaveLength(2);
  });

  it('answers unknown commands with the rest of the line, N and checksum removed', () => {
    const h = harness();
    expect(h.exchange('G12345')).toEqual(['echo:Unknown command: "G12345"', 'ok']);
    expect(h.exchange(formatLine(1, 'M9999 S1'))).toEqual(['echo:Unknown command: "M9999 S1"', 'ok']);
    expect(h.exchange('F3000')).toEqual(['echo:Unknown command: "F3000"', 'ok']);
  });

  it('G4 dwells with busy keep-alive; M113 changes the interval', () => {
    const h = harness();
    expect(h.exchange('G4 S5')).toEqual([]);
    h.clock.advance(5000);
    expect(h.take()).toEqual(['echo:busy: processing', 'echo:busy: processing', 'ok']);
    expect(h.exchange('M113 S1')).toEqual(['ok']);
    expect(h.exchange('M113')).toEqual(['echo:M113 S1', 'ok']);
    h.send('G4 P2500');
    h.clock.advance(2500);
    expect(h.take()).toEqual(['echo:busy: processing', 'echo:busy: processing', 'ok']);
  });

  it('M112 kills: shutdown message, halted, then silence until reset', () => {
    const h = harness();
    expect(h.exchange('M112')).toEqual(['echo:M112 Shutdown', 'Error:Printer halted. kill() called!']);
    expect(h.sim.state).toBe('killed');
    expect(h.exchange('M105')).toEqual([]);
    expect(h.exchange('M999')).toEqual([]);
    h.sim.reset();
    expect(h.take()[0]).toBe('start');
    expect(h.exchange('M105')).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
  });

  it('the stopped state answers motion commands until M999', () => {
    const h = harness();
    h.sendN(1, 'G90');
    h.sim.faults.stop();
    expect(h.take().slice(-1)).toEqual([
      'Error:Printer stopped due to errors. Fix the error and use M999 to restart. (Temperature is reset. Set it after restarting)',
    ]);
    expect(h.exchange('G1 X10')).toEqual([
      'Printer stopped due to errors. Fix the error and use M999 to restart. (Temperature is reset. Set it after restarting)',
      'ok',
    ]);
    expect(h.sim.position.x).toBe(0);
    expect(h.exchange('M999')).toEqual(['Resend: 2', 'ok', 'ok']);
    expect(h.sim.state).toBe('running');
    expect(h.exchange('G1 X10')).toEqual(['ok']);
  });

  it('M117 is silent, M118 echoes with A1 and E1 prefixes', () => {
    const h = harness();
    expect(h.exchange('M117 Hello')).toEqual(['ok']);
    expect(h.exchange('M118 Hello world')).toEqual(['Hello world', 'ok']);
    expect(h.exchange('M118 A1 action:pause')).toEqual(['//action:pause', 'ok']);
    expect(h.exchange('M118 E1 Hi')).toEqual(['echo:Hi', 'ok']);
  });

  it('ADVANCED_OK adds N, free planner blocks and free ring slots', () => {
    const h = harness({ advancedOk: true });
    expect(h.exchange(formatLine(1, 'G90'))).toEqual(['ok N1 P15 B3']);
    expect(h.exchange(formatLine(2, 'G1 X10'))).toEqual(['ok N2 P14 B3']);
    expect(h.exchange('G1 X20')).toEqual(['ok P13 B3']);
    expect(h.exchange('M105')).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    expect(h.exchange(formatLine(9, 'G90'))).toEqual([
      'Error:Line Number is not Last Line Number+1, Last Line: 2',
      'Resend: 3',
      'ok',
    ]);
  });

  it('okBeforeCommandOutput sends ok first and M105/M114 output without ok prefix', () => {
    const h = harness({ okBeforeCommandOutput: true });
    expect(h.exchange('M105')).toEqual(['ok', 'T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    expect(h.exchange('M114')).toEqual(['ok', 'X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0']);
    expect(h.exchange('T3')).toEqual(['ok', 'echo:T3 Invalid extruder']);
  });

  it('sends wait when idle with NO_TIMEOUTS', () => {
    const h = harness({ idleWaitMs: 1000 });
    h.clock.advance(1000);
    expect(h.take()).toEqual(['wait']);
    h.clock.advance(500);
    h.send('M105');
    h.take();
    h.clock.advance(999);
    expect(h.take()).toEqual([]);
    h.clock.advance(1);
    expect(h.take()).toEqual(['wait']);
  });

  it('EMERGENCY_PARSER: M108 ends a heat-up wait at once, M112 kills while blocked', () => {
    const h = harness({ emergencyParser: true });
    h.send('M109 S200');
    h.clock.advance(3000);
    h.take();
    h.send('M108');
    expect(h.take()).toEqual(['ok', 'ok']);
    h.send('M109 S200');
    h.clock.advance(1000);
    h.take();
    h.send('M112');
    expect(h.take()).toEqual(['echo:M112 Shutdown', 'Error:Printer halted. kill() called!']);
  });

  it('without EMERGENCY_PARSER M108 waits in the RX buffer behind a blocking M109', () => {
    const h = harness();
    h.send('M109 S200');
    h.send('M108');
    h.clock.advance(3000);
    expect(h.take().filter((l) => l === 'ok')).toEqual([]);
  });
});
