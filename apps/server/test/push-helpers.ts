import WebSocket from 'ws';

/** One message as the server sent it: `{type: payload}`. */
export interface PushMessage {
  readonly type: string;
  readonly data: unknown;
  /** Arrival, epoch ms. */
  readonly at: number;
}

/** A raw-websocket push client for tests: records every message and waits for the ones a test expects. */
export class RawPushSocket {
  readonly messages: PushMessage[] = [];
  private waiters: (() => void)[] = [];
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const parsed = JSON.parse(String(data)) as Record<string, unknown>;
      for (const [type, value] of Object.entries(parsed)) this.messages.push({ type, data: value, at: Date.now() });
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static async open(baseUrl: string, headers: Record<string, string> = {}): Promise<RawPushSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/sockjs/websocket`, { headers });
    const socket = new RawPushSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendAuth(name: string, session: string): void {
    this.send({ auth: `${name}:${session}` });
  }

  of(type: string): PushMessage[] {
    return this.messages.filter((message) => message.type === type);
  }

  events(): { type: string; payload: unknown }[] {
    return this.of('event').map((message) => message.data as { type: string; payload: unknown });
  }

  /** Waits until `predicate` holds over the messages so far (or fails after `timeoutMs`). */
  async waitFor(
    predicate: (messages: readonly PushMessage[]) => boolean,
    timeoutMs = 10_000,
    what = 'condition',
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`Timed out waiting for ${what}; got ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async next(type: string, count = 1, timeoutMs = 10_000): Promise<PushMessage> {
    await this.waitFor(
      (messages) => messages.filter((m) => m.type === type).length >= count,
      timeoutMs,
      `${count}× ${type}`,
    );
    return this.of(type)[count - 1] as PushMessage;
  }

  async waitForEvent(type: string, timeoutMs = 10_000): Promise<unknown> {
    await this.waitFor(() => this.events().some((event) => event.type === type), timeoutMs, `event ${type}`);
    return this.events().find((event) => event.type === type)?.payload;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    await closed;
  }
}

/** Passive login with a key; answers the login body. */
export async function passiveLogin(baseUrl: string, key: string | undefined): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }) },
    body: JSON.stringify({ passive: true }),
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
