import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import type { MarlinSim } from '@hotend/firmware-sim';
import { HotendConfigService } from '../config/config.service.js';
import { HOTEND_LOG, type HotendLogApi } from '../logging/logging.types.js';
import { CommEngine, commSettings } from './comm-engine.js';
import type { CommClock } from './printer-comm.js';
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
import type { SdFileEntry } from './reply-parsers.js';
import { WorkerComm } from './worker-comm.js';

/** Optional overrides for tests: a clock for the comm layer and a factory for the virtual printer. */
export interface CommTestHooks {
  clock?: CommClock;
  createVirtualPrinter?: () => MarlinSim;
}

export const COMM_TEST_HOOKS = Symbol('COMM_TEST_HOOKS');

/** What the service reads and calls, wherever the protocol runs. */
interface CommBackend extends PrinterCommApi {
  readonly sdFiles: readonly SdFileEntry[];
  readonly currentTool: number;
  readonly invalidTools: ReadonlySet<number>;
  close(): Promise<void>;
}

/** `serial.thread: main`: PrinterComm on this thread, on the HTTP server's event loop. */
class InProcessComm implements CommBackend {
  constructor(readonly engine: CommEngine) {}
  get status(): PrinterStatus {
    return this.engine.comm.status;
  }
  get connection(): CurrentConnection {
    return this.engine.comm.connection;
  }
  get heaters(): HeaterReadings {
    return this.engine.comm.heaters;
  }
  get temperatureHistory(): readonly TemperatureSample[] {
    return this.engine.comm.temperatureHistory;
  }
  get sd(): SdStatus {
    return this.engine.comm.sd;
  }
  get sdFiles(): readonly SdFileEntry[] {
    return this.engine.comm.sdFiles;
  }
  get lastError(): PrinterErrorInfo | undefined {
    return this.engine.comm.lastError;
  }
  get currentTool(): number {
    return this.engine.comm.currentTool;
  }
  get invalidTools(): ReadonlySet<number> {
    return this.engine.comm.invalidTools;
  }
  connect(parameters: ConnectionParameters): Promise<void> {
    return this.engine.comm.connect(parameters);
  }
  disconnect(): Promise<void> {
    return this.engine.comm.disconnect();
  }
  fakeAck(): void {
    this.engine.comm.fakeAck();
  }
  send(lines: string | readonly string[]): Promise<void> {
    return this.engine.comm.send(lines);
  }
  listPorts(): Promise<string[]> {
    return this.engine.listPorts();
  }
  close(): Promise<void> {
    return this.engine.dispose();
  }
}

/**
 * The server's single printer connection, built from `serial.*` and the printer profile; autoconnects on start and
 * disconnects on shutdown. With `serial.thread: worker` (the default) the port, the protocol and the `VIRTUAL`
 * simulator run in a worker thread (WorkerComm mirrors their state here, so reads stay synchronous); with `main`
 * they run in-process. Test hooks (a virtual clock, a custom simulator) only exist in-process, so they select `main`.
 */
@Injectable()
export class PrinterCommService implements PrinterCommApi, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('hotend.comm');
  private readonly backend: CommBackend;

  constructor(
    private readonly config: HotendConfigService,
    @Optional() @Inject(HOTEND_LOG) logs?: HotendLogApi,
    @Optional() @Inject(COMM_TEST_HOOKS) hooks?: CommTestHooks,
  ) {
    const settings = commSettings(config.get());
    const additionalPorts = (): readonly string[] => this.config.get().serial.additionalPorts;
    const serialLog = logs?.serial;
    if (config.get().serial.thread === 'worker' && hooks === undefined) {
      this.backend = new WorkerComm(settings, additionalPorts, {
        log: (level, message) => this.logger[level](message),
        ...(serialLog === undefined ? {} : { serialLog }),
      });
      return;
    }
    const engine = new CommEngine(settings, {
      additionalPorts,
      ...(hooks?.clock === undefined ? {} : { clock: hooks.clock }),
      ...(hooks?.createVirtualPrinter === undefined ? {} : { createVirtualPrinter: hooks.createVirtualPrinter }),
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
    this.backend = new InProcessComm(engine);
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
    await this.backend.close();
  }

  /**
   * The simulator behind port `VIRTUAL` while connected to it, with `serial.thread: main` (tests reach it here);
   * in worker mode it lives in the worker and this is undefined.
   */
  get virtualPrinter(): MarlinSim | undefined {
    return this.backend instanceof InProcessComm ? this.backend.engine.virtualPrinter : undefined;
  }

  get status(): PrinterStatus {
    return this.backend.status;
  }
  get connection(): CurrentConnection {
    return this.backend.connection;
  }
  get heaters(): HeaterReadings {
    return this.backend.heaters;
  }
  get temperatureHistory(): readonly TemperatureSample[] {
    return this.backend.temperatureHistory;
  }
  get sd(): SdStatus {
    return this.backend.sd;
  }
  get sdFiles(): readonly SdFileEntry[] {
    return this.backend.sdFiles;
  }
  get lastError(): PrinterErrorInfo | undefined {
    return this.backend.lastError;
  }
  get currentTool(): number {
    return this.backend.currentTool;
  }
  get invalidTools(): ReadonlySet<number> {
    return this.backend.invalidTools;
  }
  connect(parameters: ConnectionParameters): Promise<void> {
    return this.backend.connect(parameters);
  }
  disconnect(): Promise<void> {
    return this.backend.disconnect();
  }
  fakeAck(): void {
    this.backend.fakeAck();
  }
  send(lines: string | readonly string[]): Promise<void> {
    return this.backend.send(lines);
  }
  listPorts(): Promise<string[]> {
    return this.backend.listPorts();
  }
}
