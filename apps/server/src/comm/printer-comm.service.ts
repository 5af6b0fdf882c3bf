import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { createSimBinding, MarlinSim } from '@hotend/firmware-sim';
import { HotendConfigService } from '../config/config.service.js';
import { HOTEND_LOG, type HotendLogApi } from '../logging/logging.types.js';
import { type CommClock, PrinterComm } from './printer-comm.js';
import type {
  ConnectionParameters,
  CurrentConnection,
  HeaterReadings,
  PrinterCommApi,
  PrinterErrorInfo,
  PrinterStatus,
  SdStatus,
  TemperatureSample,
} from './printer-comm.types.js';
import { listDevicePorts, VIRTUAL_PORT } from './port-scanner.js';
import type { SdFileEntry } from './reply-parsers.js';
import { type CommLink, type LinkHandlers, openSerialLink, type SerialBinding } from './serial-link.js';

/** Optional overrides for tests: a clock for the comm layer and a factory for the virtual printer. */
export interface CommTestHooks {
  clock?: CommClock;
  createVirtualPrinter?: () => MarlinSim;
}

export const COMM_TEST_HOOKS = Symbol('COMM_TEST_HOOKS');

/**
 * The server's single printer connection: builds a PrinterComm from `serial.*` and the printer profile, opens
 * `VIRTUAL` through the simulator's binding and device paths through `@serialport/bindings-cpp` (loaded lazily),
 * autoconnects on start and disconnects on shutdown.
 */
@Injectable()
export class PrinterCommService implements PrinterCommApi, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('hotend.comm');
  readonly comm: PrinterComm;
  private virtual: MarlinSim | undefined;

  constructor(
    private readonly config: HotendConfigService,
    @Optional() @Inject(HOTEND_LOG) private readonly logs?: HotendLogApi,
    @Optional() @Inject(COMM_TEST_HOOKS) private readonly hooks?: CommTestHooks,
  ) {
    const { serial, printerProfile } = config.get();
    const serialLog = logs?.serial;
    this.comm = new PrinterComm({
      openLink: (port, baudrate, handlers) => this.openLink(port, baudrate, handlers),
      ...(hooks?.clock === undefined ? {} : { clock: hooks.clock }),
      timeouts: serial.timeouts,
      flowControl: serial.flowControl,
      sendAheadLines: serial.sendAheadLines,
      rxBufferSize: serial.rxBufferSize,
      profile: {
        extruders: printerProfile.extruder.count,
        heatedBed: printerProfile.heatedBed,
        heatedChamber: printerProfile.heatedChamber,
      },
      detectionPorts: () => listDevicePorts(this.config.get().serial.additionalPorts),
      ...(serialLog === undefined
        ? {}
        : {
            traffic: {
              get enabled() {
                return serialLog.enabled;
              },
              append: (direction, line) => {
                if (serialLog.enabled) serialLog.append(direction, line);
              },
              rollOver: () => serialLog.rollOver(),
            },
          }),
      diagnostics: {
        log: (message) => this.logger.log(message),
        warn: (message) => this.logger.warn(message),
        error: (message) => this.logger.error(message),
      },
    });
  }

  onApplicationBootstrap(): void {
    const { serial } = this.config.get();
    if (!serial.autoconnect || serial.port === undefined) return;
    this.connect({ port: serial.port, baudrate: serial.baudrate ?? 0 }).catch((error: unknown) =>
      this.logger.warn(
        `Autoconnect to ${serial.port} failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.comm.disconnect();
    this.virtual?.dispose();
  }

  /** The simulator behind port `VIRTUAL` while connected to it (tests reach it here). */
  get virtualPrinter(): MarlinSim | undefined {
    return this.virtual;
  }

  get status(): PrinterStatus {
    return this.comm.status;
  }
  get connection(): CurrentConnection {
    return this.comm.connection;
  }
  get heaters(): HeaterReadings {
    return this.comm.heaters;
  }
  get temperatureHistory(): readonly TemperatureSample[] {
    return this.comm.temperatureHistory;
  }
  get sd(): SdStatus {
    return this.comm.sd;
  }
  get sdFiles(): readonly SdFileEntry[] {
    return this.comm.sdFiles;
  }
  get lastError(): PrinterErrorInfo | undefined {
    return this.comm.lastError;
  }
  get currentTool(): number {
    return this.comm.currentTool;
  }
  get invalidTools(): ReadonlySet<number> {
    return this.comm.invalidTools;
  }
  connect(parameters: ConnectionParameters): Promise<void> {
    return this.comm.connect(parameters);
  }
  disconnect(): Promise<void> {
    return this.comm.disconnect();
  }
  fakeAck(): void {
    this.comm.fakeAck();
  }
  send(lines: string | readonly string[]): Promise<void> {
    return this.comm.send(lines);
  }
  async listPorts(): Promise<string[]> {
    return [...(await listDevicePorts(this.config.get().serial.additionalPorts)), VIRTUAL_PORT];
  }

  private async openLink(port: string, baudrate: number, handlers: LinkHandlers): Promise<CommLink> {
    let binding: SerialBinding;
    if (port === VIRTUAL_PORT) {
      binding = createSimBinding(() => {
        this.virtual?.dispose();
        this.virtual = this.hooks?.createVirtualPrinter?.() ?? this.createVirtualPrinter();
        return this.virtual;
      }) as SerialBinding;
    } else {
      binding = (await import('@serialport/bindings-cpp')).autoDetect();
    }
    return openSerialLink(binding, port, baudrate, handlers);
  }

  private createVirtualPrinter(): MarlinSim {
    const { printerProfile } = this.config.get();
    return new MarlinSim({
      extruders: printerProfile.extruder.count,
      heatedBed: printerProfile.heatedBed,
      heatedChamber: printerProfile.heatedChamber,
    });
  }
}
