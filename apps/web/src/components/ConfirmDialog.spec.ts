import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { confirmations } from '../lib/confirm.svelte';
import ConfirmDialog from './ConfirmDialog.svelte';

describe('ConfirmDialog', () => {
  it('shows the pending question and answers true when confirmed', async () => {
    render(ConfirmDialog);
    const answer = confirmations.ask({ title: 'Reboot?', message: 'The printer stops.', confirmLabel: 'Reboot' });
    expect(await screen.findByText('The printer stops.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Reboot' }));
    await expect(answer).resolves.toBe(true);
    expect(confirmations.pending).toBeNull();
  });

  it('answers false on Cancel, and a second question cancels the first', async () => {
    render(ConfirmDialog);
    const first = confirmations.ask({ title: 'A', message: 'first', confirmLabel: 'Go' });
    const second = confirmations.ask({ title: 'B', message: 'second', confirmLabel: 'Go', danger: true });
    await expect(first).resolves.toBe(false);
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    await expect(second).resolves.toBe(false);
  });
});

describe('ConfirmDialog as a prompt', () => {
  it('answers the edited text when confirmed, null when cancelled', async () => {
    render(ConfirmDialog);
    const named = confirmations.prompt({
      title: 'Move part.gcode',
      message: 'Into a folder, or to a new name.',
      confirmLabel: 'Move',
      input: { label: 'Destination', value: 'part.gcode' },
    });
    const input = await screen.findByLabelText('Destination');
    expect((input as HTMLInputElement).value).toBe('part.gcode');
    await fireEvent.input(input, { target: { value: 'archive/part.gcode' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    await expect(named).resolves.toBe('archive/part.gcode');

    const dropped = confirmations.prompt({
      title: 'Copy',
      message: '',
      confirmLabel: 'Copy',
      input: { label: 'Destination', value: 'x.gcode' },
    });
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    await expect(dropped).resolves.toBeNull();
  });
});
