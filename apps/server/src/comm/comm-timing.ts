import type { FirmwareModel } from './firmware-model.js';
import type { CommTimeouts } from './printer-comm.options.js';
import type { Transmitter } from './transmitter.js';

/**
 * The conversation's timing (marlin-protocol.md §3.7): the ok-watchdog's timeout (`communication`, or
 * `communicationBusy` once the firmware showed the busy protocol or while a resend is answered), and the M105 poll
 * interval (shorter while a heater has a target).
 */
export class CommTiming {
  /** The firmware sent a busy line: timeouts shorten to `communicationBusy`. */
  private busyProtocol = false;

  constructor(
    private readonly timeouts: CommTimeouts,
    private readonly firmware: FirmwareModel,
    private readonly transmitter: () => Transmitter,
  ) {}

  /** A busy line: returns the M113 that sets the firmware's keep-alive interval the first time, else undefined. */
  busySeen(): string | undefined {
    if (this.busyProtocol) return undefined;
    this.busyProtocol = true;
    return `M113 S${Math.max(1, Math.round(this.timeouts.communicationBusy - 1))}`;
  }

  communicationTimeoutMs(): number {
    // A firmware that just asked for lines again answers them at once: silence during a resend is a broken
    // exchange (a resent line lost in the firmware's flush of its input), recovered after `communicationBusy`.
    const short = this.busyProtocol || this.transmitter().recovering;
    const communication = short ? this.timeouts.communicationBusy : this.timeouts.communication;
    return Math.max(communication, this.temperatureInterval() + 1) * 1000;
  }

  temperatureInterval(): number {
    if (this.firmware.autoreportTemperature) return 2;
    return this.firmware.heating ? 2 : this.timeouts.temperature;
  }

  /** The link is gone. */
  reset(): void {
    this.busyProtocol = false;
  }
}
