import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { SessionStore } from './store/session-store.interface.js';

/**
 * Last activity of sessions, for the idle timeout and the session list, without a write per
 * request: requests are noted in memory and written in one batch every few seconds (at most a
 * quarter of the idle timeout, so no session idles out for want of a flush).
 */
@Injectable()
export class SessionActivity implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('NestfluxAuth');
  /** id_hash → last activity (ms) not yet written. */
  private readonly pending = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
    @Inject(SessionStore) private readonly store: SessionStore,
  ) {}

  onModuleInit(): void {
    const flushEveryMs = Math.min(30_000, Math.max(1_000, Math.floor(this.settings.idleTimeoutMs / 4)));
    this.flushTimer = setInterval(() => void this.flush(), flushEveryMs).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flush();
  }

  /** A request used the session now. */
  touch(idHash: string, nowMs: number): void {
    this.pending.set(idHash, nowMs);
  }

  /** Ended sessions: nothing left to write. */
  forget(idHashes: Iterable<string>): void {
    for (const idHash of idHashes) this.pending.delete(idHash);
  }

  /** The latest activity known here: the stored one or a newer one not written yet. */
  lastSeenMs(idHash: string, storedMs: number): number {
    return Math.max(storedMs, this.pending.get(idHash) ?? 0);
  }

  /** Idle too long, counting activity this instance has not written yet. */
  idledOut(idHash: string, storedLastSeenMs: number): boolean {
    return Date.now() - this.lastSeenMs(idHash, storedLastSeenMs) > this.settings.idleTimeoutMs;
  }

  /** Writes collected activity in one call. Errors are logged: activity is best-effort. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      await this.store.recordActivity(batch);
    } catch (error) {
      this.logger.warn(`could not record session activity: ${(error as Error).message}`);
    }
  }
}
