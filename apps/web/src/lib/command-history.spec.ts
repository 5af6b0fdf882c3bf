import { describe, expect, it } from 'vitest';
import { CommandHistory } from './command-history';

describe('CommandHistory', () => {
  it('walks back and forth like a shell and gives back the line being typed', () => {
    const history = new CommandHistory();
    history.push('M115');
    history.push('G28');
    expect(history.previous('M10')).toBe('G28');
    expect(history.previous('G28')).toBe('M115');
    expect(history.previous('M115')).toBe('M115');
    expect(history.next()).toBe('G28');
    expect(history.next()).toBe('M10');
    expect(history.next()).toBe('M10');
  });

  it('skips blanks and immediate repeats and keeps at most its limit', () => {
    const history = new CommandHistory(2);
    for (const line of ['M1', ' ', 'M2', 'M2', 'M3']) history.push(line);
    expect(history.size).toBe(2);
    expect(history.previous('')).toBe('M3');
    expect(history.previous('')).toBe('M2');
    expect(history.previous('')).toBe('M2');
  });

  it('answers the current line when there is no history', () => {
    expect(new CommandHistory().previous('G1')).toBe('G1');
  });
});
