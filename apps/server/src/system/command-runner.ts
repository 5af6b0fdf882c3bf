import { type ChildProcess, spawn } from 'node:child_process';
import { Injectable } from '@nestjs/common';

/** The shell every configured command line is handed to, as one argument: nothing else is ever interpolated. */
export const SHELL = '/bin/sh';

/** After the shell exits, how long to keep reading output that background children may still be writing. */
const DRAIN_AFTER_EXIT_MS = 200;

export interface CommandRunOptions {
  /** The configured command line, passed verbatim as `sh -c <commandLine>`. */
  readonly commandLine: string;
  readonly cwd: string;
  /** The command's whole environment: nothing of Hotend's own is added. */
  readonly environment: Readonly<Record<string, string>>;
  /** Kill the whole process group after this many milliseconds; undefined: no limit. */
  readonly timeoutMs?: number;
  /** Bytes of stdout and of stderr kept (the last ones); the rest is counted but dropped. */
  readonly outputLimitBytes: number;
}

export interface CapturedOutput {
  /** The last `outputLimitBytes` bytes, decoded as UTF-8. */
  readonly text: string;
  /** Bytes written before the kept tail. */
  readonly droppedBytes: number;
}

export interface CommandOutcome {
  /** Exit code, or null when the process was ended by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The timeout elapsed and the process group was killed. */
  readonly timedOut: boolean;
  /** The process could not be started (e.g. the working directory is gone). */
  readonly startError?: string;
  readonly stdout: CapturedOutput;
  readonly stderr: CapturedOutput;
}

export interface RunningCommand {
  /** Process id of the shell, which is also the process group id (it runs in its own session). */
  readonly pid: number | undefined;
  readonly outcome: Promise<CommandOutcome>;
  /** Kills the whole process group. */
  kill(): void;
  /** Stops reading its output and lets Hotend exit without waiting for it; the command keeps running. */
  detach(): void;
}

/** Keeps the last `limit` bytes of a stream, so a chatty command cannot exhaust memory. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes > this.limit) {
      const first = this.chunks[0];
      if (first === undefined) break;
      const excess = this.keptBytes - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.keptBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.keptBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  result(): CapturedOutput {
    return { text: Buffer.concat(this.chunks).toString('utf8'), droppedBytes: this.dropped };
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs configured command lines as `/bin/sh -c <line>` in a new session (process group = the shell's pid), so a
 * timeout can kill the shell together with everything it started.
 */
@Injectable()
export class CommandRunner {
  run(options: CommandRunOptions): RunningCommand {
    const stdout = new OutputTail(options.outputLimitBytes);
    const stderr = new OutputTail(options.outputLimitBytes);
    let child: ChildProcess;
    try {
      child = spawn(SHELL, ['-c', options.commandLine], {
        cwd: options.cwd,
        env: options.environment,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const outcome: CommandOutcome = {
        exitCode: null,
        signal: null,
        timedOut: false,
        startError: (error as Error).message,
        stdout: stdout.result(),
        stderr: stderr.result(),
      };
      return { pid: undefined, outcome: Promise.resolve(outcome), kill: () => undefined, detach: () => undefined };
    }
    const pid = child.pid;
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    const outcome = new Promise<CommandOutcome>((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let drainTimer: NodeJS.Timeout | undefined;
      const finish = (exitCode: number | null, signal: NodeJS.Signals | null, startError?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(drainTimer);
        // Background children that outlive the shell may hold the pipes open; stop waiting for them.
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({
          exitCode,
          signal,
          timedOut,
          ...(startError === undefined ? {} : { startError }),
          stdout: stdout.result(),
          stderr: stderr.result(),
        });
      };
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          killGroup(pid);
        }, options.timeoutMs);
      }
      child.once('error', (error) => finish(null, null, error.message));
      child.once('close', (code, signal) => finish(code, signal));
      child.once('exit', (code, signal) => {
        // The shell is done: the timeout no longer applies, even to output still draining.
        clearTimeout(timer);
        drainTimer = setTimeout(() => finish(code, signal), DRAIN_AFTER_EXIT_MS);
      });
    });

    return {
      pid,
      outcome,
      kill: () => killGroup(pid),
      detach: () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        child.unref();
      },
    };
  }
}
