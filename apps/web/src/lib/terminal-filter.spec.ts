import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, isHidden, visibleLines } from './terminal-filter';

const none = { temperature: false, ok: false, sdStatus: false };

describe('terminal filters', () => {
  it.each([
    'Send: N12 M105*34',
    'Send: M105',
    'Recv:  T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
    'Recv: ok T:210.0 /210.0 B:60.0 /60.0 @:64 B@:0',
    'Recv: T0:200.1 /210.0 T1:25.0 /0.0 B:60.0 /60.0',
  ])('hides temperature chatter: %s', (line) => {
    expect(isHidden(line, { ...none, temperature: true })).toBe(true);
    expect(isHidden(line, none)).toBe(false);
  });

  it.each(['Recv: ok', 'Recv: ok N12', 'Recv: ok P15 B3', 'Recv: wait', 'Recv: echo:busy: processing'])(
    'hides acknowledgements: %s',
    (line) => {
      expect(isHidden(line, { ...none, ok: true })).toBe(true);
    },
  );

  it.each(['Send: N3 M27*20', 'Recv: SD printing byte 123/4567', 'Recv: Not SD printing'])(
    'hides SD status: %s',
    (line) => {
      expect(isHidden(line, { ...none, sdStatus: true })).toBe(true);
    },
  );

  it('keeps what a person wants to see with every filter on', () => {
    const lines = [
      'Send: N5 G91*17',
      'Send: N6 G0 X10 F6000*99',
      'Recv: ok',
      'Recv: echo:SD card ok',
      'Recv: FIRMWARE_NAME:Marlin 2.1.2',
      'Recv: Error:Printer halted',
      'Recv: T:21.3 /0.0',
    ];
    expect(visibleLines(lines, DEFAULT_FILTERS)).toEqual([
      'Send: N5 G91*17',
      'Send: N6 G0 X10 F6000*99',
      'Recv: echo:SD card ok',
      'Recv: FIRMWARE_NAME:Marlin 2.1.2',
      'Recv: Error:Printer halted',
    ]);
  });
});
