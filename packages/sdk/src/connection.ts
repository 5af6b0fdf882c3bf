import type { Http } from './http.js';
import type { ConnectionCommandBody, ConnectionSettings } from './types.js';

/** Options of `connect`: port (`AUTO`, `VIRTUAL` or a device), baudrate (0 = detect), printerProfile, save, autoconnect. */
export type ConnectOptions = Omit<ConnectionCommandBody, 'command'>;

/** `/api/connection`, like OctoPrintClient's `connection` component. */
export class ConnectionApi {
  constructor(private readonly http: Http) {}

  /** The current connection and the available ports, baud rates and printer profiles. */
  getSettings(): Promise<ConnectionSettings> {
    return this.http.get('/api/connection');
  }

  /** Issues a raw connection command (`connect`, `disconnect`, `fake_ack`). */
  async issueCommand(body: ConnectionCommandBody): Promise<void> {
    await this.http.post('/api/connection', body);
  }

  /** Starts connecting; follow `getSettings().current.state` until `Operational`. */
  connect(options: ConnectOptions = {}): Promise<void> {
    return this.issueCommand({ ...options, command: 'connect' });
  }

  disconnect(): Promise<void> {
    return this.issueCommand({ command: 'disconnect' });
  }

  /** Pretends the printer sent an `ok`, to unstick a connection waiting for a lost one. */
  fakeAck(): Promise<void> {
    return this.issueCommand({ command: 'fake_ack' });
  }
}
