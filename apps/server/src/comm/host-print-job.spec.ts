import { describe, expect, it } from 'vitest';
import { renderScript } from './host-print-job.js';

describe('renderScript', () => {
  it('fills in the pause position, drops comments and blank lines', () => {
    const script =
      'G91 ; relative\n\nG1 Z5\nG90\nG1 X{{ pause_position.x }} Y{{pause_position.y}} E{{ pause_position.e }}';
    expect(renderScript(script, { x: 10, y: 20.5, z: 0.3, e: 4 })).toEqual(['G91', 'G1 Z5', 'G90', 'G1 X10 Y20.5 E4']);
  });

  it('leaves out lines that need a position when none was captured', () => {
    expect(renderScript('M117 paused\nG1 X{{ pause_position.x }}', undefined)).toEqual(['M117 paused']);
  });
});
