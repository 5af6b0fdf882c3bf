import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/config.loader.js';
import type { CommandOutcome } from './command-runner.js';
import { coreCommands, customCommands } from './system-commands.js';
import { describeFailure, OUTPUT_TAIL_CHARS, succeeded } from './system.service.js';

const outcome = (overrides: Partial<CommandOutcome>): CommandOutcome => ({
  exitCode: 0,
  signal: null,
  timedOut: false,
  stdout: { text: '', droppedBytes: 0 },
  stderr: { text: '', droppedBytes: 0 },
  ...overrides,
});

describe('core commands', () => {
  it('lists only configured ones, in OctoPrint order, always asynchronous', () => {
    expect(coreCommands({})).toEqual([]);
    const listed = coreCommands({
      serverRestartSafeCommand: 'safe',
      systemShutdownCommand: 'sudo shutdown -h now',
      serverRestartCommand: 'sudo systemctl restart hotend',
    });
    expect(listed.map((entry) => [entry.action, entry.name, entry.command, entry.async])).toEqual([
      ['shutdown', 'Shutdown', 'sudo shutdown -h now', true],
      ['restart', 'Restart Hotend', 'sudo systemctl restart hotend', true],
      ['restart_safe', 'Restart Hotend in safe mode', 'safe', true],
    ]);
    expect(listed[0]?.confirm).toMatch(/^You are about to shutdown the system\.\n\nThis action may disrupt/);
  });
});

describe('custom commands', () => {
  it('keeps file order, defaults the name to the action, and gives dividers no name or command', () => {
    const config = validateConfig(
      {
        system: {
          actions: [
            { action: 'backup', command: 'tar c .', async: true, confirm: false },
            { action: 'divider' },
            { action: 'lights', name: 'Lights on', command: 'lights on', confirm: 'Sure?', ignore: true },
          ],
        },
      },
      'test',
    );
    expect(customCommands(config.system.actions)).toEqual([
      { source: 'custom', action: 'backup', name: 'backup', command: 'tar c .', async: true, ignore: false },
      { source: 'custom', action: 'divider', async: false, ignore: false },
      {
        source: 'custom',
        action: 'lights',
        name: 'Lights on',
        confirm: 'Sure?',
        command: 'lights on',
        async: false,
        ignore: true,
      },
    ]);
  });
});

describe('system config validation', () => {
  const problemsOf = (actions: unknown[], extra: Record<string, unknown> = {}): string => {
    try {
      validateConfig({ system: { actions, ...extra } }, 'config.yaml');
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  };

  it.each([
    [[{ name: 'No action', command: 'x' }], 'system.actions[0].action: action is required'],
    [
      [
        { action: 'ok', command: 'x' },
        { action: 'Bad Name', command: 'x' },
      ],
      'system.actions[1].action: action must match [a-z0-9_-]+',
    ],
    [[{ action: 'a;b', command: 'x' }], 'system.actions[0].action: action must match [a-z0-9_-]+'],
    [
      [{ action: 'x', command: 'x' }, { action: 'divider' }, { action: 'y' }],
      'system.actions[2].command: command is required for every entry that is not a divider, and must not be blank',
    ],
    [
      [{ action: 'x', command: '' }],
      'system.actions[0].command: command is required for every entry that is not a divider, and must not be blank',
    ],
    [[{ action: 'divider', command: 'rm -rf /' }], 'system.actions[0].command: a divider has no command'],
    [
      [{ action: 'x', command: 'a' }, { action: 'divider' }, { action: 'x', command: 'b' }],
      'system.actions[2].action: "x" is already defined by system.actions[0]',
    ],
    [[{ action: 'x', command: 'a', async: 'yes' }], 'system.actions[0].async: async must be a boolean value'],
    [[{ action: 'x', command: 'a', confirm: 3 }], 'system.actions[0].confirm: confirm must be a string or false'],
    [[{ action: 'x', command: 'a', debug: true }], 'system.actions[0].debug: property debug should not exist'],
  ])('refuses %j naming the entry', (actions, expected) => {
    expect(problemsOf(actions)).toContain(expected);
  });

  it('accepts several dividers and refuses a timeout below one second', () => {
    expect(problemsOf([{ action: 'divider' }, { action: 'divider' }])).toBe('');
    expect(problemsOf([], { commandTimeout: 0.5 })).toContain(
      'system.commandTimeout: commandTimeout must not be less than 1',
    );
  });
});

describe('failure messages', () => {
  const definition = { source: 'custom', action: 'fail', command: 'x', async: false, ignore: false } as const;

  it('names the command, the exit code and each non-empty stream once', () => {
    expect(describeFailure(definition, outcome({ exitCode: 3, stdout: { text: 'out\n', droppedBytes: 0 } }), 60)).toBe(
      'Command custom:fail failed with exit code 3\nstdout:\nout',
    );
  });

  it('says when a signal ended it, and quotes only the tail of long output', () => {
    const long = `${'x'.repeat(5000)}END`;
    const message = describeFailure(
      definition,
      outcome({ exitCode: null, signal: 'SIGTERM', stderr: { text: long, droppedBytes: 10 } }),
      60,
    );
    expect(message).toBe(
      `Command custom:fail was ended by signal SIGTERM\nstderr (last part):\n${long.slice(-OUTPUT_TAIL_CHARS)}`,
    );
  });

  it('says a timeout killed the process group', () => {
    expect(describeFailure(definition, outcome({ exitCode: null, signal: 'SIGKILL', timedOut: true }), 5)).toBe(
      'Command custom:fail did not finish within 5 s and was killed with its whole process group',
    );
  });

  it('counts a non-zero exit as success only with ignore, and never a timeout', () => {
    expect(succeeded(definition, outcome({ exitCode: 1 }))).toBe(false);
    expect(succeeded({ ...definition, ignore: true }, outcome({ exitCode: 1 }))).toBe(true);
    expect(succeeded({ ...definition, ignore: true }, outcome({ exitCode: null, timedOut: true }))).toBe(false);
  });
});
