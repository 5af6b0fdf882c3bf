import { describe, expect, it } from 'vitest';
import { formatLine } from './checksum.js';
import { VirtualClock } from './clock.js';
import { MarlinSim } from './sim.js';
import { harness } from '../test/harness.js';

const BANNER = [
  'start',
  'echo: External Reset',
  'Marlin 2.1.2.1',
  'echo: Last Updated: 2024-01-01 | Author: (none, default config)',
  'echo: Compiled: Jan  1 2024',
  'echo: Free Memory: 4937  PlannerBufferBytes: 1408',
  'echo:  G21    ; Units in mm (mm)',
  'echo:  M149 C ; Units in Celsius',
  'echo:; Steps per unit:',
  'echo:  M92 X80.00 Y80.00 Z400.00 E93.00',
  'echo:SD card ok',
];

describe('boot', () => {
  it('sends the banner when the port opens with reset-on-open', () => {
    const h = harness({ resetOnOpen: true });
    expect(h.take()).toEqual(BANNER);
  });

  it('says No SD card in the banner without a card', () => {
    const h = harness({ resetOnOpen: true, sdCard: false });
    expect(h.take().at(-1)).toBe('echo:No SD card');
  });

  it('sends nothing on open for a native-USB board and answers M110', () => {
    const h = harness({ resetOnOpen: false });
    expect(h.take()).toEqual([]);
    expect(h.exchange('N0 M110 N0*125')).toEqual(['ok']);
  });

  it('drops every byte received during the boot window, then greets', () => {
    const h = harness({ resetOnOpen: true, bootMs: 1500 });
    expect(h.sim.state).toBe('booting');
    expect(h.send('N0 M110 N0*125')).toBe(15);
    expect(h.send('N0 M110 N0*125')).toBe(15);
    expect(h.take()).toEqual([]);
    h.clock.advance(1500);
    expect(h.take()).toEqual(BANNER);
    expect(h.exchange('N0 M110 N0*125')).toEqual(['ok']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['M110 N0']);
  });

  it('resets last N to 0 on reset', () => {
    const h = harness();
    h.sendN(1, 'G90');
    expect(h.sim.lastLineNumber).toBe(1);
    h.sim.reset();
    expect(h.take().slice(-11)).toEqual(BANNER);
    expect(h.sim.lastLineNumber).toBe(0);
  });
});

