import { createSimBinding, MarlinSim } from '@hotend/firmware-sim';
import type { HotendConfig } from '../config/config.schema.js';
import type { SerialLogApi } from '../logging/logging.types.js';
import { PrinterComm } from './printer-comm.js';
import { type CommClock, type CommDiagnostics, REAL_CLOCK } from './printer-comm.options.js';
import { PrintJobRunner, printJobHostOf } from './print-job-runner.js';
import { listDevicePorts, VIRTUAL_PORT } from './port-scanner.js';
import { type CommLink, type LinkHandlers, openSerialLink, type SerialBinding } from './serial-link.js';

/** The part of the configuration the comm layer is built from: plain data, so it can cross the comm channel. */
export interface CommSettings {
  timeouts: HotendConfig['serial']['timeouts'];
  flowControl: HotendConfig['serial']['flowControl'];
  sendAheadLines: number;
  rxBufferSize: number;
  profile: { extruders: number; heatedBed: boolean; heatedChamber: boolean };
}

export function commSettings(config: HotendConfig): CommSettings {
  const { serial, printerProfile } = config;
  return {
    timeouts: { ...serial.timeouts },
    flowControl: serial.flowControl,
    sendAheadLines: serial.sendAheadLines,
    rxBufferSize: serial.rxBufferSize,
    profile: {
      extruders: printerProfile.extruder.count,
      heatedBed: printerProfile.heatedBed,
      heatedChamber: printerProfile.heatedChamber,
    },
  };
}

export interface CommEngineIo {
  diagnostics: CommDiagnostics;
  traffic?: SerialLogApi;
  /** `serial.additionalPorts`, read when ports are listed or detected (it may change at run time). */
  additionalPorts: () => readonly string[];
  clock?: CommClock;
  /** Replaces the default simulator behind `VIRTUAL` (tests). */
  createVirtualPrinter?: () => MarlinSim;
}

/**
 * PrinterComm with its ports: `VIRTUAL` through the simulator's binding (the simulator lives wherever the engine
 * lives), device paths through `@serialport/bindings-cpp` (loaded lazily). CommHost runs it, in the comm process or
 * in the server's (see comm-channel.ts).
 */
export class CommEngine {
  readonly comm: PrinterComm;
  /** Host printing: streams stored files into this connection's queue. */
  readonly printJobs: PrintJobRunner;
  private virtual: MarlinSim | undefined;

  constructor(
    private readonly settings: CommSettings,
    private readonly io: CommEngineIo,
  ) {
    this.comm = new PrinterComm({
      openLink: (port, baudrate, handlers) => this.openLink(port, baudrate, handlers),
      ...(io.clock === undefined ? {} : { clock: io.clock }),
      timeouts: settings.timeouts,
      flowControl: settings.flowControl,
      sendAheadLines: settings.sendAheadLines,
      rxBufferSize: settings.rxBufferSize,
      profile: settings.profile,
      detectionPorts: () => listDevicePorts(io.additionalPorts()),
      ...(io.traffic === undefined ? {} : { traffic: io.traffic }),
      diagnostics: io.diagnostics,
    });
    this.printJobs = new PrintJobRunner(printJobHostOf(this.comm, io.clock ?? REAL_CLOCK, io.diagnostics.log));
  }

  /** The simulator behind port `VIRTUAL` while connected to it. */
  get virtualPrinter(): MarlinSim | undefined {
    return this.virtual;
  }

  /** Serial ports that can be offered to connect to (always includes `VIRTUAL`). */
  async listPorts(): Promise<string[]> {
    return [...(await listDevicePorts(this.io.additionalPorts())), VIRTUAL_PORT];
  }

  async dispose(): Promise<void> {
    await this.comm.disconnect();
    this.virtual?.dispose();
    this.virtual = undefined;
  }

  private async openLink(port: string, baudrate: number, handlers: LinkHandlers): Promise<CommLink> {
    let binding: SerialBinding;
    if (port === VIRTUAL_PORT) {
      binding = createSimBinding(() => {
        this.virtual?.dispose();
        this.virtual = this.io.createVirtualPrinter?.() ?? this.createVirtualPrinter();
        return this.virtual;
      }) as SerialBinding;
    } else {
      binding = (await import('@serialport/bindings-cpp')).autoDetect();
    }
    return openSerialLink(binding, port, baudrate, handlers);
  }

  private createVirtualPrinter(): MarlinSim {
    const { profile } = this.settings;
    return new MarlinSim({
      extruders: profile.extruders,
      heatedBed: profile.heatedBed,
      heatedChamber: profile.heatedChamber,
    });
  }
}
