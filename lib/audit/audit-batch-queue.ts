/** How the queue batches: see `AuthAuditOptions`. */
export interface BatchQueueSettings {
  batchSize: number;
  maxQueue: number;
  flushIntervalMs: number;
}

/**
 * Collects items and writes them in batches off the caller's path: when `batchSize` are waiting,
 * else within `flushIntervalMs` of the first one. One write at a time. A failed batch is counted
 * and handed to `onFailure`, never thrown; a full queue drops (and counts) new items, so a slow
 * or dead database costs bounded memory and no caller ever waits.
 */
export class BatchQueue<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  readonly counts = { accepted: 0, written: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly settings: BatchQueueSettings,
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly onFailure: (error: unknown, lost: number) => void,
  ) {}

  get queued(): number {
    return this.pending.length;
  }

  /** Queues an item; false when it was dropped (queue full or closed). Never throws, never waits. */
  push(item: T): boolean {
    if (this.closed || this.pending.length >= this.settings.maxQueue) {
      this.counts.dropped += 1;
      return false;
    }
    this.pending.push(item);
    this.counts.accepted += 1;
    if (this.pending.length >= this.settings.batchSize) void this.flush();
    // Also after a size-triggered flush: one that was just finishing may miss this item.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.settings.flushIntervalMs).unref();
    return true;
  }

  /** Writes everything queued now; resolves when done (failures are counted, not thrown). */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Writes what is queued and accepts nothing more. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.settings.batchSize);
      try {
        await this.write(batch);
        this.counts.written += batch.length;
      } catch (error) {
        this.counts.failed += batch.length;
        this.onFailure(error, batch.length);
      }
    }
  }
}