describe('line intake (§1.2)', () => {
  it('acknowledges the double hello', () => {
    const h = harness();
    h.send('N0 M110 N0*125');
    h.send('N0 M110 N0*125');
    expect(h.take()).toEqual(['ok', 'ok']);
  });

  it('reports a line-number error with resend and ok', () => {
    const h = harness();
    h.sendN(1, 'G90');
    expect(h.exchange(formatLine(3, 'G90'))).toEqual([
      'Error:Line Number is not Last Line Number+1, Last Line: 1',
      'Resend: 2',
      'ok',
    ]);
  });

  it('treats a duplicate line (N == last N) as a line-number error', () => {
    const h = harness();
    h.sendN(1, 'G1 X1');
    h.take();
    h.sendN(1, 'G1 X1');
    expect(h.take()).toEqual(['Error:Line Number is not Last Line Number+1, Last Line: 1', 'Resend: 2', 'ok']);
    expect(h.sim.executed).toHaveLength(1);
  });

  it('reports a checksum mismatch', () => {
    const h = harness();
    expect(h.exchange('N1 G1 X10*0')).toEqual(['Error:checksum mismatch, Last Line: 0', 'Resend: 1', 'ok']);
    expect(h.sim.executed).toHaveLength(0);
  });

  it('reports a numbered line without checksum', () => {
    const h = harness();
    expect(h.exchange('N1 G1 X10')).toEqual(['Error:No Checksum with line number, Last Line: 0', 'Resend: 1', 'ok']);
  });

  it('flushes the RX buffer on an error, so lines sent ahead are lost', () => {
    const h = harness();
    h.sim.receive(`N1 G1 X1*0\n${formatLine(2, 'G1 X2')}\n`);
    expect(h.take()).toEqual(['Error:checksum mismatch, Last Line: 0', 'Resend: 1', 'ok']);
    expect(h.sim.executed).toHaveLength(0);
  });

  it('skips the +1 check for M110 lines and takes the N after M110', () => {
    const h = harness();
    h.sendN(1, 'G90');
    h.take();
    expect(h.exchange(formatLine(7, 'M110 N41'))).toEqual(['ok']);
    expect(h.sim.lastLineNumber).toBe(41);
    expect(h.exchange(formatLine(42, 'G90'))).toEqual(['ok']);
  });

  it('sets last N from a bare M110 N<x>', () => {
    const h = harness();
    h.send('M110 N99');
    expect(h.sim.lastLineNumber).toBe(99);
  });

  it('never checks unnumbered lines, even with a bad checksum', () => {
    const h = harness();
    expect(h.exchange('G90*1')).toEqual(['ok']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['G90']);
  });

  it('strips comments and skips empty lines', () => {
    const h = harness();
    h.sim.receive('G1 X5 ; move\n\n\r\n; only a comment\n   \nM105 ;\\; escaped\n');
    expect(h.take()).toEqual(['ok', 'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['G1 X5', 'M105']);
  });

  it('truncates a line at MAX_CMD_SIZE (95 characters kept), so a long checksummed line is rejected', () => {
    const h = harness();
    // '*' beyond the limit: the checksum is cut off entirely.
    const long = formatLine(1, `M117 ${'x'.repeat(110)}`);
    expect(h.exchange(long)).toEqual(['Error:No Checksum with line number, Last Line: 0', 'Resend: 1', 'ok']);
    // '*' at index 93: only the first checksum digit survives.
    const cut = formatLine(1, `M117 ${'x'.repeat(85)}`);
    expect(cut.indexOf('*')).toBe(93);
    expect(cut.length).toBeGreaterThan(95);
    expect(h.exchange(cut)).toEqual(['Error:checksum mismatch, Last Line: 0', 'Resend: 1', 'ok']);
    // Exactly 95 characters still fit.
    const fits = formatLine(1, `M117 ${'x'.repeat(84)}`);
    expect(fits.length).toBeLessThanOrEqual(95);
    expect(h.exchange(fits)).toEqual(['ok']);
  });

  it('accepts CR as end of line', () => {
    const h = harness();
    h.sim.receive('M105\r');
    expect(h.take()).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
  });

  it('parses a numbered line and logs it in the oracle', () => {
    const h = harness();
    h.sendN(1, 'G1 X10');
    expect(h.sim.executed).toEqual([{ lineNumber: 1, command: 'G1 X10', time: 0, source: 'serial' }]);
  });
});

describe('commands (marlin dialect)', () => {
  it('M105 with one hotend and a bed', () => {
    expect(harness().exchange('M105')).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
  });

  it('M105 with two hotends', () => {
    expect(harness({ extruders: 2 }).exchange('M105')).toEqual([
      'ok T:21.30 /0.00 B:21.30 /0.00 T0:21.30 /0.00 T1:21.30 /0.00 @:0 B@:0 @0:0 @1:0',
    ]);
  });

  it('M105 with a chamber and without a bed', () => {
    expect(harness({ heatedChamber: true }).exchange('M105')).toEqual([
      'ok T:21.30 /0.00 B:21.30 /0.00 C:21.30 /0.00 @:0 B@:0 C@:0',
    ]);
    expect(harness({ heatedBed: false }).exchange('M105')).toEqual(['ok T:21.30 /0.00 @:0']);
  });

  it('M104 sets the target and M105 shows it', () => {
    const h = harness();
    expect(h.exchange('M104 S200')).toEqual(['ok']);
    expect(h.exchange('M140 S60')).toEqual(['ok']);
    expect(h.exchange('M105')).toEqual(['ok T:21.30 /200.00 B:21.30 /60.00 @:127 B@:127']);
    h.clock.advance(1000);
    expect(h.exchange('M105')).toEqual(['ok T:31.30 /200.00 B:31.30 /60.00 @:127 B@:127']);
  });

  it('M104 clamps to MAXTEMP - 15 and rejects an invalid tool', () => {
    const h = harness();
    h.send('M104 S400');
    expect(h.sim.temperatures.tools[0]?.target).toBe(260);
    expect(h.exchange('M104 T3 S200')).toEqual(['echo:M104 Invalid extruder 3', 'ok']);
  });

  it('M155 S2 auto-reports every 2 s with a leading space and no ok', () => {
    const h = harness();
    expect(h.exchange('M155 S2')).toEqual(['ok']);
    h.clock.advance(1999);
    expect(h.take()).toEqual([]);
    h.clock.advance(1);
    expect(h.take()).toEqual([' T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    h.clock.advance(2000);
    expect(h.take()).toEqual([' T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    h.send('M155 S0');
    h.take();
    h.clock.advance(10_000);
    expect(h.take()).toEqual([]);
  });

  it('M109 S210 from ambient takes about 19 s, reports every second and sends busy every 2 s', () => {
    const h = harness();
    const out = h.exchange('M109 S210');
    expect(out).toEqual([' T:21.30 /210.00 B:21.30 /0.00 @:127 B@:0']);
    h.clock.advance(2000);
    expect(h.take()).toEqual([
      ' T:31.30 /210.00 B:21.30 /0.00 @:127 B@:0',
      'echo:busy: processing',
      ' T:41.30 /210.00 B:21.30 /0.00 @:127 B@:0',
    ]);
    const elapsed = h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(2000 + elapsed).toBe(18_770);
    expect(h.lines.at(-2)).toBe(' T:201.30 /210.00 B:21.30 /0.00 @:127 B@:0');
    expect(h.sim.temperatures.tools[0]?.actual).toBeCloseTo(209, 5);
  });

  it('M109 with residency prints W:? then the countdown', () => {
    const h = harness({ tempResidencyTime: 3, ambient: 30 });
    h.send('M109 S40');
    expect(h.take()).toEqual([' T:30.00 /40.00 B:21.30 /0.00 @:127 B@:0 W:?'.replace('B:21.30', 'B:30.00')]);
    h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(h.take()).toEqual([
      ' T:39.10 /40.00 B:30.00 /0.00 @:32 B@:0 W:2',
      'echo:busy: processing',
      ' T:39.67 /40.00 B:30.00 /0.00 @:32 B@:0 W:1',
      ' T:39.88 /40.00 B:30.00 /0.00 @:32 B@:0 W:0',
      'ok',
    ]);
  });

  it('M109 S does not wait to cool down, R does', () => {
    const h = harness();
    h.send('M104 S100');
    h.clock.advance(10_000);
    h.take();
    expect(h.exchange('M109 S50')).toEqual(['ok']);
    h.send('M104 S100');
    h.clock.advance(10_000);
    h.take();
    const first = h.exchange('M109 R80');
    expect(first).toEqual([' T:100.00 /80.00 B:21.30 /0.00 @:0 B@:0'.replace('@:0 B', '@:32 B')]);
    h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(h.sim.temperatures.tools[0]?.actual).toBeLessThanOrEqual(81);
  });

  it('M190 S60 takes about 4 s', () => {
    const h = harness();
    expect(h.exchange('M190 S60')).toEqual([' T:21.30 /0.00 B:21.30 /60.00 @:0 B@:127']);
    const elapsed = h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(elapsed).toBe(3770);
  });

  it('M141/M191 drive the chamber; without one they are unknown', () => {
    const h = harness({ heatedChamber: true });
    expect(h.exchange('M141 S40')).toEqual(['ok']);
    expect(h.sim.temperatures.chamber?.target).toBe(40);
    expect(harness().exchange('M141 S40')).toEqual(['echo:Unknown command: "M141 S40"', 'ok']);
  });

  it('M114 reports the position, then ok', () => {
    const h = harness();
    h.send('G1 X10 Y20.5 Z0.3 E1 F6000');
    h.clock.advance(5000);
    expect(h.exchange('M114')).toEqual(['X:10.00 Y:20.50 Z:0.30 E:1.00 Count X:800 Y:1640 Z:120', 'ok']);
  });

  it('G91 relative moves, G92 sets the position, M83 relative E', () => {
    const h = harness();
    h.send('G91');
    h.send('G1 X5');
    h.send('G1 X5');
    h.send('G90');
    h.send('G92 E0');
    h.send('M83');
    h.send('G1 E2');
    h.send('G1 E2');
    expect(h.sim.position).toEqual({ x: 10, y: 0, z: 0, e: 4 });
  });

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

  it('T<n> selects a tool or reports an invalid one', () => {
    const h = harness({ extruders: 2 });
    expect(h.exchange('T1')).toEqual(['echo:Active Extruder: 1', 'ok']);
    expect(h.sim.activeExtruder).toBe(1);
    expect(h.exchange('T3')).toEqual(['echo:T3 Invalid extruder', 'ok']);
    expect(h.exchange('M105')).toEqual([
      'ok T:21.30 /0.00 B:21.30 /0.00 T0:21.30 /0.00 T1:21.30 /0.00 @:0 B@:0 @0:0 @1:0',
    ]);
  });

  it('answers unknown commands with the rest of the line, N and checksum removed', () => {
    const h = harness();
    expect(h.exchange('G12345')).toEqual(['echo:Unknown command: "G12345"', 'ok']);
    expect(h.exchange(formatLine(1, 'M9999 S1'))).toEqual(['echo:Unknown command: "M9999 S1"', 'ok']);
    expect(h.exchange('F3000')).toEqual(['echo:Unknown command: "F3000"', 'ok']);
  });

  it('G28 homes, reports the position and acknowledges', () => {
    const h = harness();
    h.send('G1 X50 F6000');
    h.clock.advance(2000);
    h.take();
    expect(h.exchange('G28')).toEqual([]);
    h.clock.advance(999);
    expect(h.take()).toEqual([]);
    h.clock.advance(1);
    expect(h.take()).toEqual(['X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0', 'ok']);
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

  it('M400 waits for the planner to empty', () => {
    const h = harness();
    h.send('G1 X100 F600');
    h.take();
    expect(h.exchange('M400')).toEqual([]);
    h.clock.advance(9999);
    expect(h.take()).toEqual([
      'echo:busy: processing',
      'echo:busy: processing',
      'echo:busy: processing',
      'echo:busy: processing',
    ]);
    h.clock.advance(1);
    expect(h.take()).toEqual(['ok']);
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

  it('M220/M221 set and report feed rate and flow', () => {
    const h = harness();
    expect(h.exchange('M220')).toEqual(['echo:FR:100%', 'ok']);
    expect(h.exchange('M220 S150')).toEqual(['ok']);
    expect(h.exchange('M220')).toEqual(['echo:FR:150%', 'ok']);
    expect(h.exchange('M221 S95')).toEqual(['ok']);
    expect(h.exchange('M221')).toEqual(['echo:E0 Flow: 95%', 'ok']);
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

describe('buffers', () => {
  it('holds the ok back while the planner is full', () => {
    const h = harness();
    // 10 mm at 600 mm/min = 1 s per move; 15 usable planner blocks.
    const oks = (): number => h.lines.filter((l) => l === 'ok').length;
    for (let i = 1; i <= 15; i++) h.sendN(i, `G1 X${i * 10} F600`);
    expect(oks()).toBe(15);
    expect(h.sim.plannerMoves).toBe(15);
    h.sendN(16, 'G1 X160 F600');
    expect(oks()).toBe(15);
    h.clock.advance(999);
    expect(oks()).toBe(15);
    h.clock.advance(1);
    expect(oks()).toBe(16);
    h.sendN(17, 'G1 X170 F600');
    expect(oks()).toBe(16);
    h.clock.advance(1000);
    expect(oks()).toBe(17);
    expect(h.sim.executed.map((c) => c.lineNumber)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
  });

  it('applies backpressure in bytes while a command blocks (RX 127 bytes)', () => {
    const h = harness();
    h.send('M109 S200');
    // The command ring (4) takes 4 lines first, then the RX buffer holds 127 bytes.
    const line = 'G1 X1.000 Y1.000\n'; // 17 bytes
    let accepted = 0;
    for (let i = 0; i < 20; i++) accepted += h.sim.receive(line);
    expect(accepted).toBe(127);
    expect(h.sim.rxFree).toBe(0);
    expect(h.sim.receive(line)).toBe(0);
  });

  it('drains the RX buffer only when the ring has room', () => {
    const h = harness({ rxBufferSize: 20, bufsize: 1 });
    h.send('G4 S1');
    expect(h.sim.receive('M105\nM105\nM105\nM105\nM105\nM105\n')).toBe(20);
    expect(h.take()).toEqual([]);
    h.clock.advance(1000);
    expect(h.take()).toEqual([
      'ok',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
    ]);
  });

  it('times arcs from their length and splits them into planner blocks', () => {
    const h = harness();
    h.send('G1 X10 Y0 F6000');
    h.clock.advance(1000);
    // Half circle of radius 10: 31.4 mm in 32 segments (chords) at 10 mm/s; the ok comes when the 32nd segment
    // gets a planner block, i.e. after 17 segments have run.
    expect(h.exchange('G2 X-10 Y0 I-10 J0 F600')).toEqual([]);
    expect(h.sim.plannerMoves).toBe(15);
    const oks = h.lines.length;
    const elapsed = h.clock.runUntil(() => h.lines.length > oks, 10_000, 1);
    expect(h.lines.at(-1)).toBe('ok');
    expect(h.sim.position.x).toBeCloseTo(-10, 6);
    expect(h.sim.position.y).toBeCloseTo(0, 6);
    expect(elapsed).toBeCloseTo(((17 * 2 * 10 * Math.sin(Math.PI / 64)) / 10) * 1000, 6); // chords
    h.clock.advance(2000);
    expect(h.sim.plannerMoves).toBe(0);
  });
});

describe('clock robustness', () => {
  it('keeps going when a timer fires before its time (as real timers can)', () => {
    // A virtual clock whose timers fire 0.5 ms early.
    const inner = new VirtualClock();
    const early = {
      now: () => inner.now(),
      setTimeout: (fn: () => void, ms: number) => inner.setTimeout(fn, ms >= 1 ? ms - 0.5 : ms),
      clearTimeout: (handle: unknown) => inner.clearTimeout(handle),
    };
    const sim = new MarlinSim({ clock: early, resetOnOpen: false });
    const out: string[] = [];
    sim.onOutput((c) => out.push(c));
    sim.open();
    sim.receive('G4 P10\n');
    inner.advance(20);
    expect(out).toEqual(['ok\n']);
  });
});
