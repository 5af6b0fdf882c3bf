import type { HotendClient, PushCurrent, PushHistory } from '@hotend/sdk';

export interface LiveListener {
  /** `history` after each (re)connect, then every `current`: state, temperatures, terminal lines. */
  (message: PushHistory | PushCurrent, isHistory: boolean): void;
}

/**
 * The push socket (`client.socket`, SockJS at /sockjs): logs in with the page's key, then delivers `history` and
 * `current` to the stores. `live` is true from the first `history` until the socket drops; the stores poll the REST
 * API while it is false, so the page works without the socket too.
 */
/** Events after which the file list may have changed (OctoPrint's UI reloads on UpdatedFiles too). */
const FILE_EVENTS = ['UpdatedFiles', 'MetadataAnalysisFinished'] as const;

export class LiveUpdates {
  live = $state(false);
  /** Counts file-list changes the socket announced; a view reloads its list when it moves. */
  filesVersion = $state(0);
  private listeners: LiveListener[] = [];

  constructor(private readonly client: HotendClient) {}

  listen(listener: LiveListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((known) => known !== listener);
    };
  }

  start(): void {
    const socket = this.client.socket;
    socket.onMessage('history', ({ data }) => {
      this.live = true;
      // File events may have been missed while the socket was down.
      this.filesVersion += 1;
      for (const listener of this.listeners) listener(data, true);
    });
    socket.onMessage('current', ({ data }) => {
      if (!this.live) return;
      for (const listener of this.listeners) listener(data, false);
    });
    for (const name of FILE_EVENTS) socket.onEvent(name, () => (this.filesVersion += 1));
    socket.onMessage('reauthRequired', () => (this.live = false));
    socket.onDisconnected = () => (this.live = false);
    socket.onAuthError = () => (this.live = false);
    socket.connect();
  }

  stop(): void {
    this.client.socket.disconnect();
    this.live = false;
  }
}
