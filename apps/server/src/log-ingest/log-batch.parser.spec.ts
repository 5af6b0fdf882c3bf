import { describe, expect, it } from 'vitest';
import { LogBatchError, parseLogParameters } from './log-batch.parser.js';

describe('parseLogParameters', () => {
  it("reads seed 001's example as two messages, ignoring the stray valueless message", () => {
    expect(
      parseLogParameters(
        'level=0&message=Error%20message&source=computer1&level=1&message=Warning%20message&message&source=computer2',
      ),
    ).toEqual([
      { level: 0, message: 'Error message', source: 'computer1' },
      { level: 1, message: 'Warning message', source: 'computer2' },
    ]);
  });

  it('reads newline-separated groups, decodes + as a space and %2B as a plus, and ignores other keys', () => {
    expect(
      parseLogParameters('X-Plex-Token=abc&level=2&message=a+b%2Bc&source=x\r\n\r\nlevel=4&source=y&message=z\n'),
    ).toEqual([
      { level: 2, message: 'a b+c', source: 'x' },
      { level: 4, message: 'z', source: 'y' },
    ]);
  });

  it('keeps each line to itself: a line without level is its own (incomplete) message', () => {
    expect(() => parseLogParameters('level=2&message=FIRST&source=app1\nmessage=SECOND&source=app2')).toThrow(
      new LogBatchError('message 2: level is missing'),
    );
    expect(() => parseLogParameters('level=2&message=FIRST&source=app1\nsource=intruder')).toThrow(
      new LogBatchError('message 2: level is missing'),
    );
  });

  it.each([
    ['', 'no log message given (level, message and source are required)'],
    ['level=0&message=a', 'message 1: source is missing'],
    ['level=0&message=a&source=b&level=1&source=c', 'message 2: message is missing'],
    ['message=a&source=b', 'message 1: level is missing'],
    ['level=-1&message=a&source=b', 'message 1: level must be 0 (error) to 4 (verbose), got "-1"'],
    ['level=0&message=&source=b', 'message 1: message is missing'],
    ['level=0&message=a&source=%E0%A4%A', 'parameter 3: malformed percent-encoding in "%E0%A4%A"'],
    ['level=3&message=a&message=b&source=c', 'message 1: message is given twice (parameter 3)'],
    ['level=3&message=a&source=c&source=d', 'message 1: source is given twice (parameter 4)'],
    ['level=1&message=a&source=b&message=c&source=d', 'message 1: message is given twice (parameter 4)'],
    ['level=1&level=2&message=a&source=b', 'message 1: message is missing'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseLogParameters(text)).toThrow(new LogBatchError(message));
  });
});
