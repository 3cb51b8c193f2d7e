import { Worker } from 'node:worker_threads';
import type { TokenPool } from './fresh-tokens.js';

/** One measured row: a warm-up (discarded), then the measured run, against one URL. */
export interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /**
   * Send a different pool token in `Authorization` with every request. `stream` names a cursor:
   * without `wraps` it starts at `start` and never hands out a token twice; with `wraps` it
   * restarts at 0 each run (for baselines, which cache nothing).
   */
  freshTokens?: { stream: string; start: number; wraps: boolean };
}

export interface LoadResult {
  requestsPerSecond: number;
  /** CPU time of the app's thread per response (µs), from the scheduler's accounting. */
  appCpuUsPerRequest: number;
  /** Milliseconds, from the generator's own per-response timing (sub-millisecond). */
  latencyP50: number;
  latencyP99: number;
  total: number;
  /** Responses during the warm-up. */
  warmupTotal: number;
  errors: number;
  /** Responses per status code, e.g. { 200: 51234 }. */
  statuses: Record<string, number>;
  /** Tokens the stream has handed out so far. */
  tokensUsed: number;
  /** Growth of a probe over warm-up and measured run (e.g. database queries); see `measure`. */
  probed: number;
}

/** Drives autocannon in one long-lived worker thread (see load-worker.ts). */
export class LoadGenerator {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker = new Worker(new URL('./load-worker.js', import.meta.url));
    this.worker.on('message', (message: { id: number; result?: LoadResult; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
    this.worker.on('error', (error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  /** Runs one row; `probe` is read around the whole row (warm-up included, see the report). */
  async measure(request: LoadRequest, probe: () => number = () => 0): Promise<LoadResult> {
    const id = this.nextId++;
    const before = probe();
    const result = await new Promise<LoadResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
    return { ...result, probed: probe() - before };
  }

  /** More distinct tokens for the `freshTokens` streams, after those already given. */
  addTokens(pool: TokenPool): void {
    this.worker.postMessage({ tokens: pool });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
