import type { CommClock } from './printer-comm.options.js';
import type { Transmitter } from './transmitter.js';

export interface PollerHost {
  /** A link is open and the printer is operational. */
  operational(): boolean;
  /** Seconds between M105 polls, or undefined when the firmware auto-reports temperatures. */
  temperatureInterval(): number | undefined;
  /** Whether M27 polls are wanted: an SD file is selected or printing and the firmware does not auto-report it. */
  sdPollWanted(): boolean;
}

/**
 * The host's polls (marlin-protocol.md §3.9): M105 every `temperatureInterval` unless the firmware auto-reports,
 * and M27 every `sdStatusS` while an SD file is selected or printing. Polls go through the transmitter's queue, at
 * most one of each kind, and wait while a heat-up or long-running command is in flight.
 */
export class Pollers {
  private temperatureTimer: unknown;
  private sdTimer: unknown;

  constructor(
    private readonly clock: CommClock,
    private readonly sdStatusS: number,
    private readonly transmitter: Transmitter,
    private readonly host: PollerHost,
  ) {}

  /** (Re)starts the M105 poll at the current interval (it shortens while a heater has a target). */
  scheduleTemperature(): void {
    this.clock.clearTimeout(this.temperatureTimer);
    this.temperatureTimer = undefined;
    const interval = this.host.temperatureInterval();
    if (interval === undefined || !this.host.operational()) return;
    this.temperatureTimer = this.clock.setTimeout(() => {
      this.temperatureTimer = undefined;
      if (!this.transmitter.heating) this.transmitter.enqueuePoll('M105', 'temperature-poll');
      this.scheduleTemperature();
    }, interval * 1000);
  }

  /** Starts or stops the M27 poll as `sdPollWanted` says. */
  scheduleSd(): void {
    if (!this.host.sdPollWanted()) {
      this.clock.clearTimeout(this.sdTimer);
      this.sdTimer = undefined;
      this.transmitter.dropPoll('sd-status-poll');
      return;
    }
    if (this.sdTimer !== undefined) return;
    this.sdTimer = this.clock.setTimeout(() => {
      this.sdTimer = undefined;
      if (!this.host.sdPollWanted()) return;
      if (!this.transmitter.longRunning) this.transmitter.enqueuePoll('M27', 'sd-status-poll');
      this.scheduleSd();
    }, this.sdStatusS * 1000);
  }

  stop(): void {
    this.clock.clearTimeout(this.temperatureTimer);
    this.clock.clearTimeout(this.sdTimer);
    this.temperatureTimer = undefined;
    this.sdTimer = undefined;
  }
}
