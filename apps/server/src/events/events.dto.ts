import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GcodeAnalysisDto } from '../files/files.dto.js';

/**
 * The payload of every event Hotend fires, declared once: the event bus is typed by it, the push socket sends it
 * as `event.payload`, and the SDK's `onEvent` reads its types from openapi.yaml (`PushEventPayloadsDto`).
 * Payloads follow OctoPrint 1.11 (docs/events); an event with a `null` payload says only that it happened.
 */

const NULL_PAYLOAD = {
  type: 'object',
  nullable: true,
  enum: [null],
  additionalProperties: false,
  description: 'Always null',
} as const;

export class RemoteAddressPayloadDto {
  /** The client's IP address. */
  remoteAddress!: string;
}

export class ClientAuthedPayloadDto {
  /** The key name the socket authenticated as. Empty for other clients unless they hold ADMIN. */
  @ApiPropertyOptional() username?: string;
  @ApiPropertyOptional() remoteAddress?: string;
}

export class UserPayloadDto {
  /** The API key's name. */
  username!: string;
}

export class ConnectedPayloadDto {
  /** The serial port (`VIRTUAL` for the simulator). */
  port!: string;
  baudrate!: number;
}

export class PrinterStateChangedPayloadDto {
  /** OctoPrint's state id: `OFFLINE`, `CONNECTING`, `OPERATIONAL`, `PRINTING`, `PAUSED`, `ERROR`, ... */
  state_id!: string;
  /** The state's text, as in `current.state.text`. */
  state_string!: string;
}

export class ErrorPayloadDto {
  /** What went wrong, as the printer or the host said it. */
  error!: string;
  /** `firmware`, `resend`, `resend_loop`, `timeout`, `connection`, `start_print`, `autodetect` or `crash`. */
  reason!: string;
  /** `emergency`, `disconnect` or `cancel`. */
  @ApiPropertyOptional() consequence?: string;
  @ApiPropertyOptional() faq?: string;
  /** The terminal lines around the error. */
  @ApiPropertyOptional({ type: String, isArray: true }) logs?: string[];
}

