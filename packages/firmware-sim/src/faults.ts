import type { MarlinSim } from './sim.js';

export type FatalKind = 'thermal_runaway' | 'maxtemp' | 'mintemp' | 'heating_failed';
export type HeaterRef = number | 'bed' | 'chamber' | `T${number}` | 'B' | 'C';
export const FATAL_TEXT: Record<FatalKind, string> = {
  thermal_runaway: 'Thermal Runaway',
  maxtemp: 'MAXTEMP triggered',
  mintemp: 'MINTEMP triggered',
  heating_failed: 'Heating failed',
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fault injection (spec §2.8). Every fault is one-shot unless said otherwise, deterministic, and leaves no timer open
 * beyond its own duration.
 */
export class SimFaults {
  /** @internal */ corruptLines: Array<number | null> = [];
  /** @internal */ dropOks = 0;
  /** @internal */ dropLines = 0;
  /** @internal */ resendsWithoutOk = 0;
  /** @internal */ duplicateOks = 0;
  /** @internal */ garbles: number[] = [];
  /** @internal */ lineNumberErrors: Array<number | null> = [];
  /** @internal */ preparedOks: string[] = [];
  /** @internal */ stallOkMs = 0;
  /** @internal */ noiseRate = 0;
  /** @internal */ rng: () => number;
  /** @internal */ silentUntil = 0;
  /** @internal */ rxStalledUntil = 0;

  constructor(private readonly sim: MarlinSim) {
    this.rng = mulberry32(1);
  }

  /** Treats numbered line `n` (or the next numbered line) as having a bad checksum, once. */
  corruptNextLine(n?: number): void {
    this.corruptLines.push(n ?? null);
  }

  /** The next `ok…` line is not sent. */
  dropNextOk(): void {
    this.dropOks++;
  }

  /** The next received line is dropped entirely: not executed, no ok, last N unchanged. */
  dropNextLine(): void {
    this.dropLines++;
  }

  /** The next numbered line is rejected with only `Resend: <last_N+1>`: no error line, no ok, not executed. */
  resendWithoutOk(): void {
    this.resendsWithoutOk++;
  }

  /** The next `ok` is sent twice. */
  duplicateOk(): void {
    this.duplicateOks++;
  }

  /** The next output line is garbled: its first `bytes` characters (default all) get bit 0 flipped (`ok` → `nj`). */
  garbleNextOutput(bytes = Infinity): void {
    this.garbles.push(bytes);
  }

  /** The next `ok` is replaced by `text` (VP `prepare_ok`). */
  prepareOk(text: string): void {
    this.preparedOks.push(text);
  }

  /**
   * The next numbered line draws a line-number error as if the firmware expected `expectedN` (default: that line,
   * so the host has to send it again): `Error:Line Number is not Last Line Number+1, Last Line: <expectedN-1>`,
   * `Resend: <expectedN>`, `ok`.
   */
  lineNumberError(expectedN?: number): void {
    this.lineNumberErrors.push(expectedN ?? null);
  }

  /** Fatal heater error: `Error:<reason>, system stopped! Heater_ID: <id>`, `Error:Printer halted. kill() called!`. */
  fatal(kind: FatalKind, heater: HeaterRef = 0): void {
    this.sim.fatal(kind, heater);
  }

  /** `Error:Printer halted. kill() called!`, then silence until a reset. */
  kill(): void {
    this.sim.kill();
  }

  /** Marlin `stop()`: the stopped state that M999 clears. */
  stop(): void {
    this.sim.stop();
  }

  /** No output and all input dropped, for `ms` or for ever (until {@link unsilence} or a reset). */
  silence(ms?: number): void {
    this.silentUntil = ms === undefined ? Infinity : this.sim.clock.now() + ms;
  }

  unsilence(): void {
    this.silentUntil = 0;
  }

  /**
   * The firmware stops draining its serial input for `ms` or for ever (until {@link unstallRx}, `clear()` or a
   * reset): nothing more is accepted, so a host's writes block (the RX buffer and the USB endpoint are full).
   */
  stallRx(ms?: number): void {
    this.sim.stallRx(ms === undefined ? Infinity : ms);
  }

  unstallRx(): void {
    this.sim.stallRx(0);
  }

  /** The connection breaks: the binding fails pending reads with an error and closes (pty: the master closes). */
  disconnect(): void {
    this.sim.disconnect();
  }

  /** Reset (like a watchdog or DTR reset): banner, last N = 0, all state cleared. */
  reset(): void {
    this.sim.reset();
  }

  /** The firmware is busy for `ms` (no intake, `echo:busy: <kind>` every keepalive interval), then carries on. */
  busy(ms: number, kind: 'processing' | 'paused for user' | 'paused for input' = 'processing'): void {
    this.sim.injectBusy(ms, kind);
  }

  /** The next ok comes `ms` late (silently, no busy lines). */
  stallOk(ms: number): void {
    this.stallOkMs = ms;
  }

  /** Holds a heater at a fixed temperature (null releases it). */
  pinTemp(heater: HeaterRef, temperature: number | null): void {
    this.sim.pinTemp(heater, temperature);
  }

  /** Each numbered line is corrupted (checksum mismatch) with probability `rate` (0..1), from a seeded PRNG. */
  noise(rate: number, seed?: number): void {
    this.noiseRate = rate;
    if (seed !== undefined) this.rng = mulberry32(seed);
  }

  /** Changes the RX buffer size (bytes). */
  setRxBuffer(bytes: number): void {
    this.sim.setRxBufferSize(bytes);
  }

  /** Changes the planner size (BLOCK_BUFFER_SIZE). */
  setPlanner(blocks: number): void {
    this.sim.setPlannerBlocks(blocks);
  }

  /** Sends `text` as a raw output line. */
  send(text: string): void {
    this.sim.sendLine(text);
  }

  /** Clears every pending one-shot fault, the noise and the silence. */
  clear(): void {
    this.corruptLines = [];
    this.dropOks = 0;
    this.dropLines = 0;
    this.resendsWithoutOk = 0;
    this.duplicateOks = 0;
    this.garbles = [];
    this.lineNumberErrors = [];
    this.preparedOks = [];
    this.stallOkMs = 0;
    this.noiseRate = 0;
    this.silentUntil = 0;
    if (this.rxStalledUntil > 0) this.unstallRx();
  }
}

/** Runs one `!!DEBUG:<command>` (VP names and ours) against `sim`; unknown names get an `echo:` line. */
export function runDebugCommand(sim: MarlinSim, text: string): void {
  const [name = '', ...args] = text.split(/\s+/).filter((s) => s.length > 0);
  const rest = text.slice(name.length).trim();
  const n = (i: number): number | undefined => {
    const v = Number(args[i]);
    return args[i] !== undefined && Number.isFinite(v) ? v : undefined;
  };
  const f = sim.faults;
  switch (name.toLowerCase()) {
    case '':
    case 'help':
    case '?':
      for (const line of DEBUG_HELP) sim.sendLine(`echo: ${line}`);
      return;
    case 'corrupt_next_line':
    case 'corrupt_line':
    case 'trigger_resend_checksum':
      f.corruptNextLine(n(0));
      return;
    case 'drop_next_ok':
      f.dropNextOk();
      return;
    case 'drop_next_line':
    case 'dont_answer':
      f.dropNextLine();
      return;
    case 'resend_without_ok':
      f.resendWithoutOk();
      return;
    case 'duplicate_ok':
      f.duplicateOk();
      return;
    case 'garble_next_output':
      f.garbleNextOutput(n(0));
      return;
    case 'prepare_ok':
      f.prepareOk(rest);
      return;
    case 'line_number_error':
    case 'trigger_resend_lineno':
      f.lineNumberError(n(0));
      return;
    case 'fatal': {
      const kind = (args[0] ?? 'thermal_runaway') as FatalKind;
      const heaterArg = args[1] ?? '0';
      const heater: HeaterRef = /^\d+$/.test(heaterArg) ? Number(heaterArg) : (heaterArg as HeaterRef);
      f.fatal(FATAL_TEXT[kind] ? kind : 'thermal_runaway', heater);
      return;
    }
    case 'trigger_fatal_error_marlin':
      f.fatal('thermal_runaway', 'bed');
      return;
    case 'mintemp_error':
      f.fatal('mintemp', 0);
      return;
    case 'maxtemp_error':
      f.fatal('maxtemp', 0);
      return;
    case 'kill':
      f.kill();
      return;
    case 'stop':
      f.stop();
      return;
    case 'silence':
    case 'go_awol': {
      const ms = n(0);
      if (name === 'go_awol') sim.sendLine('// Going AWOL');
      f.silence(ms);
      return;
    }
    case 'sleep': {
      const s = n(0) ?? 1;
      sim.sendLine(`// sleeping for ${s} seconds`);
      f.busy(s * 1000);
      return;
    }
    case 'disconnect':
    case 'drop_connection':
      f.disconnect();
      return;
    case 'reset':
      f.reset();
      return;
    case 'busy':
      f.busy(n(0) ?? 2000, (args.slice(1).join(' ') || 'processing') as 'processing');
      return;
    case 'stall_ok':
      f.stallOk(n(0) ?? 1000);
      return;
    case 'stall_rx':
      f.stallRx(n(0));
      return;
    case 'pin_temp': {
      const heaterArg = args[0] ?? 'T0';
      const heater: HeaterRef = /^\d+$/.test(heaterArg) ? Number(heaterArg) : (heaterArg as HeaterRef);
      f.pinTemp(heater, n(1) ?? null);
      return;
    }
    case 'unpin_temp':
      f.pinTemp(/^\d+$/.test(args[0] ?? '0') ? Number(args[0] ?? 0) : ((args[0] ?? 'T0') as HeaterRef), null);
      return;
    case 'noise':
      f.noise(n(0) ?? 0, n(1));
      return;
    case 'resend_ratio':
      f.noise((n(0) ?? 0) / 100, n(1));
      return;
    case 'send':
      sim.sendLine(rest);
      return;
    case 'action_pause':
    case 'action_resume':
    case 'action_disconnect':
      sim.sendLine(`// action:${name.slice(7)}`);
      return;
    case 'action_custom':
      sim.sendLine(`// action:${rest}`);
      return;
    case 'set_ambient': {
      const v = n(0);
      if (v !== undefined) sim.setAmbient(v);
      return;
    }
    case 'unbusy':
      sim.unbusy();
      return;
    case 'clear':
      f.clear();
      return;
    default:
      sim.sendLine(`echo: Unknown debug command: ${name}`);
  }
}

const DEBUG_HELP = [
  '!!DEBUG:<command> (no ok). Commands:',
  'corrupt_next_line [n] | drop_next_ok | drop_next_line (dont_answer) | resend_without_ok | duplicate_ok',
  'garble_next_output [bytes] | prepare_ok <text> | line_number_error [expectedN] (trigger_resend_lineno)',
  'fatal <thermal_runaway|maxtemp|mintemp|heating_failed> <0|1|bed|chamber> | trigger_fatal_error_marlin',
  'mintemp_error | maxtemp_error | kill | stop | silence [ms] | go_awol | sleep <s> | busy <ms> [kind]',
  'stall_ok <ms> | stall_rx [ms] | disconnect (drop_connection) | reset | pin_temp <T0|bed|chamber> <t> | unpin_temp <heater>',
  'noise <rate 0..1> [seed] | resend_ratio <percent> [seed] | send <text> | set_ambient <t> | unbusy | clear',
  'action_pause | action_resume | action_disconnect | action_custom <action> [params]',
];
