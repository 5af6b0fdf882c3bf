import { HotendClient, type ConnectionSettings, type PrinterStateFlags } from '@hotend/sdk';
import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { PrinterStore } from '../lib/printer.svelte';
import StatePill from './StatePill.svelte';

const idle: PrinterStateFlags = {
  operational: true,
  printing: false,
  cancelling: false,
  pausing: false,
  resuming: false,
  finishing: false,
  closedOrError: false,
  error: false,
  paused: false,
  ready: true,
  sdReady: false,
};

/** A connection reading with only its state text set. */
function connectionIn(state: string): ConnectionSettings {
  return {
    current: { state, port: null, baudrate: null, printerProfile: '_default' },
    options: {
      baudrates: [],
      ports: [],
      portPreference: null,
      baudratePreference: null,
      printerProfiles: [],
      printerProfilePreference: '_default',
    },
  };
}

/** A pill on a store that is never started: the test sets its fields as a read would. */
function pillFor(): { printer: PrinterStore; pill: HTMLElement } {
  const printer = new PrinterStore(new HotendClient({ baseUrl: 'http://127.0.0.1:9' }));
  render(StatePill, { printer });
  return { printer, pill: screen.getByTestId('printer-state') };
}

describe('StatePill', () => {
  it.each([
    ['Operational', {}, 'ok'],
    ['Printing', { printing: true, ready: false }, 'info'],
    ['Pausing', { printing: true, pausing: true, ready: false }, 'warn'],
    ['Paused', { paused: true }, 'warn'],
    ['Error', { operational: false, error: true, closedOrError: true, ready: false }, 'danger'],
  ] as const)('shows %s with the %o flags as %s', (text, flags, tone) => {
    const { printer, pill } = pillFor();
    printer.state = { text, flags: { ...idle, ...flags }, error: '' };
    flushSync();
    expect(pill.textContent).toBe(text);
    expect(pill.classList.contains(tone)).toBe(true);
  });

  it('falls back to the connection state without a printer state', () => {
    const { printer, pill } = pillFor();
    expect(pill.textContent).toBe('Unknown');
    printer.connection = connectionIn('Error: Thermal runaway');
    flushSync();
    expect(pill.textContent).toBe('Error: Thermal runaway');
    expect(pill.classList.contains('danger')).toBe(true);
    printer.connection = connectionIn('Closed');
    flushSync();
    expect(pill.classList.contains('off')).toBe(true);
  });
});
