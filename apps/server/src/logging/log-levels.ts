import { LOG_LEVELS, LOGGER_NAME_PATTERN, type LogLevelName } from '../config/config.schema.js';

/** Level words accepted besides pino's own, as OctoPrint's and Plex's clients spell them. */
const LEVEL_ALIASES: Readonly<Record<string, LogLevelName>> = {
  critical: 'fatal',
  warning: 'warn',
  verbose: 'trace',
};

export function isLoggerName(name: string): boolean {
  return LOGGER_NAME_PATTERN.test(name);
}

/** The level for a word such as `DEBUG`, `warning` or `trace`, case-insensitively; undefined if unknown. */
export function parseLevel(word: unknown): LogLevelName | undefined {
  if (typeof word !== 'string') return undefined;
  const lower = word.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(lower)) return lower as LogLevelName;
  return LEVEL_ALIASES[lower];
}

export interface LevelProblems {
  readonly levels: Record<string, LogLevelName>;
  readonly problems: string[];
}

/** Checks a `{logger: level}` map; returns the normalised map and one message per bad entry. */
export function validateLevelMap(input: unknown): LevelProblems {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { levels: {}, problems: ['the body must be an object mapping logger names to levels'] };
  }
  const levels: Record<string, LogLevelName> = {};
  const problems: string[] = [];
  for (const [name, word] of Object.entries(input as Record<string, unknown>)) {
    const level = parseLevel(word);
    if (!isLoggerName(name)) {
      problems.push(`"${name}" is not a logger name (expected hotend or hotend.<area>, e.g. hotend.comm)`);
    } else if (level === undefined) {
      problems.push(`"${String(word)}" for ${name} is not a level (one of ${LOG_LEVELS.join(', ')})`);
    } else {
      levels[name] = level;
    }
  }
  return { levels, problems };
}

/**
 * The level a logger gets: its own entry, else its nearest configured ancestor's (`hotend.comm` covers
 * `hotend.comm.serial`), else the default.
 */
export function effectiveLevel(
  name: string,
  levels: Readonly<Record<string, LogLevelName>>,
  defaultLevel: LogLevelName,
): LogLevelName {
  let candidate = name;
  for (;;) {
    const level = levels[candidate];
    if (level !== undefined) return level;
    const dot = candidate.lastIndexOf('.');
    if (dot === -1) return defaultLevel;
    candidate = candidate.slice(0, dot);
  }
}
