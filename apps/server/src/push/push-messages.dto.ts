import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { PushEventPayloadsDto } from '../events/events.dto.js';
import { JobInfoDto, JobProgressDto } from '../job/job.dto.js';
import { PrinterStateDto, TemperatureHistoryEntryDto } from '../printer/printer.dto.js';

/**
 * Every message the push socket (`/sockjs`) sends, declared once: the server builds them from these classes and
 * the SDK's `client.socket` reads their types from openapi.yaml (`PushMessagesDto`). A message on the wire is an
 * object with exactly one key, the type: `{"current": {...}}`.
 */

export class PermissionNeedsDto {
  @ApiProperty({ type: String, isArray: true }) role!: string[];
}

/** One permission, for a UI that decides what to show by matching `needs` against the login's `needs`. */
export class PushPermissionDto {
  key!: string;
  name!: string;
  dangerous!: boolean;
  @ApiProperty({ type: String, isArray: true }) default_groups!: string[];
  description!: string;
  needs!: PermissionNeedsDto;
}

/** Sent once, right after the socket opens; needs no permission. */
export class ConnectedMessageDto {
  version!: string;
  display_version!: string;
  @ApiProperty({ type: String, nullable: true }) branch!: string | null;
  /** The runtime (Hotend: `node <version>`), for display. */
  python_version!: string;
  /** Changes when the set of plugins changes (Hotend has none: a constant). */
  plugin_hash!: string;
  /** Changes when the configuration changes; a UI offers a reload. */
  config_hash!: string;
  debug!: boolean;
  @ApiProperty({ oneOf: [{ type: 'boolean', enum: [false] }, { type: 'string' }] }) safe_mode!: false | string;
  online!: boolean;
  @ApiProperty({ type: PushPermissionDto, isArray: true }) permissions!: PushPermissionDto[];
}

export class ResendStatsDto {
  /** Resend requests received from the printer since the connection opened. */
  @ApiProperty({ type: 'integer' }) count!: number;
  /** Lines sent since the connection opened. */
  @ApiProperty({ type: 'integer' }) transmitted!: number;
  /** Resend requests per line sent, in whole percent (rounded down). */
  @ApiProperty({ type: 'integer' }) ratio!: number;
}

export class BusyFileDto {
  origin!: string;
  path!: string;
}

export class MarkingDto {
  /** `print`, `done`, `cancel`, `pause`, `resume`. */
  type!: string;
  label!: string;
  /** Epoch seconds. */
  time!: number;
}

/** What `history` and `current` share. */
export class PushStateDto {
  state!: PrinterStateDto;
  /** As `GET /api/job` answers it. */
  job!: JobInfoDto;
  progress!: JobProgressDto;
  /** The Z of the last G0/G1 sent that named one; null until then (and after a disconnect). */
  @ApiProperty({ type: Number, nullable: true }) currentZ!: number | null;
  /** Host-side temperature offsets per heater (`{"tool0": 0, "bed": 0}`), or `{}`. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) offsets!: Record<string, number>;
  resends!: ResendStatsDto;
  /** Temperature points: since the last `current` on this socket, or the last 30 minutes in `history`. */
  @ApiProperty({ type: TemperatureHistoryEntryDto, isArray: true }) temps!: TemperatureHistoryEntryDto[];
  /**
   * Terminal lines (`Send: N3 G28*18`, `Recv: ok`), in order: in `current` every line since the last one, in
   * `history` the last 300. Only for keys with MONITOR_TERMINAL; the key is absent otherwise.
   */
  @ApiPropertyOptional({ type: String, isArray: true }) logs?: string[];
  /** The firmware's lines alone, without the `Recv: ` prefix; same rules as `logs`. */
  @ApiPropertyOptional({ type: String, isArray: true }) messages?: string[];
  /** The full list every time. */
  @ApiProperty({ type: MarkingDto, isArray: true }) markings!: MarkingDto[];
  /** Epoch seconds (fractional). */
  serverTime!: number;
}

/** Sent once after `auth` (and when `subscribe` turns state on): the state and the recent past. */
export class HistoryMessageDto extends PushStateDto {}

/** Sent on change, at most once per 0.5 s × the socket's throttle factor; nothing between two is lost. */
export class CurrentMessageDto extends PushStateDto {
  /** Files in use by a print (never deleted or moved meanwhile). */
  @ApiProperty({ type: BusyFileDto, isArray: true }) busyFiles!: BusyFileDto[];
}

/** One event (see `PushEventPayloadsDto` for each type's payload). */
export class EventMessageDto {
  /** The event name: `PrinterStateChanged`, `PrintDone`, ... */
  type!: string;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'The payload of `type` (see PushEventPayloadsDto)',
  })
  payload!: PushEventPayloadsDto[keyof PushEventPayloadsDto];
}

/** The socket's login ended: `logout`, `stale` (expired or a failed `auth`), `removed` (key deleted), `modified`. */
export class ReauthRequiredMessageDto {
  @ApiProperty({ enum: ['logout', 'stale', 'removed', 'modified'] })
  reason!: 'logout' | 'stale' | 'removed' | 'modified';
}

/** Message type → payload, for everything the server sends. */
export class PushMessagesDto {
  connected!: ConnectedMessageDto;
  reauthRequired!: ReauthRequiredMessageDto;
  history!: HistoryMessageDto;
  current!: CurrentMessageDto;
  event!: EventMessageDto;
  /** Always null: Hotend has no timelapse. Sent once right after `history`, as the OctoPrint UI expects. */
  @ApiProperty({ type: 'object', nullable: true, enum: [null], additionalProperties: false }) timelapse!: null;
}

export type PushMessageType = keyof PushMessagesDto;

/** Which terminal lines a socket wants: all (`true`), none (`false`), or those matching a regular expression. */
export class PushStateSubscriptionDto {
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'string' }] }) logs?: boolean | string;
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'string' }] }) messages?: boolean | string;
}

/**
 * `subscribe`: what the socket wants from now on (an omitted key means none). `state: true` means logs without
 * messages, as in OctoPrint.
 */
@ApiExtraModels(PushStateSubscriptionDto)
export class PushSubscriptionDto {
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { $ref: getSchemaPath(PushStateSubscriptionDto) }] })
  state?: boolean | PushStateSubscriptionDto;
  /** `true` for every event, or the event names wanted. */
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string' } }] })
  events?: boolean | string[];
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string' } }] })
  plugins?: boolean | string[];
}

/** Message type → payload, for everything a client may send (one type per message). */
export class PushClientMessagesDto {
  /** `<name>:<session>` from the login answer. */
  auth!: string;
  /** Send `current` at most every 0.5 s × this factor (1–30). */
  @ApiProperty({ type: 'integer', minimum: 1 }) throttle!: number;
  subscribe!: PushSubscriptionDto;
}
