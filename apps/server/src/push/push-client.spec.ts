import { describe, expect, it } from 'vitest';
import type { ApiKeyService } from '../auth/api-key.service.js';
import { LoginSessionStore } from '../auth/login/login-session.store.js';
import { Permission } from '../auth/permission.js';
import { EventBus } from '../events/event-bus.service.js';
import { DEFAULT_PUSH_LIMITS, PushClient } from './push-client.js';
import type { PushStateSource } from './push-state.source.js';
import { frameOf } from './push-state.js';
import type { PushConnection } from './sockjs-transport.js';

/** A connection that records what was sent and reports a chosen unread backlog. */
class RecordingConnection {
  sent: string[] = [];
  buffered = 0;
  destroyed = false;
  private dataListener: ((text: string) => void) | undefined;
  remoteAddress = '127.0.0.1';
  onData(listener: (text: string) => void): void {
    this.dataListener = listener;
  }
  deliver(message: unknown): void {
    this.dataListener?.(JSON.stringify(message));
  }
  sendJson(json: string): void {
    this.sent.push(json);
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function setup() {
  const sessions = new LoginSessionStore();
  const key = { name: 'admin', permissions: [Permission.ADMIN] };
  const keys = { resolveDigest: () => key } as unknown as ApiKeyService;
  const base = frameOf(
    {
      state: { text: 'Operational', flags: {} as never, error: '' },
      job: {} as never,
      progress: {} as never,
      currentZ: null,
      offsets: {},
      resends: { count: 0, transmitted: 0, ratio: 0 },
      busyFiles: [],
      markings: [],
    },
    [],
    [],
    [],
  ).base;
  const state = {
    base: () => base,
    history: () => ({ temps: [], logs: [], messages: [] }),
  } as unknown as PushStateSource;
  const connection = new RecordingConnection();
  const client = new PushClient(connection as unknown as PushConnection, {
    sessions,
    keys,
    state,
    events: new EventBus(),
    connected: () => '{"connected":{}}',
    log: () => {},
    limits: { ...DEFAULT_PUSH_LIMITS, maxBufferedBytes: 1000 },
  });
  const session = sessions.create(key, 'digest');
  connection.deliver({ auth: `admin:${session.id}` });
  return { client, connection, base };
}

describe('PushClient', () => {
  it('sends history after auth, then each frame as current', () => {
    const { client, connection, base } = setup();
    expect(connection.sent.map((json) => Object.keys(JSON.parse(json) as object)[0])).toEqual([
      'connected',
      'history',
      'timelapse',
    ]);
    client.offer(frameOf(base, [], ['Send: G28', 'Recv: ok'], ['ok']));
    const current = JSON.parse(connection.sent.at(-1) ?? '') as { current: { logs: string[] } };
    expect(current.current.logs).toEqual(['Send: G28', 'Recv: ok']);
  });

  it('cuts off a socket whose unread output passes the limit, and sends it nothing more', () => {
    const { client, connection, base } = setup();
    connection.buffered = 5000;
    const before = connection.sent.length;
    client.offer(frameOf(base, [], ['Send: G28'], []));
    expect(connection.destroyed).toBe(true);
    expect(connection.sent).toHaveLength(before);
    connection.buffered = 0;
    client.offer(frameOf(base, [], ['Send: G29'], []));
    expect(connection.sent).toHaveLength(before);
  });
});
