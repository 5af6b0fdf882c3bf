import { describe, expect, it } from 'vitest';
import { parseControls } from './custom-controls';

describe('parseControls', () => {
  it('reads containers, commands, inputs and confirmations in OctoPrint’s format', () => {
    const controls = parseControls([
      {
        name: 'Fan',
        layout: 'horizontal',
        children: [
          {
            name: 'On',
            command: 'M106 S%(speed)s',
            input: [{ name: 'Speed', parameter: 'speed', default: 255, slider: { min: 0, max: 255 } }],
          },
          { name: 'Off', commands: ['M107'], confirm: 'Stop the fan?' },
        ],
      },
    ]);
    expect(controls).toEqual([
      {
        kind: 'container',
        name: 'Fan',
        layout: 'horizontal',
        children: [
          {
            kind: 'command',
            name: 'On',
            commands: ['M106 S%(speed)s'],
            inputs: [{ name: 'Speed', parameter: 'speed', default: 255, slider: { min: 0, max: 255, step: 1 } }],
          },
          { kind: 'command', name: 'Off', commands: ['M107'], inputs: [], confirm: 'Stop the fan?' },
        ],
      },
    ]);
  });

  it('leaves out what the page cannot run: scripts, feedback-only entries, junk and empty containers', () => {
    expect(
      parseControls([
        { name: 'Script', script: 'custom/foo.gco' },
        { regex: 'T:(\\d+)', template: 'Temp {0}' },
        'M107',
        null,
        { name: 'Empty', children: [{ script: 'x' }] },
      ]),
    ).toEqual([]);
  });
});
