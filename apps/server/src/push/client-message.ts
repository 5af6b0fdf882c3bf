/**
 * What a socket may send: `auth`, `throttle` or `subscribe`, one per message (in that precedence, as OctoPrint).
 * Anything malformed is reported as `invalid` with a reason and ignored by the caller; it never closes the socket
 * (OctoPrint aborts the connection on wrong types).
 */

/** A terminal filter: all lines, none, or those matching a regular expression (unanchored, like `re.search`). */
export type LineFilter = boolean | RegExp;

export interface Subscription {
  /** `false`: no `history` or `current` at all. */
  readonly state: false | { readonly logs: LineFilter; readonly messages: LineFilter };
  /** `true`: every event; otherwise the allowed names. */
  readonly events: true | ReadonlySet<string>;
  readonly plugins: boolean | ReadonlySet<string>;
}

/** What a socket gets before it ever sends `subscribe`. */
export const DEFAULT_SUBSCRIPTION: Subscription = {
  state: { logs: true, messages: true },
  events: true,
  plugins: true,
};

export type ClientMessage =
  | { readonly kind: 'auth'; readonly user: string; readonly session: string }
  | { readonly kind: 'throttle'; readonly factor: number }
  | { readonly kind: 'subscribe'; readonly subscription: Subscription }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Highest throttle factor accepted: one `current` per 15 s. */
export const MAX_THROTTLE = 30;

const invalid = (reason: string): ClientMessage => ({ kind: 'invalid', reason });

/** Parses one client message: a JSON text, or an already parsed value (SockJS frames may carry objects). */
export function parseClientMessage(data: unknown): ClientMessage {
  let message = data;
  if (typeof data === 'string') {
    try {
      message = JSON.parse(data) as unknown;
    } catch {
      return invalid('not JSON');
    }
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return invalid('not an object');
  const record = message as Record<string, unknown>;
  if ('auth' in record) return parseAuth(record['auth']);
  if ('throttle' in record) return parseThrottle(record['throttle']);
  if ('subscribe' in record) return parseSubscribe(record['subscribe']);
  return invalid('no auth, throttle or subscribe');
}

/** `"<user>:<session>"`, split at the first colon (so a name may not hold one, but a session never does). */
function parseAuth(value: unknown): ClientMessage {
  if (typeof value !== 'string') return invalid('auth must be a string "<user>:<session>"');
  const colon = value.indexOf(':');
  if (colon < 0) return invalid('auth must be "<user>:<session>"');
  return { kind: 'auth', user: value.slice(0, colon), session: value.slice(colon + 1) };
}

/** Coerced like Python's `int()`: `"3"` → 3, `2.9` → 2, `true` → 1; below 1 or not a number is ignored. */
function parseThrottle(value: unknown): ClientMessage {
  let factor: number;
  if (typeof value === 'boolean') factor = value ? 1 : 0;
  else if (typeof value === 'number') factor = Math.trunc(value);
  else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) factor = Number.parseInt(value, 10);
  else return invalid('throttle must be a number');
  if (!Number.isFinite(factor) || factor < 1) return invalid('throttle must be at least 1');
  return { kind: 'throttle', factor: Math.min(factor, MAX_THROTTLE) };
}

function parseLineFilter(value: unknown): LineFilter | undefined {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  try {
    return new RegExp(value);
  } catch {
    return undefined;
  }
}

function parseNameSet(value: unknown): true | false | ReadonlySet<string> | undefined {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return new Set(value);
  return undefined;
}

/** A subscription replaces the previous one; an invalid part rejects the whole message (the old one stays). */
function parseSubscribe(value: unknown): ClientMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return invalid('subscribe must be an object');
  const record = value as Record<string, unknown>;
  let state: Subscription['state'];
  const rawState = record['state'];
  if (rawState === undefined || rawState === false) state = false;
  // OctoPrint: `state: true` means logs without messages; clients rely on it.
  else if (rawState === true) state = { logs: true, messages: false };
  else if (rawState !== null && typeof rawState === 'object' && !Array.isArray(rawState)) {
    const stateRecord = rawState as Record<string, unknown>;
    const logs = parseLineFilter(stateRecord['logs']);
    const messages = parseLineFilter(stateRecord['messages']);
    if (logs === undefined || messages === undefined) return invalid('state.logs/messages: a boolean or a regex');
    state = { logs, messages };
  } else return invalid('state must be a boolean or an object');
  const events = parseNameSet(record['events']);
  const plugins = parseNameSet(record['plugins']);
  if (events === undefined) return invalid('events must be a boolean or a list of names');
  if (plugins === undefined) return invalid('plugins must be a boolean or a list of names');
  return { kind: 'subscribe', subscription: { state, events: events === false ? new Set() : events, plugins } };
}

/** Whether `history` must be sent again: state goes from off to on, or its filters change. */
export function stateTurnedOn(before: Subscription, after: Subscription): boolean {
  if (after.state === false) return false;
  if (before.state === false) return true;
  return (
    String(before.state.logs) !== String(after.state.logs) ||
    String(before.state.messages) !== String(after.state.messages)
  );
}
