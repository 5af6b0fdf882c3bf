import type { ExitCodeFilter } from './build-log.repository.js';

/** Exit codes are stored as signed 32-bit integers (what a process or container reports). */
export const EXIT_CODE_MIN = -2147483648;
export const EXIT_CODE_MAX = 2147483647;
/** More items than this in one `exit_codes` filter is a mistake, not a query. */
export const MAX_EXIT_CODE_ITEMS = 64;

const EXIT_CODE_ITEM = /^(!?)(-?\d{1,10})$/;

/**
 * Parses `exit_codes` with Vieter's documented meaning: plain items are OR-ed, `!` items are excluded (AND-ed),
 * so `!1,!2` means "neither 1 nor 2" and `0,!1` means "0". Vieter itself ORs every item, which makes `!1,!2`
 * match everything; we follow its documentation instead (DESIGN §1). Returns a message for a malformed value.
 */
export function parseExitCodes(text: string): ExitCodeFilter | string {
  const items = text.split(',');
  if (items.length > MAX_EXIT_CODE_ITEMS) return `at most ${MAX_EXIT_CODE_ITEMS} items are allowed`;
  const include: number[] = [];
  const exclude: number[] = [];
  for (const item of items) {
    const match = EXIT_CODE_ITEM.exec(item);
    const code = match === null ? NaN : Number(match[2]);
    if (match === null || code < EXIT_CODE_MIN || code > EXIT_CODE_MAX) {
      return item === ''
        ? 'contains an empty item; use a comma-separated list such as 1,2 or !0'
        : `"${item}" is not an exit code (an integer, optionally prefixed with ! to exclude it)`;
    }
    (match[1] === '!' ? exclude : include).push(code);
  }
  return { include, exclude };
}