export class FirmwareDataPayloadDto {
  /** The firmware's name from its M115 reply (`FIRMWARE_NAME`). */
  name!: string;
  /** Every `KEY:value` field of the M115 reply. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  data!: Record<string, string>;
}

/** The job a print event is about (OctoPrint's job payload). */
export class PrintJobPayloadDto {
  /** File name. */
  name!: string;
  /** Path within its storage. */
  path!: string;
  /** `local` or `sdcard`. */
  origin!: string;
  /** Bytes, when known. */
  @ApiPropertyOptional({ type: 'integer' }) size?: number;
  /** The key name that owns the file, when known. */
  @ApiPropertyOptional() owner?: string;
  /** The key name that started the action, when known. */
  @ApiPropertyOptional() user?: string;
}

export class PrintPausedPayloadDto extends PrintJobPayloadDto {
  /** Completion in whole percent. */
  @ApiPropertyOptional({ type: 'integer' }) progress?: number;
  /** Byte position in the file. */
  @ApiPropertyOptional({ type: 'integer' }) fileposition?: number;
}

export class PrintEndedPayloadDto extends PrintJobPayloadDto {
  /** Seconds the print ran. */
  time!: number;
}

export class PrintCancelledPayloadDto extends PrintEndedPayloadDto {
  /** Completion in whole percent when cancelled. */
  @ApiPropertyOptional({ type: 'integer' }) progress?: number;
  /** Byte position in the file when cancelled. */
  @ApiPropertyOptional({ type: 'integer' }) fileposition?: number;
}

export class PrintFailedPayloadDto extends PrintEndedPayloadDto {
  /** `cancelled` or `error`. */
  @ApiProperty({ enum: ['cancelled', 'error'] }) reason!: 'cancelled' | 'error';
  /** For `error`: what went wrong. */
  @ApiPropertyOptional() error?: string;
  /** For `error`: completion as a fraction 0–1. */
  @ApiPropertyOptional() progress?: number;
}

export class FileRefPayloadDto {
  name!: string;
  path!: string;
  /** `local` or `sdcard`. */
  origin!: string;
}

export class FileChangePayloadDto {
  /** `local` or `sdcard`. */
  storage!: string;
  path!: string;
  name!: string;
  /** `["machinecode", "gcode"]` for G-code files. */
  @ApiProperty({ type: String, isArray: true }) type!: string[];
  /** `add`, `copy`, `move` or `remove`. */
  operation!: string;
}

export class FolderChangePayloadDto {
  /** `local`. */
  storage!: string;
  path!: string;
  name!: string;
}

export class MovedPayloadDto {
  /** `local`. */
  source_storage!: string;
  source_path!: string;
  source_name!: string;
  /** `["machinecode", "gcode"]` for a file, `["folder"]` for a folder. */
  @ApiProperty({ type: String, isArray: true }) source_type!: string[];
  destination_storage!: string;
  destination_path!: string;
  destination_name!: string;
  @ApiProperty({ type: String, isArray: true }) destination_type!: string[];
}

export class UploadPayloadDto {
  name!: string;
  path!: string;
  /** `local` or `sdcard`. */
  target!: string;
  /** Whether the upload asked to select / print the file ... */
  select!: boolean;
  print!: boolean;
  /** ... and whether that happened. */
  effective_select!: boolean;
  effective_print!: boolean;
  /** The `userdata` form field, parsed. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) userdata?: unknown;
}

export class MetadataAnalysisStartedPayloadDto {
  name!: string;
  path!: string;
  /** `local`. */
  origin!: string;
  /** `gcode`. */
  type!: string;
}

export class MetadataAnalysisFinishedPayloadDto {
  name!: string;
  path!: string;
  origin!: string;
  result!: GcodeAnalysisDto;
}

export class TransferStartedPayloadDto {
  /** The stored file being written to the card. */
  local!: string;
  /** Its 8.3 name on the card. */
  remote!: string;
}

export class TransferDonePayloadDto extends TransferStartedPayloadDto {
  /** Seconds the transfer took. */
  time!: number;
}

export class UpdatedFilesPayloadDto {
  /** Always `printables`. */
  type!: string;
}

export class ChartMarkedPayloadDto {
  /** `print`, `done`, `cancel`, `pause` or `resume`. */
  type!: string;
  label!: string;
}

/**
 * Event name → payload. Adding an event here declares it for the bus, the socket and the SDK at once; services
 * emit through `EventBus.emit(name, payload)`.
 */
export class PushEventPayloadsDto {
  @ApiProperty(NULL_PAYLOAD) Startup!: null;
  @ApiProperty(NULL_PAYLOAD) Shutdown!: null;
  /** A push socket opened. */
  ClientOpened!: RemoteAddressPayloadDto;
  /** A push socket sent a valid `auth`; the payload is `{}` for sockets without ADMIN. */
  ClientAuthed!: ClientAuthedPayloadDto;
  ClientClosed!: RemoteAddressPayloadDto;
  /** A login session was created (ADMIN sockets only). */
  UserLoggedIn!: UserPayloadDto;
  /** A key's sessions were logged out (ADMIN sockets only). */
  UserLoggedOut!: UserPayloadDto;
  /** Opening the serial port began. */
  @ApiProperty(NULL_PAYLOAD) Connecting!: null;
  /** The handshake with the firmware completed. */
  Connected!: ConnectedPayloadDto;
  @ApiProperty(NULL_PAYLOAD) Disconnecting!: null;
  @ApiProperty(NULL_PAYLOAD) Disconnected!: null;
  PrinterStateChanged!: PrinterStateChangedPayloadDto;
  /** An unrecoverable communication or firmware error. */
  Error!: ErrorPayloadDto;
  /** The firmware answered M115. */
  FirmwareData!: FirmwareDataPayloadDto;
  PrintStarted!: PrintJobPayloadDto;
  PrintPaused!: PrintPausedPayloadDto;
  PrintResumed!: PrintJobPayloadDto;
  PrintCancelling!: PrintJobPayloadDto;
  PrintCancelled!: PrintCancelledPayloadDto;
  PrintDone!: PrintEndedPayloadDto;
  PrintFailed!: PrintFailedPayloadDto;
  FileSelected!: FileRefPayloadDto;
  @ApiProperty(NULL_PAYLOAD) FileDeselected!: null;
  FileAdded!: FileChangePayloadDto;
  FileRemoved!: FileChangePayloadDto;
  FileMoved!: MovedPayloadDto;
  FolderAdded!: FolderChangePayloadDto;
  FolderRemoved!: FolderChangePayloadDto;
  FolderMoved!: MovedPayloadDto;
  /** A file arrived through `POST /api/files/{location}` (after its FileAdded). */
  Upload!: UploadPayloadDto;
  MetadataAnalysisStarted!: MetadataAnalysisStartedPayloadDto;
  MetadataAnalysisFinished!: MetadataAnalysisFinishedPayloadDto;
  /** A stored file started being written to the SD card. */
  TransferStarted!: TransferStartedPayloadDto;
  TransferDone!: TransferDonePayloadDto;
  TransferFailed!: TransferStartedPayloadDto;
  /** The file list changed (after any add, remove or move). */
  UpdatedFiles!: UpdatedFilesPayloadDto;
  ChartMarked!: ChartMarkedPayloadDto;
}

export type HotendEventName = keyof PushEventPayloadsDto;
export type HotendEventPayload<N extends HotendEventName> = PushEventPayloadsDto[N];

/** One fired event, as the bus hands it to listeners. */
export interface HotendEvent<N extends HotendEventName = HotendEventName> {
  readonly type: N;
  readonly payload: Readonly<HotendEventPayload<N>>;
}
