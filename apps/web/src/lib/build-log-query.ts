import type { BuildLogFilter } from '@hotend/sdk';

/** The build-log filter form as typed: every field a string, empty meaning "any". */
export interface BuildLogForm {
  readonly target: string;
  readonly arch: string;
  /** `0` (succeeded), `!0` (failed) or any `exit_codes` list. */
  readonly exitCodes: string;
  /** `datetime-local` values, in the browser's time zone. */
  readonly after: string;
  readonly before: string;
}

export const EMPTY_FORM: BuildLogForm = { target: '', arch: '', exitCodes: '', after: '', before: '' };

function epochSeconds(local: string): number | undefined {
  if (local === '') return undefined;
  const millis = new Date(local).getTime();
  return Number.isNaN(millis) ? undefined : Math.floor(millis / 1000);
}

/**
 * The list query for one page. One more row than the page size is asked for, so the page knows whether a
 * next page exists without a count endpoint.
 */
export function buildLogQuery(form: BuildLogForm, page: number, pageSize: number): BuildLogFilter {
  const query: BuildLogFilter = { limit: pageSize + 1, offset: page * pageSize };
  const target = form.target.trim();
  if (target !== '') query.target = Number(target);
  const arch = form.arch.trim();
  if (arch !== '') query.arch = arch;
  const codes = form.exitCodes.replace(/\s+/g, '');
  if (codes !== '') query.exit_codes = codes;
  const after = epochSeconds(form.after);
  if (after !== undefined) query.after = after;
  const before = epochSeconds(form.before);
  if (before !== undefined) query.before = before;
  return query;
}
