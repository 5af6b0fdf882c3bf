import { describe, expect, it } from 'vitest';
import { buildLogQuery, EMPTY_FORM } from './build-log-query';

describe('buildLogQuery', () => {
  it('asks for one row more than a page, at the page’s offset, with no filters when the form is empty', () => {
    expect(buildLogQuery(EMPTY_FORM, 2, 25)).toEqual({ limit: 26, offset: 50 });
  });

  it('sends only the filled fields, trimmed, with times as epoch seconds', () => {
    const after = '2026-11-20T10:00';
    expect(
      buildLogQuery({ target: ' 3 ', arch: ' x86_64', exitCodes: '!0, !1', after, before: 'garbage' }, 0, 10),
    ).toEqual({
      limit: 11,
      offset: 0,
      target: 3,
      arch: 'x86_64',
      exit_codes: '!0,!1',
      after: Math.floor(new Date(after).getTime() / 1000),
    });
  });
});
