/** Named permissions (DESIGN §5). ADMIN implies every other one. */
export enum Permission {
  ADMIN = 'ADMIN',
  STATUS = 'STATUS',
  CONTROL = 'CONTROL',
  CONNECTION = 'CONNECTION',
  SYSTEM = 'SYSTEM',
  PLUGIN_LOGGING_MANAGE = 'PLUGIN_LOGGING_MANAGE',
  LOG_WRITE = 'LOG_WRITE',
  BUILDLOGS_READ = 'BUILDLOGS_READ',
  BUILDLOGS_PUBLISH = 'BUILDLOGS_PUBLISH',
}

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

export function hasPermission(granted: readonly Permission[], required: Permission): boolean {
  return granted.includes(Permission.ADMIN) || granted.includes(required);
}
