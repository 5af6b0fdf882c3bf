import { BrowserApi } from './browser.js';
import { BuildLogsApi } from './build-logs.js';
import { ConnectionApi } from './connection.js';
import { ControlApi } from './control.js';
import { FilesApi } from './files.js';
import { JobApi } from './job.js';
import { type CallOptions, createHttp, type Http, type HttpOptions } from './http.js';
import { LogApi } from './log.js';
import { PluginsApi } from './plugins/logging.js';
import { PrinterApi } from './printer.js';
import { HotendSocket } from './socket.js';
import { CurrentUserApi, ServerApi, VersionApi } from './server.js';
import { SystemApi } from './system.js';

export type HotendClientOptions = HttpOptions;

/**
 * Hotend's client, laid out like OctoPrint's `OctoPrintClient`: one component per API section, with
 * OctoPrint's method names where OctoPrint has one.
 *
 * ```ts
 * const client = new HotendClient({ baseUrl: 'http://localhost:5000', apiKey });
 * const { text } = await client.version.get();
 * ```
 */
export class HotendClient {
  readonly http: Http;
  readonly version: VersionApi;
  readonly server: ServerApi;
  readonly currentUser: CurrentUserApi;
  readonly buildLogs: BuildLogsApi;
  readonly system: SystemApi;
  readonly printer: PrinterApi;
  readonly connection: ConnectionApi;
  readonly control: ControlApi;
  readonly plugins: PluginsApi;
  readonly log: LogApi;
  readonly files: FilesApi;
  readonly job: JobApi;
  /** OctoPrint's `client.browser`: passive login and logout. */
  readonly browser: BrowserApi;
  /** The push socket (`/sockjs`): state, temperatures, terminal lines and events as they happen. */
  readonly socket: HotendSocket;

  constructor(private readonly options: HotendClientOptions) {
    this.http = createHttp(options);
    this.version = new VersionApi(this.http);
    this.server = new ServerApi(this.http);
    this.currentUser = new CurrentUserApi(this.http);
    this.buildLogs = new BuildLogsApi(this.http);
    this.system = new SystemApi(this.http);
    this.printer = new PrinterApi(this.http);
    this.connection = new ConnectionApi(this.http);
    this.control = new ControlApi(this.http);
    this.plugins = new PluginsApi(this.http);
    this.log = new LogApi(this.http);
    this.files = new FilesApi(this.http);
    this.job = new JobApi(this.http);
    this.browser = new BrowserApi(this.http);
    this.socket = new HotendSocket(
      options.baseUrl,
      this.browser,
      options.apiKey !== undefined && options.apiKey !== '',
    );
  }

  /**
   * The same client with call options for the calls made through it: a `signal` that cancels them, a `timeout`
   * in milliseconds (a `HotendTimeoutError` when no answer came in time).
   *
   * ```ts
   * const state = await client.with({ timeout: 2000 }).printer.getFullState();
   * ```
   */
  with(call: CallOptions): HotendClient {
    return new HotendClient({ ...this.options, ...call });
  }
}
