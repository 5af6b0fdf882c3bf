import { describe, expect, it } from 'vitest';
import { FirmwareModel } from './firmware-model.js';

describe('FirmwareModel currentZ', () => {
  it('takes the Z of each G0/G1 sent, keeps it over moves without Z, and forgets it when the connection ends', () => {
    const model = new FirmwareModel(false);
    expect(model.currentZ).toBeNull();
    model.commandSent('G1 X10 Y10', 'G1');
    expect(model.currentZ).toBeNull();
    model.commandSent('G1 Z5.2 F600', 'G1');
    expect(model.currentZ).toBe(5.2);
    model.commandSent('G0 X1', 'G0');
    model.commandSent('G92 Z0', 'G92');
    model.commandSent('G28', 'G28');
    expect(model.currentZ).toBe(5.2);
    model.commandSent('G0 z-0.1', 'G0');
    expect(model.currentZ).toBe(-0.1);
    model.reset();
    expect(model.currentZ).toBeNull();
  });
});
