import type { components, operations } from './generated/schema.js';

/** Response and request types, aliased from the generated schema (never redeclared by hand). */
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
export type LogFiles = Schemas['LogFilesResponseDto'];
export type LogFile = Schemas['LogFileDto'];
export type LoggingSetup = Schemas['LoggingSetupResponseDto'];
export type LoggingOverview = Schemas['LoggingOverviewResponseDto'];
export type LoggerLevels = operations['getLoggingLevels']['responses'][200]['content']['application/json'];
export type ConnectionSettings = Schemas['ConnectionSettingsResponseDto'];
export type CurrentConnection = Schemas['CurrentConnectionDto'];
export type ConnectionCommandBody = Schemas['ConnectionCommandDto'];
export type ConnectionCommand = Schemas['ConnectionCommand'];
