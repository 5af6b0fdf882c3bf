import { HotendClient, type PrinterStateFlags } from '@hotend/sdk';
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

describe('StatePill', () => {
  it('colours the state by its flags and falls back to the connection state', () => {
    // Never started, so the client is never called; the test sets the store's fields as a read would.
    const printer = new PrinterStore(new HotendClient({ baseUrl: 'http://127.0.0.1:9' }));
    render(StatePill, { printer });
    const pill = screen.getByTestId('printer-state');
    expect(pill.textContent).toBe('Unknown');

    printer.state = { text: 'Operational', flags: idle, error: '' };
    flushSync();
    expect(pill.textContent).toBe('Operational');
    expect(pill.classList.contains('ok')).toBe(true);

    printer.state = { text: 'Printing', flags: { ...idle, printing: true, ready: false }, error: '' };
    flushSync();
    expect(pill.classList.contains('info')).toBe(true);

    printer.state = { text: 'Paused', flags: { ...idle, paused: true }, error: '' };
    flushSync();
    expect(pill.classList.contains('warn')).toBe(true);

    printer.state = null;
    printer.connection = {
      current: { state: 'Error: Thermal runaway', port: null, baudrate: null, printerProfile: '_default' },
      options: {
        baudrates: [],
        ports: [],
        portPreference: null,
        baudratePreference: null,
        printerProfiles: [],
        printerProfilePreference: '_default',
      },
    };
    flushSync();
    expect(pill.textContent).toBe('Error: Thermal runaway');
    expect(pill.classList.contains('danger')).toBe(true);
  });
});
