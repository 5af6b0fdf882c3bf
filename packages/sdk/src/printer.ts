import type { Http } from './http.js';
import type {
  Axis,
  BedCommandBody,
  ChamberCommandBody,
  FullPrinterState,
  PrinterErrorInfo,
  PrintheadCommand,
  PrintheadCommandBody,
  SdCommand,
  SdState,
  TemperatureState,
  ToolCommand,
  ToolCommandBody,
} from './types.js';

/** `history`/`limit` for the temperature reads; `limit` is only sent together with `history`, as OctoPrint's client does. */
export interface TemperatureHistoryOptions {
  /** Include the temperature history (oldest first). */
  history?: boolean;
  /** Only the last `limit` history entries. */
  limit?: number;
}

export type FullStatePart = 'temperature' | 'sd' | 'state';

export interface FullStateOptions extends TemperatureHistoryOptions {
  /** Parts to leave out of the answer. */
  exclude?: FullStatePart[];
}

export interface JogOptions {
  /** mm on X (relative, or the position with `absolute`). */
  x?: number;
  y?: number;
  z?: number;
  /** Move to the coordinates instead of by them (default false). */
  absolute?: boolean;
  /** mm/min; `false` or 0 sends no F; absent: the slowest profile speed of the moved axes. */
  speed?: number | false;
}

export interface ExtrudeOptions {
  /** mm/min, capped by the server at the profile's E speed. */
  speed?: number;
}

type Payload<Body> = Omit<Body, 'command'>;
type HeaterCommand = BedCommandBody['command'];

function historyQuery(options: TemperatureHistoryOptions): { history?: boolean; limit?: number } {
  if (!options.history) return {};
  return options.limit === undefined ? { history: true } : { history: true, limit: options.limit };
}

/**
 * `/api/printer`: OctoPrint's `OctoPrint.printer` component, with the same method names. Commands resolve when the
 * server has queued the G-code (204); they reject with HotendApiError (400 bad value, 409 printer not ready).
 */
export class PrinterApi {
  constructor(private readonly http: Http) {}

  /** Temperatures, SD state and printer state; 409 when the printer is not operational. */
  getFullState(options: FullStateOptions = {}): Promise<FullPrinterState> {
    const exclude = options.exclude?.length ? { exclude: options.exclude.join(',') } : {};
    return this.http.get('/api/printer', { query: { ...historyQuery(options), ...exclude } });
  }

  getToolState(options: TemperatureHistoryOptions = {}): Promise<TemperatureState> {
    return this.http.get('/api/printer/tool', { query: historyQuery(options) });
  }

  getBedState(options: TemperatureHistoryOptions = {}): Promise<TemperatureState> {
    return this.http.get('/api/printer/bed', { query: historyQuery(options) });
  }

  getChamberState(options: TemperatureHistoryOptions = {}): Promise<TemperatureState> {
    return this.http.get('/api/printer/chamber', { query: historyQuery(options) });
  }

  getSdState(): Promise<SdState> {
    return this.http.get('/api/printer/sd');
  }

  getErrorInfo(): Promise<PrinterErrorInfo> {
    return this.http.get('/api/printer/error');
  }

  issuePrintheadCommand(command: PrintheadCommand, payload: Payload<PrintheadCommandBody> = {}): Promise<void> {
    return this.http.post('/api/printer/printhead', { ...payload, command });
  }

  issueToolCommand(command: ToolCommand, payload: Payload<ToolCommandBody> = {}): Promise<void> {
    return this.http.post('/api/printer/tool', { ...payload, command });
  }

  issueBedCommand(command: HeaterCommand, payload: Payload<BedCommandBody> = {}): Promise<void> {
    return this.http.post('/api/printer/bed', { ...payload, command });
  }

  issueChamberCommand(command: HeaterCommand, payload: Payload<ChamberCommandBody> = {}): Promise<void> {
    return this.http.post('/api/printer/chamber', { ...payload, command });
  }

  issueSdCommand(command: SdCommand): Promise<void> {
    return this.http.post('/api/printer/sd', { command });
  }

  /**
   * Jogs by (or, with `absolute`, to) the given coordinates. Unlike OctoPrint's client, an axis given as 0 is sent:
   * dropping it would make an absolute jog to 0 silently do nothing.
   */
  jog(options: JogOptions): Promise<void> {
    const { x, y, z, absolute = false, speed } = options;
    return this.issuePrintheadCommand('jog', {
      ...(x === undefined ? {} : { x }),
      ...(y === undefined ? {} : { y }),
      ...(z === undefined ? {} : { z }),
      absolute,
      ...(speed === undefined ? {} : { speed }),
    });
  }

  /** Homes the given axes; no axes homes all of them. */
  home(axes: Axis[] = []): Promise<void> {
    return this.issuePrintheadCommand('home', { axes });
  }

  /** Feed rate: an integer is a percentage (105), a fraction a factor (1.05); no argument resets to 100 %. */
  setFeedrate(factor = 100): Promise<void> {
    return this.issuePrintheadCommand('feedrate', { factor });
  }

  /** Flow rate: an integer is a percentage (95), a fraction a factor (0.95); no argument resets to 100 %. */
  setFlowrate(factor = 100): Promise<void> {
    return this.issueToolCommand('flowrate', { factor });
  }

  /** Targets in °C keyed `tool0`, `tool1`, ... (0 turns a heater off). */
  setToolTargetTemperatures(targets: Record<string, number>): Promise<void> {
    return this.issueToolCommand('target', { targets });
  }

  /** Host-side offsets in °C (−50..50) keyed `tool0`, `tool1`, ... */
  setToolTemperatureOffsets(offsets: Record<string, number>): Promise<void> {
    return this.issueToolCommand('offset', { offsets });
  }

  /** Makes `toolN` the current tool. */
  selectTool(tool: string): Promise<void> {
    return this.issueToolCommand('select', { tool });
  }

  /**
   * Extrudes `amount` mm (negative retracts) from the current tool. Unlike OctoPrint's client, 0 is sent as 0
   * rather than null (which the server would refuse).
   */
  extrude(amount: number, options: ExtrudeOptions = {}): Promise<void> {
    return this.issueToolCommand('extrude', {
      amount,
      ...(options.speed === undefined ? {} : { speed: options.speed }),
    });
  }

  setBedTargetTemperature(target: number): Promise<void> {
    return this.issueBedCommand('target', { target });
  }

  setBedTemperatureOffset(offset: number): Promise<void> {
    return this.issueBedCommand('offset', { offset });
  }

  setChamberTargetTemperature(target: number): Promise<void> {
    return this.issueChamberCommand('target', { target });
  }

  setChamberTemperatureOffset(offset: number): Promise<void> {
    return this.issueChamberCommand('offset', { offset });
  }

  initSd(): Promise<void> {
    return this.issueSdCommand('init');
  }

  refreshSd(): Promise<void> {
    return this.issueSdCommand('refresh');
  }

  releaseSd(): Promise<void> {
    return this.issueSdCommand('release');
  }
}
