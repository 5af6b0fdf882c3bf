import type { FirmwareModel } from './firmware-model.js';
import { commandCode, MAX_LINE_BYTES, stripComment } from './gcode-line.js';
import { CommandRejectedError } from './printer-comm.options.js';
import type { Transmitter } from './transmitter.js';

/** Longest command accepted; `N<7 digits> ` and `*<cs>` must still fit Marlin's 95 bytes. */
export const MAX_COMMAND_BYTES = MAX_LINE_BYTES - 'N9999999 '.length - '*127'.length;
/** Jump the queue when the firmware has an emergency parser (OctoPrint's `_emergency_force_send`). */
const FORCE_SEND = new Set(['M108', 'M410']);

export interface CommandIntakeHost {
  /** A link is open and the printer is operational. */
  operational(): boolean;
  /** M112 was sent: the emergency stop sequence, then close. */
  emergencyStop(): void;
  log(message: string): void;
}

/**
 * Commands from the server (`send()`): comments stripped, blank and blocked lines dropped, refused when too long or
 * when the printer is not operational; `M112` stops at once, M108/M410 jump the queue for an emergency parser;
 * the rest queue in order for the transmitter.
 */
export class CommandIntake {
  constructor(
    private readonly transmitter: Transmitter,
    private readonly firmware: FirmwareModel,
    private readonly host: CommandIntakeHost,
  ) {}

  /** Queues lines in order; resolves when the firmware accepted every one. */
  send(lines: string | readonly string[]): Promise<void> {
    const commands = (typeof lines === 'string' ? [lines] : [...lines])
      .map(stripComment)
      .filter((line) => line !== '' && !this.isBlocked(line));
    if (!this.host.operational()) return Promise.reject(new CommandRejectedError('Printer is not operational'));
    const tooLong = commands.find((command) => Buffer.byteLength(command, 'latin1') > MAX_COMMAND_BYTES);
    if (tooLong !== undefined) {
      return Promise.reject(
        new CommandRejectedError(
          `Line is longer than ${MAX_COMMAND_BYTES} bytes and would be truncated by the firmware`,
        ),
      );
    }
    if (commands.some((command) => commandCode(command) === 'M112')) {
      this.host.emergencyStop();
      return Promise.resolve();
    }
    if (commands.length === 0) return Promise.resolve();
    if (this.firmware.has('EMERGENCY_PARSER')) {
      const urgent = commands.filter((command) => FORCE_SEND.has(commandCode(command) ?? ''));
      if (urgent.length > 0) {
        const rest = commands.filter((command) => !urgent.includes(command));
        return Promise.all([...urgent.map((command) => this.forceSend(command)), this.send(rest)]).then(
          () => undefined,
        );
      }
    }
    return new Promise<void>((resolve, reject) => {
      this.transmitter.enqueue(commands, { remaining: commands.length, resolve, reject, settled: false });
      this.transmitter.pump();
    });
  }

  /** M0/M1 wait for a button on the printer's display that a host user may not be near: never sent (OctoPrint). */
  private isBlocked(command: string): boolean {
    const code = commandCode(command);
    if (code !== 'M0' && code !== 'M1') return false;
    this.host.log(`Not sending ${code} to printer, it's configured as a blocked command`);
    return true;
  }

  /**
   * M108/M410 with an emergency parser: sent at once, past the queue and past flow control (the parser acts on them
   * as they arrive, e.g. M108 ends an M109 wait). They still take a place in line for their ok.
   */
  private forceSend(command: string): Promise<void> {
    this.host.log(`Force-sending ${commandCode(command) ?? command} to the printer`);
    return new Promise<void>((resolve, reject) => {
      this.transmitter.forceSend(command, { remaining: 1, resolve, reject, settled: false });
    });
  }
}
