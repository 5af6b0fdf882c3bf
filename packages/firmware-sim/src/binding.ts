import {
  type BindingInterface,
  type BindingPortInterface,
  type BindingsErrorInterface,
  type OpenOptions,
  type PortInfo,
  type PortStatus,
  type SetOptions,
  type UpdateOptions,
} from './serialport-types.js';
import { MarlinSim } from './sim.js';

function canceledError(message: string): BindingsErrorInterface {
  const error: BindingsErrorInterface = new Error(message);
  error.canceled = true;
  return error;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** One open connection to a {@link MarlinSim}: bytes written go into its RX buffer, its output is read back. */
export class SimBindingPort implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  private chunks: Buffer[] = [];
  private readWaiter: Waiter | null = null;
  private writeWaiter: Waiter | null = null;
  private failure: Error | null = null;
  private dtr = true;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    readonly sim: MarlinSim,
    options: OpenOptions,
  ) {
    this.openOptions = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    };
    this.unsubscribe.push(
      sim.onOutput((chunk) => {
        this.chunks.push(Buffer.from(chunk, 'latin1'));
        this.wake(this.readWaiter, 'read');
      }),
      sim.onRxSpace(() => this.wake(this.writeWaiter, 'write')),
      sim.onDisconnect(() => this.fail(new Error('Simulated disconnect: the device went away'))),
    );
    sim.open();
  }

  private wake(waiter: Waiter | null, kind: 'read' | 'write'): void {
    if (!waiter) return;
    if (kind === 'read') this.readWaiter = null;
    else this.writeWaiter = null;
    waiter.resolve();
  }

  private fail(error: Error): void {
    if (!this.isOpen) return;
    this.failure = error;
    const waiters = [this.readWaiter, this.writeWaiter];
    this.readWaiter = this.writeWaiter = null;
    for (const waiter of waiters) waiter?.reject(error);
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      if (!this.isOpen) throw canceledError('Port is closed');
      if (this.failure) throw this.failure;
      const first = this.chunks[0];
      if (first) {
        const n = Math.min(length, first.length);
        first.copy(buffer, offset, 0, n);
        if (n === first.length) this.chunks.shift();
        else this.chunks[0] = first.subarray(n);
        return { buffer, bytesRead: n };
      }
      await new Promise<void>((resolve, reject) => (this.readWaiter = { resolve, reject }));
    }
  }

  /** Resolves once the simulator's RX buffer has accepted every byte (real backpressure). */
  async write(buffer: Buffer): Promise<void> {
    let rest = buffer;
    for (;;) {
      if (!this.isOpen) throw canceledError('Port is closed');
      if (this.failure) throw this.failure;
      const accepted = this.sim.receive(rest);
      rest = rest.subarray(accepted);
      if (rest.length === 0) return;
      if (accepted > 0) continue;
      await new Promise<void>((resolve, reject) => (this.writeWaiter = { resolve, reject }));
    }
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    for (const off of this.unsubscribe) off();
    this.sim.close();
    const error = canceledError('Port is closed');
    const waiters = [this.readWaiter, this.writeWaiter];
    this.readWaiter = this.writeWaiter = null;
    for (const waiter of waiters) waiter?.reject(error);
  }

  async update(options: UpdateOptions): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0)
      throw new TypeError('"baudRate" must be a number');
    this.openOptions.baudRate = options.baudRate;
  }

  /** DTR going from low to high resets a board that resets on open (the auto-reset capacitor of AVR boards). */
  async set(options: SetOptions): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    const dtr = options.dtr ?? true;
    if (dtr && !this.dtr && this.sim.options.resetOnOpen) this.sim.reset();
    this.dtr = dtr;
  }

  async get(): Promise<PortStatus> {
    if (!this.isOpen) throw new Error('Port is not open');
    return { cts: true, dsr: true, dcd: true };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    if (!this.isOpen) throw new Error('Port is not open');
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    this.chunks = [];
  }

  async drain(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
  }
}

/** A `@serialport/bindings-interface` binding served by a {@link MarlinSim}. */
export interface SimBinding extends BindingInterface<SimBindingPort> {
  /** The simulator of the most recent open (the oracle for tests). */
  readonly lastSim: MarlinSim | null;
  /** The most recently opened port. */
  readonly lastPort: SimBindingPort | null;
}

/**
 * A binding for `new SerialPortStream({ binding, path: 'VIRTUAL', baudRate: 115200 })`. Pass a simulator (shared by
 * every open, like a board that stays connected) or a factory (a fresh simulator per open).
 */
export function createSimBinding(simOrFactory: MarlinSim | (() => MarlinSim) = () => new MarlinSim()): SimBinding {
  let lastSim: MarlinSim | null = simOrFactory instanceof MarlinSim ? simOrFactory : null;
  let lastPort: SimBindingPort | null = null;
  return {
    get lastSim() {
      return lastSim;
    },
    get lastPort() {
      return lastPort;
    },
    async list(): Promise<PortInfo[]> {
      return [
        {
          path: 'VIRTUAL',
          manufacturer: 'Hotend firmware-sim',
          serialNumber: undefined,
          pnpId: undefined,
          locationId: undefined,
          productId: undefined,
          vendorId: undefined,
        },
      ];
    },
    async open(options: OpenOptions): Promise<SimBindingPort> {
      if (!options || typeof options.path !== 'string' || options.path === '')
        throw new TypeError('"path" is not valid');
      if (lastPort?.isOpen) throw new Error('Port is locked cannot open');
      const sim = simOrFactory instanceof MarlinSim ? simOrFactory : simOrFactory();
      lastSim = sim;
      lastPort = new SimBindingPort(sim, options);
      return lastPort;
    },
  };
}
