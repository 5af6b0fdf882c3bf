import type { TemperatureSample } from '../comm/printer-comm.types.js';
import type { TemperatureHistoryEntryDto } from '../printer/printer.dto.js';
import type { CurrentMessageDto, HistoryMessageDto } from './push-messages.dto.js';

/** What every `current` carries in full (the rest, temps and terminal lines, are deltas). */
export type StateBase = Pick<
  CurrentMessageDto,
  'state' | 'job' | 'progress' | 'currentZ' | 'offsets' | 'resends' | 'busyFiles' | 'markings'
>;

/**
 * One `current` worth of change, shared by every socket it goes to. Sockets that get exactly this frame (the
 * common case) share its serialisation too; a slower socket merges several frames into one of its own.
 */
export interface StateFrame {
  readonly base: StateBase;
  readonly temps: readonly TemperatureHistoryEntryDto[];
  readonly logs: readonly string[];
  readonly messages: readonly string[];
  readonly serverTime: number;
  /** Serialised messages by variant (e.g. with or without terminal lines). */
  readonly json: Map<string, string>;
}

export type HistoryParts = Pick<HistoryMessageDto, 'temps' | 'logs' | 'messages'>;

export function frameOf(
  base: StateBase,
  temps: TemperatureHistoryEntryDto[],
  logs: string[],
  messages: string[],
): StateFrame {
  return { base, temps, logs, messages, serverTime: Date.now() / 1000, json: new Map() };
}

/** Two frames in a row as one: the later state, every point and line of both, in order. */
export function mergeFrames(earlier: StateFrame, later: StateFrame): StateFrame {
  return {
    base: later.base,
    temps: [...earlier.temps, ...later.temps],
    logs: [...earlier.logs, ...later.logs],
    messages: [...earlier.messages, ...later.messages],
    serverTime: later.serverTime,
    json: new Map(),
  };
}

/** A comm temperature sample as a `temps` point: `{time, tool0: {actual, target}, ...}`. */
export function temperaturePoint(sample: TemperatureSample): TemperatureHistoryEntryDto {
  const point: TemperatureHistoryEntryDto = { time: Math.floor(sample.time) };
  for (const [heater, reading] of Object.entries(sample.heaters)) {
    point[heater] = { actual: reading.actual, target: reading.target };
  }
  return point;
}
