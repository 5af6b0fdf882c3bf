export { BrowserApi } from './browser.js';
export { BuildLogsApi, type BuildLogBody } from './build-logs.js';
export { type ByteRange, type DownloadOptions, rangeHeader } from './byte-range.js';
export { FilesApi, type StreamUploadOptions, type UploadData, type UploadOptions } from './files.js';
export { JobApi } from './job.js';
export { HotendClient, type HotendClientOptions } from './client.js';
export { ConnectionApi, type ConnectOptions } from './connection.js';
export { ControlApi, type GcodeParameters } from './control.js';
export {
  type BuildLogErrorBody,
  type ErrorBodies,
  type ErrorFamily,
  HotendApiError,
  HotendNetworkError,
  HotendTimeoutError,
  type OctoPrintErrorBody,
} from './errors.js';
export {
  type CallOptions,
  createHttp,
  Http,
  type HttpOptions,
  type QueryValues,
  type RawRequest,
  type RequestBody,
  type RequestOptions,
} from './http.js';
export { type ByteSource, type UploadProgress } from './streams.js';
export { LogApi, type LogLevelNumber, type LogMessage } from './log.js';
export { LoggingPluginApi, PluginsApi } from './plugins/logging.js';
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
