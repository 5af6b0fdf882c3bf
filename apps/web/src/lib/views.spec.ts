import { describe, expect, it } from 'vitest';
import { viewForHash, visibleViews } from './views';

describe('views by permission', () => {
  it('shows a STATUS key only the printer and the terminal', () => {
    expect(visibleViews(['STATUS']).map((view) => view.id)).toEqual(['printer', 'terminal']);
  });

  it('shows Files to a key that may list them, next to the printer', () => {
    expect(visibleViews(['STATUS', 'FILES_LIST']).map((view) => view.id)).toEqual(['printer', 'files', 'terminal']);
  });

  it('shows a build-log reader only the build logs, and sends any other hash there', () => {
    expect(visibleViews(['BUILDLOGS_READ']).map((view) => view.id)).toEqual(['build-logs']);
    expect(viewForHash('#/printer', ['BUILDLOGS_READ'])).toBe('build-logs');
  });

  it('follows the hash when the key may see the view', () => {
    const all = ['STATUS', 'PLUGIN_LOGGING_MANAGE', 'BUILDLOGS_READ'] as const;
    expect(viewForHash('#/logs', all)).toBe('logs');
    expect(viewForHash('', all)).toBe('printer');
    expect(viewForHash('#/nonsense', all)).toBe('printer');
  });

  it('has nothing to show a key without any of the needed permissions', () => {
    expect(viewForHash('#/printer', ['LOG_WRITE'])).toBeNull();
  });
});
