import { ALL_PERMISSIONS, Permission } from '../auth/permission.js';
import type { PushPermissionDto } from './push-messages.dto.js';

type PermissionText = Pick<PushPermissionDto, 'name' | 'description' | 'dangerous'>;

/** How the `connected` message describes each permission (a permission missing here is shown by its key). */
const TEXTS: Partial<Record<Permission, PermissionText>> = {
  [Permission.ADMIN]: { name: 'Admin', description: 'Every permission', dangerous: true },
  [Permission.STATUS]: { name: 'Status', description: 'Printer state, temperatures and events', dangerous: false },
  [Permission.CONTROL]: { name: 'Control', description: 'Move, heat and send G-code', dangerous: false },
  [Permission.MONITOR_TERMINAL]: {
    name: 'Terminal',
    description: 'Read the serial terminal (logs and messages on the push socket)',
    dangerous: false,
  },
  [Permission.CONNECTION]: { name: 'Connection', description: 'Connect and disconnect the printer', dangerous: false },
  [Permission.SYSTEM]: { name: 'System', description: 'Run the configured system commands', dangerous: true },
  [Permission.PLUGIN_LOGGING_MANAGE]: { name: 'Logging', description: 'Read and manage log files', dangerous: true },
  [Permission.LOG_WRITE]: { name: 'Log write', description: 'Write to the batched log endpoint', dangerous: false },
  [Permission.BUILDLOGS_READ]: { name: 'Build logs (read)', description: 'List and read build logs', dangerous: false },
  [Permission.BUILDLOGS_PUBLISH]: {
    name: 'Build logs (publish)',
    description: 'Publish and delete build logs',
    dangerous: false,
  },
};

/** Every permission as the `connected` message lists it; `needs.role` matches the login answer's `needs.role`. */
export function pushPermissions(): PushPermissionDto[] {
  return ALL_PERMISSIONS.map((key) => {
    const text = TEXTS[key] ?? { name: key, description: key, dangerous: false };
    return {
      key,
      ...text,
      default_groups: key === Permission.ADMIN ? ['admins'] : [],
      needs: { role: [key.toLowerCase()] },
    };
  });
}
