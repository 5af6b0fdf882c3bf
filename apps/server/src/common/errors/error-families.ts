/**
 * Each API family answers errors its own way (DESIGN §5). The family is chosen by the prefix of the decoded path,
 * so the same rule covers errors raised in Nest (guards, pipes, services), in Fastify before Nest sees the request
 * (malformed JSON, wrong content type, body too large, unknown route, over-long parameter) and in Node's HTTP
 * parser (headers too large, timeouts).
 */
export interface ErrorReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface ErrorFamily {
  readonly name: string;
  /** URL path prefixes this family owns; the longest match wins, OctoPrint is the fallback. */
  readonly prefixes: readonly string[];
  /** Whether bodies sent to this family must be JSON (415 otherwise). */
  readonly jsonBodies: boolean;
  format(status: number, message: string): ErrorReply;
}

const json = (status: number, body: unknown): ErrorReply => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});

/** OctoPrint: `{"error": "..."}`, and never a 401: a missing or bad key is a 403. */
export const OCTOPRINT_ERRORS: ErrorFamily = {
  name: 'octoprint',
  prefixes: ['/'],
  jsonBodies: true,
  format: (status, message) => json(status === 401 ? 403 : status, { error: message }),
};

/** Vieter: 401 is plain text `401 Unauthorized`; everything else is the `{message, data}` envelope. */
export const VIETER_ERRORS: ErrorFamily = {
  name: 'vieter',
  prefixes: ['/api/v1/'],
  jsonBodies: false,
  format: (status, message) =>
    status === 401
      ? { status, contentType: 'text/plain; charset=utf-8', body: '401 Unauthorized' }
      : json(status, { message, data: '' }),
};

/** Plex `/log`: a bare status with a short plain-text reason. */
export const PLEX_ERRORS: ErrorFamily = {
  name: 'plex',
  prefixes: ['/log'],
  jsonBodies: false,
  format: (status, message) => ({
    status,
    contentType: 'text/plain; charset=utf-8',
    body: status === 401 ? '401 Unauthorized' : message,
  }),
};

const FAMILIES: readonly ErrorFamily[] = [VIETER_ERRORS, PLEX_ERRORS, OCTOPRINT_ERRORS];

/** The path as the router sees it: `/lo%67` is `/log`. A malformed escape leaves the path as it came. */
function decodedPathOf(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function owns(prefix: string, path: string): boolean {
  // `/log` owns `/log` and `/log?...` and `/log/...` but not `/logging`.
  return prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix || path.startsWith(`${prefix}/`);
}

/** The family of a URL (or a route pattern), by its decoded path. */
export function errorFamilyFor(url: string): ErrorFamily {
  const path = decodedPathOf(url);
  let best: { family: ErrorFamily; length: number } = { family: OCTOPRINT_ERRORS, length: 0 };
  for (const family of FAMILIES) {
    for (const prefix of family.prefixes) {
      if (owns(prefix, path) && prefix.length > best.length) best = { family, length: prefix.length };
    }
  }
  return best.family;
}
