import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from './cli-args.js';

describe('hotend-firmware-sim arguments', () => {
  it('turns flags into simulator options, over a --profile file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ extruders: 3, heatedChamber: true, uuid: 'abc' }));
    const parsed = parseCliArgs([
      '--pty',
      '--profile',
      profile,
      '--extruders',
      '2',
      '--dialect',
      'octoprint-vp',
      '--no-bed',
      '--no-reset',
      '--rx-buffer',
      '63',
      '--planner',
      '8',
      '--seed',
      '7',
      '--link',
      '/tmp/printer',
    ]);
    expect(parsed).toEqual({
      pty: true,
      help: false,
      options: {
        extruders: 2,
        heatedChamber: true,
        uuid: 'abc',
        dialect: 'octoprint-vp',
        heatedBed: false,
        resetOnOpen: false,
        rxBufferSize: 63,
        plannerBlocks: 8,
        seed: 7,
        link: '/tmp/printer',
      },
    });
    expect(parseCliArgs(['-h']).help).toBe(true);
  });

  it.each([
    [['--extruders', 'two'], '--extruders takes a whole number from 1 to 16, not "two"'],
    [['--extruders', '0'], '--extruders takes a whole number from 1 to 16, not "0"'],
    [['--rx-buffer', '1.5'], '--rx-buffer takes a whole number from 1 to 65536, not "1.5"'],
    [['--planner', ''], '--planner takes a whole number from 2 to 256, not ""'],
    [['--seed=-1'], '--seed takes a whole number from 0 to 4294967295, not "-1"'],
    [['--dialect', 'klipper'], '--dialect is marlin or octoprint-vp, not "klipper"'],
    [['--profile', '/nonexistent/profile.json'], '--profile /nonexistent/profile.json: ENOENT'],
  ])('refuses %j with one line saying what was wrong', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(new CliUsageError(message));
  });

  it('refuses unknown flags and a flag without its value', () => {
    expect(() => parseCliArgs(['--bogus'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['--extruders'])).toThrow(/--extruders/);
  });
});
