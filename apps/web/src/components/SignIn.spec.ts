import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { session } from '../lib/session.svelte';
import SignIn from './SignIn.svelte';

describe('SignIn', () => {
  it('shows why the last sign-in failed, tied to the key field', () => {
    render(SignIn, { baseUrl: 'http://127.0.0.1:9' });
    const field = screen.getByLabelText('API key');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(field.getAttribute('aria-invalid')).toBe('false');

    session.error = 'This API key is not valid.';
    flushSync();
    expect(screen.getByRole('alert').textContent).toBe('This API key is not valid.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe('sign-in-error');
  });
});
