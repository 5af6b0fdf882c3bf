/** Named permissions (DESIGN §5). ADMIN implies every other one. */
export enum Permission {
  ADMIN = 'ADMIN',
  STATUS = 'STATUS',
  CONTROL = 'CONTROL',
  /** Read the terminal: `logs` and `messages` in the push socket's `current` and `history`. */
  MONITOR_TERMINAL = 'MONITOR_TERMINAL',
  CONNECTION = 'CONNECTION',
  SYSTEM = 'SYSTEM',
  PLUGIN_LOGGING_MANAGE = 'PLUGIN_LOGGING_MANAGE',
  LOG_WRITE = 'LOG_WRITE',
  BUILDLOGS_READ = 'BUILDLOGS_READ',
  BUILDLOGS_PUBLISH = 'BUILDLOGS_PUBLISH',
  FILES_LIST = 'FILES_LIST',
  FILES_UPLOAD = 'FILES_UPLOAD',
  FILES_DOWNLOAD = 'FILES_DOWNLOAD',
  FILES_DELETE = 'FILES_DELETE',
  FILES_SELECT = 'FILES_SELECT',
  PRINT = 'PRINT',
}

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

export function hasPermission(granted: readonly Permission[], required: Permission): boolean {
  return granted.includes(Permission.ADMIN) || granted.includes(required);
}
