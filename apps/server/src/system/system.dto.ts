import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const SYSTEM_COMMAND_SOURCES = ['core', 'custom', 'plugin'] as const;
export type SystemCommandSource = (typeof SYSTEM_COMMAND_SOURCES)[number];

/** A system command as clients see it: never its command line, `async` or `ignore`. */
export class ClientCommandDefinitionDto {
  /** Identifier used in the execute URL; `divider` marks a menu separator. */
  action!: string;
  /** Name to show in the System menu (absent for dividers). */
  @ApiPropertyOptional()
  name?: string;
  /** Text of a confirmation dialog the user must acknowledge before executing, if any. */
  @ApiPropertyOptional()
  confirm?: string;
  @ApiProperty({ enum: SYSTEM_COMMAND_SOURCES, enumName: 'SystemCommandSource' })
  source!: SystemCommandSource;
  /** Absolute URL to POST to for executing the command, as the caller reaches this server. */
  resource!: string;
}

export class SystemCommandsResponseDto {
  /** Commands Hotend defines itself, each listed only when its command line is configured. */
  @ApiProperty({ type: [ClientCommandDefinitionDto] })
  core!: ClientCommandDefinitionDto[];
  /** Commands from `system.actions` in config.yaml, in file order. */
  @ApiProperty({ type: [ClientCommandDefinitionDto] })
  custom!: ClientCommandDefinitionDto[];
  /** Always empty: Hotend has no plugins; present for OctoPrint clients. */
  @ApiProperty({ type: [ClientCommandDefinitionDto] })
  plugin!: ClientCommandDefinitionDto[];
}
