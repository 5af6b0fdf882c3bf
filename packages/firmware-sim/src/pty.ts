import { closeSync, constants, openSync, symlinkSync, unlinkSync, writeSync, lstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import tty from 'node:tty';
import { RealClock } from './clock.js';
import { type MarlinSimOptions } from './options.js';
import { MarlinSim } from './sim.js';

interface NativePty {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
}

const require = createRequire(import.meta.url);

function loadNativePty(): NativePty {
  const mod = require('node-pty') as { native?: NativePty | null };
  if (!mod.native || typeof mod.native.open !== 'function') throw new Error('node-pty: no native pty support here');
  return mod.native;
}

export interface PtySimulatorOptions extends MarlinSimOptions {
  /** Create a symlink at this path pointing to the slave device (replaced if it is a symlink already). */
  link?: string;
  /** Serve this simulator instead of creating one from the options. */
  sim?: MarlinSim;
}

export interface PtySimulator {
  /** The slave device path (e.g. `/dev/pts/3`) that hosts open. */
  path: string;
  /** The symlink, if one was requested. */
  link: string | undefined;
  sim: MarlinSim;
  close(): Promise<void>;
}

/**
 * Serves a simulator on a real pseudo-terminal: the master side stays in this process, the slave path is what a
 * serial host opens (`@serialport/bindings-cpp`, pyserial, a terminal...). The line discipline is raw (no echo, no
 * CR/LF translation). The slave is kept open by this process so the master never sees a hang-up between host
 * sessions; a pty has no DTR, so the banner is sent once at start (with `resetOnOpen`).
 */
export async function startPtySimulator(options: PtySimulatorOptions = {}): Promise<PtySimulator> {
  const native = loadNativePty();
  const term = native.open(80, 24);
  const path = term.pty;
  // Raw mode on the slave; the settings stay with the pty after this handle closes.
  const slaveStream = new tty.ReadStream(term.slave);
  slaveStream.setRawMode(true);
  // Hold the slave open without reading from it (a reader here would swallow the replies meant for the host).
  const hold = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  slaveStream.pause();
  slaveStream.destroy();

  const sim = options.sim ?? new MarlinSim({ clock: new RealClock(), ...options });
  const master = new tty.ReadStream(term.master);
  const masterFd = term.master;
  let closed = false;

  // host -> firmware, with backpressure: stop reading the master while the RX buffer is full.
  let pendingIn: Buffer | null = null;
  let feeding = false;
  const feed = (): void => {
    if (feeding) return; // receive() reports RX space synchronously; the loop below picks it up
    feeding = true;
    try {
      while (pendingIn && pendingIn.length > 0) {
        const chunk: Buffer = pendingIn;
        const n = sim.receive(chunk);
        if (n === 0) return;
        pendingIn = chunk.subarray(n);
      }
      pendingIn = null;
      if (!closed && master.isPaused()) master.resume();
    } finally {
      feeding = false;
    }
  };
  master.on('data', (data: Buffer | string) => {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    pendingIn = pendingIn ? Buffer.concat([pendingIn, chunk]) : chunk;
    feed();
    if (pendingIn) master.pause();
  });
  master.on('error', () => {
    /* EIO when the pty goes away */
  });

  // firmware -> host: write to the master; queue on EAGAIN (the host is not reading).
  const outQueue: Buffer[] = [];
  let retryTimer: NodeJS.Timeout | null = null;
  const flushOut = (): void => {
    retryTimer = null;
    while (!closed && outQueue.length > 0) {
      const head = outQueue[0];
      if (!head) break;
      try {
        const n = writeSync(masterFd, head);
        if (n < head.length) outQueue[0] = head.subarray(n);
        else outQueue.shift();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          retryTimer = setTimeout(flushOut, 2);
          return;
        }
        outQueue.length = 0;
        return;
      }
    }
  };
  const unsubscribeOutput = sim.onOutput((chunk) => {
    outQueue.push(Buffer.from(chunk, 'latin1'));
    if (retryTimer === null) flushOut();
  });
  const unsubscribeSpace = sim.onRxSpace(feed);

  let link: string | undefined;
  if (options.link) {
    try {
      if (lstatSync(options.link).isSymbolicLink()) unlinkSync(options.link);
    } catch {
      /* not there */
    }
    symlinkSync(path, options.link);
    link = options.link;
  }

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (retryTimer) clearTimeout(retryTimer);
    unsubscribeOutput();
    unsubscribeSpace();
    unsubscribeDisconnect();
    sim.close();
    sim.dispose();
    await new Promise<void>((resolve) => {
      master.once('close', () => resolve());
      master.destroy();
    });
    try {
      closeSync(hold);
    } catch {
      /* already closed */
    }
    if (link) {
      try {
        unlinkSync(link);
      } catch {
        /* gone */
      }
    }
  };
  const unsubscribeDisconnect = sim.onDisconnect(() => void close());

  sim.open();
  return { path, link, sim, close };
}
