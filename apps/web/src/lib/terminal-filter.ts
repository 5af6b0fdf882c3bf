/** What the terminal hides, as OctoPrint's terminal filters do: the chatter that drowns the interesting lines. */
export interface TerminalFilters {
  /** `M105` polls and temperature reports (auto-reports and the ones in `ok` answers). */
  readonly temperature: boolean;
  /** Bare `ok` acknowledgements, `wait` and `busy: processing`. */
  readonly ok: boolean;
  /** `M27` polls and SD progress reports. */
  readonly sdStatus: boolean;
}

export const DEFAULT_FILTERS: TerminalFilters = { temperature: true, ok: true, sdStatus: true };

const SENT_M105 = /^Send: (?:N\d+ )?M105\b/;
const TEMPERATURE_REPORT = /^Recv:\s+(?:ok\s+)?(?:[NP]\d+\s+)*(?:T\d*|B|C):-?\d+(?:\.\d+)?/;
const BARE_OK = /^Recv:\s+ok(?:\s+[NPB]\d+)*\s*$/;
const WAIT_OR_BUSY = /^Recv:\s+(?:wait|(?:echo: ?)?busy: ?processing)\s*$/;
const SENT_M27 = /^Send: (?:N\d+ )?M27\b/;
const SD_REPORT = /^Recv:\s+(?:SD printing byte|Not SD printing)/;

export function isHidden(line: string, filters: TerminalFilters): boolean {
  if (filters.temperature && (SENT_M105.test(line) || TEMPERATURE_REPORT.test(line))) return true;
  if (filters.ok && (BARE_OK.test(line) || WAIT_OR_BUSY.test(line))) return true;
  if (filters.sdStatus && (SENT_M27.test(line) || SD_REPORT.test(line))) return true;
  return false;
}

export function visibleLines(lines: readonly string[], filters: TerminalFilters): string[] {
  return lines.filter((line) => !isHidden(line, filters));
}
