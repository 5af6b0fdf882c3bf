import { readSync, writeSync } from 'node:fs';
import type { SerialBinding } from './serial-link.js';

/** An open port of `@serialport/bindings-cpp`, as the binding hands it out. */
type BindingPort = Awaited<ReturnType<SerialBinding['open']>>;

/** What bindings-cpp's Unix ports (Linux, macOS) have besides the interface: the descriptor and its poller. */
interface UnixPort extends BindingPort {
  fd: number | null;
  poller: { once(event: 'readable', callback: (error: Error | null) => void): unknown };
}

function isUnixPort(port: BindingPort): port is UnixPort {
  const candidate = port as Partial<UnixPort>;
  return typeof candidate.fd === 'number' && typeof candidate.poller?.once === 'function';
}

const RETRY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);
/** The codes bindings-cpp marks as a disconnect (the device went away). */
const DISCONNECT = new Set(['EBADF', 'ENXIO', 'UNKNOWN']);

function retryable(error: unknown): boolean {
  return RETRY.has((error as NodeJS.ErrnoException).code ?? '');
}

function failure(error: unknown): Error {
  const errno = error as NodeJS.ErrnoException & { disconnect?: boolean };
  if (DISCONNECT.has(errno.code ?? '') || errno.errno === -1) errno.disconnect = true;
  return errno;
}

/** The error an operation in progress ends with when the port closes (the stream ignores it then). */
function closed(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

/**
 * A bindings-cpp port whose reads and writes go straight to its non-blocking descriptor instead of through libuv's
 * thread pool: bindings-cpp runs every `read` and `write` as a thread-pool job (and a read that finds nothing as a
 * second one once the poller reports data), thread hand-offs that cost the comm process more CPU per line than the
 * protocol itself. Here a read that finds data and a write that fits complete at once; a read that finds none waits
 * on the binding's own poller (as bindings-cpp does), a write that does not fit is finished by the binding.
 * Everything else is the binding's.
 */
class DirectIoPort implements BindingPort {
  constructor(private readonly port: UnixPort) {}

  get openOptions(): BindingPort['openOptions'] {
    return this.port.openOptions;
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  close(): Promise<void> {
    return this.port.close();
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      const fd = this.port.fd;
      if (fd === null) throw closed();
      try {
        const bytesRead = readSync(fd, buffer, offset, length, null);
        // Never 0: the stream takes that for the end of the port; wait for data as on EAGAIN.
        if (bytesRead > 0) return { buffer, bytesRead };
      } catch (error) {
        if (!retryable(error)) throw failure(error);
      }
      await this.readable();
    }
  }

  async write(buffer: Buffer): Promise<void> {
    const fd = this.port.fd;
    if (fd === null) throw closed();
    let written = 0;
    try {
      written = writeSync(fd, buffer, 0, buffer.length);
    } catch (error) {
      if (!retryable(error)) throw failure(error);
    }
    // A full output buffer (a device that stopped reading): the rest goes the binding's way, which waits for room.
    if (written < buffer.length) await this.port.write(buffer.subarray(written));
  }

  update(options: Parameters<BindingPort['update']>[0]): Promise<void> {
    return this.port.update(options);
  }

  set(options: Parameters<BindingPort['set']>[0]): Promise<void> {
    return this.port.set(options);
  }

  get(): ReturnType<BindingPort['get']> {
    return this.port.get();
  }

  getBaudRate(): ReturnType<BindingPort['getBaudRate']> {
    return this.port.getBaudRate();
  }

  flush(): Promise<void> {
    return this.port.flush();
  }

  drain(): Promise<void> {
    return this.port.drain();
  }

  private readable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.poller.once('readable', (error) => (error ? reject(error) : resolve()));
    });
  }
}

/** `binding`, with direct reads and writes on ports that have a descriptor and a poller (see DirectIoPort). */
export function directIo(binding: SerialBinding): SerialBinding {
  return {
    list: () => binding.list(),
    open: async (options) => {
      const port = await binding.open(options);
      return isUnixPort(port) ? new DirectIoPort(port) : port;
    },
  };
}
