import { describe, expect, it } from 'vitest';
import { stateText } from './comm-state.js';

describe('stateText', () => {
  it('names SD transfers and SD prints as OctoPrint does, and plain states otherwise', () => {
    expect(stateText('STARTING', { sdPrinting: false, sdTransfer: true })).toBe('Starting to send file to SD');
    expect(stateText('PRINTING', { sdPrinting: false, sdTransfer: true })).toBe('Sending file to SD');
    expect(stateText('FINISHING', { sdPrinting: false, sdTransfer: true })).toBe('Finishing');
    expect(stateText('STARTING', { sdPrinting: true })).toBe('Starting print from SD');
    expect(stateText('PRINTING', { sdPrinting: true })).toBe('Printing from SD');
    expect(stateText('PRINTING', { sdPrinting: false })).toBe('Printing');
  });
});
