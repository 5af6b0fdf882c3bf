export { BuildLogsApi, type BuildLogBody, type BuildLogContentOptions } from './build-logs.js';
export { HotendClient, type HotendClientOptions } from './client.js';
export { ConnectionApi, type ConnectOptions } from './connection.js';
export { createHttp, Http, HotendApiError, type HttpOptions, type RequestOptions } from './http.js';
export * from './types.js';
export type { components, operations, paths } from './generated/schema.js';
