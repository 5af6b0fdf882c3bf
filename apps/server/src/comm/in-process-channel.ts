import {
  type CommChannel,
  type CommChannelHandlers,
  type CommInit,
  type CommToServer,
  type ServerToComm,
} from './comm-channel.js';
import { CommHost, type CommHostHooks } from './comm-host.js';

/**
 * The comm layer in the server's own process (`serial.commProcess: server`, and tests that need a virtual clock or
 * their own simulator): the same CommHost as the comm process, with the same semantics across the boundary. Every
 * message is structured-cloned and delivered on a later event-loop turn, in order, so nothing can share an object
 * or observe a state earlier than the child process would show it.
 */
export class InProcessChannel implements CommChannel {
  private host: CommHost | undefined;
  private toServer: CommToServer[] = [];
  private toComm: ServerToComm[] = [];
  private handlers: CommChannelHandlers | undefined;
  private closing = false;
  private disposed: (() => void) | undefined;

  constructor(private readonly hooks: CommHostHooks = {}) {}

  get running(): boolean {
    return this.host !== undefined && !this.closing;
  }

  /** The comm side, for tests that reach the simulator behind `VIRTUAL` (`engine.virtualPrinter`). */
  get commHost(): CommHost | undefined {
    return this.host;
  }

  start(init: CommInit, handlers: CommChannelHandlers): void {
    this.handlers = handlers;
    this.closing = false;
    this.host = new CommHost(
      structuredClone(init),
      (message) => this.deliver(this.toServer, message, () => this.drainToServer()),
      () => this.disposed?.(),
      this.hooks,
    );
  }

  post(message: ServerToComm): void {
    if (this.host === undefined) return;
    this.deliver(this.toComm, message, () => this.drainToComm());
  }

  hold(): void {
    // Nothing to hold: the comm layer shares the server's process.
  }

  async close(): Promise<void> {
    if (this.host === undefined || this.closing) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      this.disposed = resolve;
      this.post({ type: 'dispose' });
    });
    this.host = undefined;
  }

  private deliver<T>(queue: T[], message: T, drain: () => void): void {
    queue.push(structuredClone(message));
    if (queue.length === 1) setImmediate(drain);
  }

  private drainToServer(): void {
    const messages = this.toServer;
    this.toServer = [];
    for (const message of messages) this.handlers?.message(message);
  }

  private drainToComm(): void {
    const messages = this.toComm;
    this.toComm = [];
    for (const message of messages) this.host?.receive(message);
  }
}
