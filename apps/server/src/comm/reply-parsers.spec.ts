import { describe, expect, it } from 'vitest';
import { checksum, numberedLine, stripComment } from './gcode-line.js';
import {
  canonicalHeaters,
  classifyError,
  parseActionCommand,
  parseCapability,
  parseFileListLine,
  parseResendRequest,
  parseSdPrintingByte,
  parseTemperatureLine,
} from './reply-parsers.js';

describe('line format', () => {
  it('numbers and checksums lines like the worked values of the spec', () => {
    expect(numberedLine(0, 'M110 N0')).toBe('N0 M110 N0*125');
    expect(numberedLine(1, 'M115')).toBe('N1 M115*39');
    expect(numberedLine(5, 'G1 X10')).toBe('N5 G1 X10*84');
    expect(numberedLine(12, 'G1 X10')).toBe('N12 G1 X10*98');
    expect(checksum('N2 M21')).toBe(18);
  });

  it('strips comments but keeps escaped semicolons', () => {
    expect(stripComment('G1 X10 ; move')).toBe('G1 X10');
    expect(stripComment('M117 a\\;b ; c')).toBe('M117 a\\;b');
    expect(stripComment('; only a comment')).toBe('');
  });
});

describe('temperature parsing', () => {
  const heaters = (line: string, tool = 0, chamber = false): Record<string, unknown> =>
    Object.fromEntries(canonicalHeaters(parseTemperatureLine(line), tool, chamber));

  it('reads Marlin, VP and target-less formats', () => {
    expect(heaters('ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0')).toEqual({
      tool0: { actual: 21.3, target: 0 },
      bed: { actual: 21.3, target: 0 },
    });
    expect(heaters('T:21.30/ 0.00 B:21.30/ 0.00 @:64')).toEqual({
      tool0: { actual: 21.3, target: 0 },
      bed: { actual: 21.3, target: 0 },
    });
    expect(heaters('T:21.3')).toEqual({ tool0: { actual: 21.3, target: undefined } });
    expect(heaters(' T:150.23 /200.00 B:21.30 /0.00 @:127 B@:0 W:?')).toMatchObject({ tool0: { target: 200 } });
  });

  it('canonicalises T, T0.. and Smoothie style reports', () => {
    expect(heaters('T:20 /0 T0:20 /0 T1:30 /0', 1)).toEqual({
      tool0: { actual: 20, target: 0 },
      tool1: { actual: 30, target: 0 },
    });
    expect(heaters('T:25 /0 T1:30 /0')).toEqual({ tool0: { actual: 25, target: 0 }, tool1: { actual: 30, target: 0 } });
    expect(heaters('T:25 /0', 1)).toEqual({ tool1: { actual: 25, target: 0 } });
    expect(heaters('T:25 /0 C:30 /40', 0, true)).toMatchObject({ chamber: { actual: 30, target: 40 } });
    expect(heaters('T:25 /0 C:30 /40', 0, false)).not.toHaveProperty('chamber');
  });
});

describe('other replies', () => {
  it('parses SD file list lines', () => {
    expect(parseFileListLine('CUBE.GCO 1234')).toEqual({
      name: '/CUBE.GCO',
      size: 1234,
      longName: undefined,
      date: undefined,
    });
    expect(parseFileListLine('PARTS/LONGFI~1.GCO 99 0x5A2B6C3D "long file name.gcode"')).toMatchObject({
      name: '/PARTS/LONGFI~1.GCO',
      size: 99,
      longName: 'long file name.gcode',
    });
    // 2000-01-01 (a firmware default date) is dropped.
    expect(parseFileListLine('A.GCO 1 0x28210000')?.date).toBeUndefined();
    expect(parseFileListLine('caf\u00e9.gco 12')).toBeUndefined();
  });

  it('parses SD progress, actions, capabilities and resend requests', () => {
    expect(parseSdPrintingByte('SD printing byte 123/4567')).toEqual({ done: 123, total: 4567 });
    expect(parseActionCommand('// action:prompt_begin Filament runout')).toEqual({
      action: 'prompt_begin',
      parameters: 'Filament runout',
    });
    expect(parseCapability('Cap:AUTOREPORT_TEMP:1')).toEqual({ name: 'AUTOREPORT_TEMP', enabled: true });
    expect(parseResendRequest('Resend: 5')).toBe(5);
    expect(parseResendRequest('Resend:5')).toBe(5);
    expect(parseResendRequest('rs N7')).toBe(7);
  });

  it('classifies firmware errors like OctoPrint', () => {
    expect(classifyError('No Line Number with checksum, Last Line: 3')).toBe('missing-line-number');
    expect(classifyError('checksum mismatch, Last Line: 49')).toBe('resend');
    expect(classifyError('Line Number is not Last Line Number+1, Last Line: 50')).toBe('resend');
    expect(classifyError('volume.init failed')).toBe('sd');
    expect(classifyError('Unknown command: "G12345"')).toBe('unknown-command');
    expect(classifyError('Printer halted. kill() called!')).toBe('fatal');
  });
});
