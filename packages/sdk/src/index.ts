export { BrowserApi } from './browser.js';
export { BuildLogsApi, type BuildLogBody, type BuildLogContentOptions } from './build-logs.js';
export { FilesApi, type UploadData, type UploadOptions, type UploadProgress } from './files.js';
export { JobApi } from './job.js';
export { HotendClient, type HotendClientOptions } from './client.js';
export { ConnectionApi, type ConnectOptions } from './connection.js';
export { ControlApi, type GcodeParameters } from './control.js';
export { createHttp, Http, HotendApiError, type HttpOptions, type RequestOptions } from './http.js';
export { LogApi, type LogLevelNumber, type LogMessage } from './log.js';
export { LoggingPluginApi, PluginsApi, type DownloadLogOptions } from './plugins/logging.js';
export {
  PrinterApi,
  type ExtrudeOptions,
  type FullStateOptions,
  type FullStatePart,
  type JogOptions,
  type TemperatureHistoryOptions,
} from './printer.js';
export {
  HotendSocket,
  type SocketEventHandler,
  type SocketMessage,
  type SocketMessageHandler,
  type SocketOptions,
} from './socket.js';
export * from './types.js';
export type { components, operations, paths } from './generated/schema.js';
