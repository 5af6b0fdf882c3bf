import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  COMM_INIT_ENV,
  type CommChannel,
  type CommChannelHandlers,
  type CommInit,
  type CommToServer,
  type ServerToComm,
} from './comm-channel.js';

/** How long a shutting-down comm process may take to close the port before it is killed. */
const DISPOSE_GRACE_MS = 5000;

/**
 * The comm process entry beside this file: `comm-process.js` in the built server. Run from the TypeScript sources
 * (tests, `tsx`), it is `comm-process.ts`, started through tsx's loader: the same code on the same path.
 */
function entry(): { path: string; execArgv: string[] } {
  const built = fileURLToPath(new URL('./comm-process.js', import.meta.url));
  if (existsSync(built)) return { path: built, execArgv: [] };
  return { path: fileURLToPath(new URL('./comm-process.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}

/**
 * The default channel: the comm layer in a child process (comm-process.ts), messages over its IPC channel with
 * structured-clone serialization. A process that ends unexpectedly (a crash in a native module, a kill) is reported
 * as lost; `start` runs a fresh one.
 */
export class ChildProcessChannel implements CommChannel {
  private child: ChildProcess | undefined;
  private exited = true;
  private exit: Promise<void> = Promise.resolve();
  private closing = false;

  get running(): boolean {
    return !this.exited && !this.closing;
  }

  start(init: CommInit, handlers: CommChannelHandlers): void {
    const { path, execArgv } = entry();
    const child = fork(path, [], {
      serialization: 'advanced',
      env: { ...process.env, [COMM_INIT_ENV]: JSON.stringify(init) },
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.exited = false;
    this.closing = false;
    this.hold(false);
    child.on('message', (message: CommToServer) => handlers.message(message));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // A message posted to a child that has just died fails with EPIPE before its exit event: the exit says why.
      if (error.code === 'EPIPE' || error.code === 'ERR_IPC_CHANNEL_CLOSED') return;
      handlers.lost(`The comm process failed: ${error.message}`);
    });
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exited = true;
        if (!this.closing) handlers.lost(`The comm process stopped (${signal ?? `exit code ${code}`})`);
        resolve();
      }),
    );
  }

  post(message: ServerToComm): void {
    if (!this.exited && this.child?.connected === true) this.child.send(message);
  }

  hold(hold: boolean): void {
    const child = this.child;
    if (child === undefined) return;
    if (hold) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }

  async close(): Promise<void> {
    const child = this.child;
    this.closing = true;
    if (child === undefined || this.exited) return;
    this.hold(true);
    const disposed = new Promise<void>((resolve) => {
      const onMessage = (message: CommToServer): void => {
        if (message.type !== 'disposed') return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
    });
    this.post({ type: 'dispose' });
    // It disconnects and exits once the port is closed; a process that does not within the grace period is killed.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, DISPOSE_GRACE_MS).unref());
    await Promise.race([disposed.then(() => this.exit), this.exit, grace]);
    if (!this.exited) child.kill('SIGKILL');
    await this.exit;
  }
}
