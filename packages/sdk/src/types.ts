import type { components, operations } from './generated/schema.js';

/** Response and request types, aliased from the generated schema (redeclared only where OpenAPI cannot say it). */
type Schemas = components['schemas'];

export type Version = Schemas['VersionResponseDto'];
export type ServerInfo = Schemas['ServerInfoResponseDto'];
export type CurrentUser = Schemas['CurrentUserResponseDto'];
export type Permission = Schemas['Permission'];
export type BuildLog = Schemas['BuildLogDto'];
export type BuildLogId = Schemas['BuildLogIdDto'];
/** Filters for `client.buildLogs.list`. */
export type BuildLogFilter = NonNullable<operations['listBuildLogs']['parameters']['query']>;
/** Metadata for `client.buildLogs.publish`. */
export type BuildLogMeta = operations['publishBuildLog']['parameters']['query'];
export type SystemCommands = Schemas['SystemCommandsResponseDto'];
export type ClientCommandDefinition = Schemas['ClientCommandDefinitionDto'];
export type SystemCommandSource = Schemas['SystemCommandSource'];
export type TemperatureData = Schemas['TemperatureDataDto'];
export type HistoricTemperatureData = Schemas['HistoricTemperatureDataDto'];
/** A tool's key in temperature answers: `tool0`, `tool1`, ... */
export type ToolKey = `tool${number}`;

// OpenAPI 3.0 cannot say "keys tool0..toolN", so the generated types are an intersection with a string index
// signature that rejects `history`. These plain types say it with a template-literal index signature instead.

/** One history sample: `time` (epoch seconds) and `{actual, target}` per heater. */
export interface TemperatureHistoryEntry {
  time: number;
  bed?: HistoricTemperatureData;
  chamber?: HistoricTemperatureData;
  [tool: ToolKey]: HistoricTemperatureData;
}

/** Readings per heater (`tool0`..`toolN`, `bed`, `chamber`), plus `history` when asked for (oldest first). */
export interface TemperatureState {
  bed?: TemperatureData;
  chamber?: TemperatureData;
  history?: TemperatureHistoryEntry[];
  [tool: ToolKey]: TemperatureData;
}

export interface FullPrinterState extends Omit<Schemas['FullPrinterStateResponseDto'], 'temperature'> {
  temperature?: TemperatureState;
}
export type SdState = Schemas['SdStateDto'];
export type PrinterState = Schemas['PrinterStateDto'];
export type PrinterStateFlags = Schemas['PrinterStateFlagsDto'];
export type PrinterErrorInfo = Schemas['PrinterErrorResponseDto'];
export type CustomControls = Schemas['CustomControlsResponseDto'];
export type PrintheadCommand = Schemas['PrintheadCommand'];
export type PrintheadCommandBody = Schemas['PrintheadCommandDto'];
export type ToolCommand = Schemas['ToolCommand'];
export type ToolCommandBody = Schemas['ToolCommandDto'];
export type BedCommandBody = Schemas['BedCommandDto'];
export type ChamberCommandBody = Schemas['ChamberCommandDto'];
export type SdCommand = Schemas['SdCommand'];
export type GcodeCommandBody = Schemas['GcodeCommandDto'];
export type Axis = Schemas['Axis'];
export type LogFiles = Schemas['LogFilesResponseDto'];
export type LogFile = Schemas['LogFileDto'];
export type LoggingSetup = Schemas['LoggingSetupResponseDto'];
export type LoggingOverview = Schemas['LoggingOverviewResponseDto'];
export type LoggerLevels = operations['getLoggingLevels']['responses'][200]['content']['application/json'];
export type ConnectionSettings = Schemas['ConnectionSettingsResponseDto'];
export type CurrentConnection = Schemas['CurrentConnectionDto'];
export type ConnectionCommandBody = Schemas['ConnectionCommandDto'];
export type ConnectionCommand = Schemas['ConnectionCommand'];
export type FileEntry = Schemas['FileEntryDto'];
export type FileList = Schemas['FileListDto'];
export type FileLocation = FileEntry['origin'];
export type GcodeAnalysis = Schemas['GcodeAnalysisDto'];
export type UploadResult = Schemas['UploadResponseDto'];
export type StoredFileRef = Schemas['StoredFileRefDto'];
export type JobState = Schemas['JobResponseDto'];
export type JobProgress = Schemas['JobProgressDto'];
export type LoginResponse = Schemas['LoginResponseDto'];
export type LogoutResponse = Schemas['LogoutResponseDto'];
/** Push socket: message type → payload, as the server sends them (`{"current": {...}}`). */
export type PushMessages = Schemas['PushMessagesDto'];
export type PushMessageType = keyof PushMessages;
/** Push socket: message type → payload, as a client may send them. */
export type PushClientMessages = Schemas['PushClientMessagesDto'];
export type PushSubscription = Schemas['PushSubscriptionDto'];
/** Push socket: event name → payload of the `event` message. */
export type PushEventPayloads = Schemas['PushEventPayloadsDto'];
export type PushEventName = keyof PushEventPayloads;
export type PushCurrent = Schemas['CurrentMessageDto'];
export type PushHistory = Schemas['HistoryMessageDto'];
export type PushConnected = Schemas['ConnectedMessageDto'];
