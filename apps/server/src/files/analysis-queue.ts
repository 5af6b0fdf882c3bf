import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import type { AnalysisOutcome, AnalysisRequest } from './analysis.protocol.js';
import type { GcodeAnalysis } from './gcode-analyser.js';

/** The worker script beside this module; under the test runner that is the TypeScript source, loaded through tsx. */
const SELF = new URL(import.meta.url);
const FROM_SOURCE = SELF.pathname.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './analysis.worker.ts' : './analysis.worker.js', SELF);

/** Starts the worker; from source, it first registers tsx inside the worker thread (execArgv hooks do not reach it on Node 20). */
function startWorker(request: AnalysisRequest): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL, { workerData: request });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: request });
}

export interface AnalysisJob {
  /** Storage path, the key results are reported under. */
  readonly path: string;
  /** Absolute file to read. */
  readonly file: string;
}

export interface AnalysisQueueOptions {
  readonly defaultFeedrate: number;
  /** While true, nothing new starts (OctoPrint's `runAt: idle` holds analysis back while printing). */
  readonly holdBack: () => boolean;
  readonly onResult: (path: string, hash: string, analysis: GcodeAnalysis) => void;
  readonly onStart?: (path: string) => void;
}

const HOLD_BACK_RECHECK_MS = 1000;

/**
 * Background G-code analysis, one file at a time in a worker thread. Uploads and `analyse` commands go first
 * (high priority); files found without an analysis at start wait behind them.
 */
export class AnalysisQueue {
  private readonly logger = new Logger('hotend.files.analysis');
  private readonly queue: (AnalysisJob & { high: boolean })[] = [];
  private running: { job: AnalysisJob & { high: boolean }; worker: Worker } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: AnalysisQueueOptions) {}

  enqueue(job: AnalysisJob, high = true): void {
    this.remove(job.path);
    const entry = { ...job, high };
    if (high) {
      const firstLow = this.queue.findIndex((queued) => !queued.high);
      this.queue.splice(firstLow === -1 ? this.queue.length : firstLow, 0, entry);
    } else this.queue.push(entry);
    this.preemptLow();
    this.next();
  }

  /**
   * A file someone just uploaded or asked about goes before the background backlog: a running background analysis
   * stops and waits again at the head of the backlog (OctoPrint aborts and re-queues it the same way).
   */
  private preemptLow(): void {
    const running = this.running;
    if (running === undefined || running.job.high || !this.queue.some((queued) => queued.high)) return;
    this.running = undefined;
    void running.worker.terminate();
    const firstLow = this.queue.findIndex((queued) => !queued.high);
    this.queue.splice(firstLow === -1 ? this.queue.length : firstLow, 0, running.job);
  }

  /** Drops a queued job and stops a running one (its file is gone or replaced). */
  remove(path: string): void {
    const index = this.queue.findIndex((queued) => queued.path === path);
    if (index !== -1) this.queue.splice(index, 1);
    if (this.running?.job.path === path) {
      void this.running.worker.terminate();
      this.running = undefined;
      this.next();
    }
  }

  /** Forgets everything at or below a folder. */
  removeTree(path: string): void {
    for (const queued of [...this.queue]) {
      if (queued.path === path || queued.path.startsWith(`${path}/`)) this.remove(queued.path);
    }
    const running = this.running?.job.path;
    if (running !== undefined && running.startsWith(`${path}/`)) this.remove(running);
  }

  isPending(path: string): boolean {
    return this.running?.job.path === path || this.queue.some((queued) => queued.path === path);
  }

  /** Resolves once nothing is queued or running (tests, benchmarks). */
  whenIdle(): Promise<void> {
    if (this.running === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.queue.length = 0;
    const running = this.running;
    this.running = undefined;
    if (running !== undefined) await running.worker.terminate();
    this.settleIdle();
  }

  private next(): void {
    if (this.closed || this.running !== undefined) return;
    if (this.queue.length === 0) {
      this.settleIdle();
      return;
    }
    if (this.options.holdBack()) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.next(), HOLD_BACK_RECHECK_MS);
      this.timer.unref();
      return;
    }
    const job = this.queue.shift();
    if (job === undefined) return;
    const request: AnalysisRequest = { file: job.file, defaultFeedrate: this.options.defaultFeedrate };
    const worker = startWorker(request);
    const running = { job, worker };
    this.running = running;
    this.options.onStart?.(job.path);
    const finish = (outcome: AnalysisOutcome | undefined, failure?: string): void => {
      if (this.running !== running) return;
      this.running = undefined;
      if (outcome !== undefined && 'hash' in outcome) this.options.onResult(job.path, outcome.hash, outcome.analysis);
      else this.logger.warn(`Analysis of ${job.path} failed: ${failure ?? (outcome as { error: string }).error}`);
      void worker.terminate();
      this.next();
    };
    worker.once('message', (outcome: AnalysisOutcome) => finish(outcome));
    worker.once('error', (error) => finish(undefined, error.message));
    worker.once('exit', (code) => finish(undefined, `worker exited with ${code}`));
  }

  private settleIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
