import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';

export const CONNECTION_COMMANDS = ['connect', 'disconnect', 'fake_ack'] as const;
export type ConnectionCommand = (typeof CONNECTION_COMMANDS)[number];

/** `POST /api/connection`: OctoPrint's command body. */
export class ConnectionCommandDto {
  @ApiProperty({ enum: CONNECTION_COMMANDS, enumName: 'ConnectionCommand' })
  @IsIn(CONNECTION_COMMANDS)
  command!: ConnectionCommand;
  /** `connect`: a listed port, `VIRTUAL`, or `AUTO`; default the saved port. */
  @IsOptional() @IsString() port?: string;
  /** `connect`: a listed baud rate, or 0 to detect; default the saved one. */
  @ApiProperty({ type: 'integer', required: false })
  @IsOptional()
  @IsInt()
  @Min(0)
  baudrate?: number;
  /** `connect`: the printer profile id. */
  @IsOptional() @IsString() printerProfile?: string;
  /** `connect`: remember port, baud rate and profile as the preferences. */
  @IsOptional() @IsBoolean() save?: boolean;
  /** `connect`: connect on start from now on (or not). */
  @IsOptional() @IsBoolean() autoconnect?: boolean;
}

export class CurrentConnectionDto {
  /** OctoPrint's state text: `Closed`, `Offline`, `Connecting`, `Operational`, ... */
  state!: string;
  @ApiProperty({ type: String, nullable: true })
  port!: string | null;
  @ApiProperty({ type: 'integer', nullable: true })
  baudrate!: number | null;
  printerProfile!: string;
}

export class PrinterProfileRefDto {
  id!: string;
  name!: string;
}

export class ConnectionOptionsDto {
  /** Device ports found, the configured extra ports and `VIRTUAL`, naturally sorted. */
  ports!: string[];
  @ApiProperty({ type: 'integer', isArray: true })
  baudrates!: number[];
  printerProfiles!: PrinterProfileRefDto[];
  @ApiProperty({ type: String, nullable: true })
  portPreference!: string | null;
  @ApiProperty({ type: 'integer', nullable: true })
  baudratePreference!: number | null;
  printerProfilePreference!: string;
}

export class ConnectionSettingsResponseDto {
  current!: CurrentConnectionDto;
  options!: ConnectionOptionsDto;
}
