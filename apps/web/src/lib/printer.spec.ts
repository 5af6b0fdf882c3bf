import { describe, expect, it } from 'vitest';
import { isConnected } from './printer.svelte';

describe('isConnected', () => {
  it.each(['Operational', 'Printing', 'Paused', 'Cancelling', 'Starting print from SD'])('%s answers', (state) => {
    expect(isConnected(state)).toBe(true);
  });

  it.each([
    'Closed',
    'Offline',
    'Offline after error',
    'Error: Thermal runaway',
    'Opening serial connection',
    'Connecting',
    'Detecting serial connection',
  ])('%s does not', (state) => {
    expect(isConnected(state)).toBe(false);
  });
});
