import type { ServerCommandsConfig, SystemActionConfig } from '../config/config.schema.js';
import type { SystemCommandSource } from './system.dto.js';

/** The full definition of a command; only `toClientDefinition` decides what of it leaves the server. */
export interface SystemCommandDefinition {
  readonly source: SystemCommandSource;
  readonly action: string;
  readonly name?: string;
  readonly confirm?: string;
  /** The configured command line; undefined only for dividers. */
  readonly command?: string;
  /** Answer at once (204) and only log the outcome. */
  readonly async: boolean;
  /** A non-zero exit code still counts as success. */
  readonly ignore: boolean;
}

export const DIVIDER = 'divider';

const DISRUPTION =
  "This action may disrupt any ongoing print jobs (depending on your printer's controller and general setup that " +
  "might also apply to prints run directly from your printer's internal storage).";

interface CoreCommand {
  readonly action: string;
  readonly name: string;
  readonly setting: keyof ServerCommandsConfig;
  readonly confirm: string;
}

/** Hotend's own commands, in OctoPrint's order; each exists only when its command line is configured. */
const CORE_COMMANDS: readonly CoreCommand[] = [
  {
    action: 'shutdown',
    name: 'Shutdown',
    setting: 'systemShutdownCommand',
    confirm: `You are about to shutdown the system.\n\n${DISRUPTION}`,
  },
  {
    action: 'reboot',
    name: 'Reboot',
    setting: 'systemRestartCommand',
    confirm: `You are about to reboot the system.\n\n${DISRUPTION}`,
  },
  {
    action: 'restart',
    name: 'Restart Hotend',
    setting: 'serverRestartCommand',
    confirm: `You are about to restart the Hotend server.\n\n${DISRUPTION}`,
  },
  {
    action: 'restart_safe',
    name: 'Restart Hotend in safe mode',
    setting: 'serverRestartSafeCommand',
    confirm: `You are about to restart the Hotend server in safe mode.\n\n${DISRUPTION}`,
  },
];

/**
 * Core commands from `server.commands`. They are always asynchronous: they take down Hotend or the whole host,
 * so the caller gets its answer first.
 */
export function coreCommands(config: ServerCommandsConfig): SystemCommandDefinition[] {
  return CORE_COMMANDS.flatMap((core) => {
    const command = config[core.setting];
    if (command === undefined || command === '') return [];
    return [
      {
        source: 'core',
        action: core.action,
        name: core.name,
        confirm: core.confirm,
        command,
        async: true,
        ignore: false,
      },
    ];
  });
}

/** Custom commands from `system.actions`, in file order, dividers included. */
export function customCommands(actions: readonly SystemActionConfig[]): SystemCommandDefinition[] {
  return actions.map((entry) => {
    const isDivider = entry.action === DIVIDER;
    const name = entry.name ?? (isDivider ? undefined : entry.action);
    return {
      source: 'custom',
      action: entry.action,
      ...(name === undefined ? {} : { name }),
      ...(typeof entry.confirm === 'string' ? { confirm: entry.confirm } : {}),
      ...(isDivider || entry.command === undefined ? {} : { command: entry.command }),
      async: entry.async ?? false,
      ignore: entry.ignore ?? false,
    };
  });
}
