import { hostname } from 'node:os';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuthConfigError } from '../errors/auth-error.js';
import { DIRECTORY_SOURCE, type DirectorySource, type DirectoryUser } from './directory-source.interface.js';
import { readAhead } from './read-ahead.js';
import { deactivationHold, describeMatching } from './sync-safety.js';
import { formatSyncSummary, type SyncRunSummary } from './sync-run-summary.js';
import { UserSyncError } from './user-sync.errors.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';
import { type DeactivationResult, type RunCounts, UserSyncStore } from './user-sync.store.js';
import { USER_SYNC_OPTIONS } from './user-sync.tokens.js';

/** Where a running pass is, for a progress display. */
export interface SyncProgress {
  /** Users listed so far. */
  fetched: number;
  /** The directory's total, when it reports one. */
  total: number | undefined;
  /** Pages read so far. */
  pages: number;
  /** Users written to the database so far. */
  written: number;
}

export interface RunOnceOptions {
  /** Cancels the pass (it then fails with `SYNC_ABORTED` and deactivates nobody). */
  signal?: AbortSignal;
  /** Called after every page read and every batch written. Default: none. */
  onProgress?: (progress: SyncProgress) => void;
}

/**
 * One metadata sync pass: streams the directory listing page by page (reading ahead while a
 * batch is written), writes it in batches that rewrite only rows that changed, and deactivates
 * only after a complete listing, within `deactivateLimit`. One pass at a time per instance (an
 * in-process flag) and across replicas (the lease row in `auth_sync_runs`). Memory stays at a
 * few batches whatever the number of users.
 */
@Injectable()
export class UserSyncService {
  private readonly logger = new Logger('UserSync');
  private readonly store: UserSyncStore;
  private readonly host = `${hostname()}:${process.pid}`;
  private current: Promise<SyncRunSummary> | undefined;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(DIRECTORY_SOURCE) private readonly source: DirectorySource,
    @Inject(USER_SYNC_OPTIONS) private readonly options: ResolvedUserSyncOptions,
    @Optional() private readonly audit?: AuditLogService,
  ) {
    this.store = new UserSyncStore(dataSource);
  }

  /**
   * Runs one pass now. Resolves with the summary (`skipped: true` when a pass is already
   * running here or on another replica; `deactivationHeld` set when it deactivated nobody for
   * safety); rejects with a `UserSyncError` when the pass failed, after recording the failure
   * in `auth_sync_runs`.
   */
  runOnce(options: RunOnceOptions = {}): Promise<SyncRunSummary> {
    if (!this.options.enabled || !this.options.issuer) {
      return Promise.reject(
        new AuthConfigError(
          'sync.source',
          'is "none"',
          'Set sync.source (AUTH_SYNC_SOURCE) to authentik, keycloak or scim, or pass sync.directorySource.',
        ),
      );
    }
    if (this.current) {
      this.logger.log('sync skipped: another pass is running on this instance');
      return Promise.resolve(this.skipped());
    }
    const pass = this.pass(this.options.issuer, options);
    this.current = pass;
    return pass.finally(() => {
      this.current = undefined;
    });
  }

  /** True while a pass of this instance runs. */
  get running(): boolean {
    return this.current !== undefined;
  }

  /** Which source field is matched to which issuer's `sub`, for start-up logs. */
  get matching(): string {
    return describeMatching(this.options, this.source.name);
  }

  private async pass(issuer: string, run: RunOnceOptions): Promise<SyncRunSummary> {
    const { signal, onProgress } = run;
    const startedAt = performance.now();
    const { leaseSeconds, deactivateMissing, batchSize } = this.options;
    const lease = await this.store.acquire(this.source.name, issuer, this.host, leaseSeconds);
    if (!lease) {
      this.logger.log('sync skipped: another pass is running');
      return this.skipped();
    }
    const counts: RunCounts = { fetched: 0, created: 0, updated: 0, deactivated: 0, unchanged: 0, matched: 0, skippedUsers: 0 };
    const progress: SyncProgress = { fetched: 0, total: undefined, pages: 0, written: 0 };
    const beat = setInterval(() => void this.store.heartbeat(lease.runId).catch(() => undefined), (leaseSeconds * 1000) / 4);
    beat.unref();
    try {
      const totals = new Set<number>();
      const skippedReasons = new Set<string>();
      let batch: DirectoryUser[] = [];
      const flush = async (users: DirectoryUser[]) => {
        const result = await this.store.writeBatch(lease.runId, issuer, users, this.options.importUsers, deactivateMissing);
        if (!result.leased) {
          throw new UserSyncError(
            'SYNC_LEASE_LOST',
            `another replica took over sync run ${lease.runId} (no heartbeat for ${leaseSeconds} s)`,
          );
        }
        counts.created += result.created;
        counts.updated += result.updated;
        counts.matched += result.matched;
        // Listed-but-disabled users are counted once, as deactivated, when the pass completes.
        counts.unchanged += result.matched - result.updated - result.disabled;
        progress.written += users.length;
        onProgress?.(progress);
      };
      // Read ahead by whole batches (in pages), so fetching overlaps the write of the last batch.
      const pagesAhead = Math.max(2, Math.ceil((batchSize * 2) / Math.max(1, this.options.pageSize)));
      for await (const page of readAhead(this.source.listUsers({ signal }), pagesAhead)) {
        if (signal?.aborted) throw new UserSyncError('SYNC_ABORTED', 'the sync pass was cancelled');
        counts.fetched += page.users.length + (page.skipped ?? 0);
        counts.skippedUsers += page.skipped ?? 0;
        if (page.skipped && page.skippedReason) skippedReasons.add(page.skippedReason);
        if (page.total !== undefined) totals.add(page.total);
        progress.fetched = counts.fetched;
        progress.total = page.total ?? progress.total;
        progress.pages += 1;
        onProgress?.(progress);
        for (const user of page.users) batch.push(user);
        while (batch.length >= batchSize) await flush(batch.splice(0, batchSize));
      }
      if (batch.length > 0) await flush(batch);
      batch = [];
      for (const reason of skippedReasons) this.logger.warn(`sync skipped ${counts.skippedUsers} listed user(s): ${reason}`);
      return await this.complete(lease, issuer, counts, totals, startedAt);
    } catch (error) {
      const message = describe(error);
      await this.store.finish(lease.runId, 'failed', counts, { error: message }).catch((finishError: unknown) => {
        this.logger.error(`sync run ${lease.runId}: could not record the failure (${describe(finishError)})`);
      });
      this.logger.error(`sync failed, nobody deactivated: ${message}`);
      this.audit?.recordFailure({ event: 'sync_run', details: { runId: lease.runId, source: this.source.name, ...counts } }, error);
      throw error;
    } finally {
      clearInterval(beat);
    }
  }

  /** The deactivation step and the run's record, after a listing that completed. */
  private async complete(
    lease: { runId: string; startedAt: Date },
    issuer: string,
    counts: RunCounts,
    totals: Set<number>,
    startedAt: number,
  ): Promise<SyncRunSummary> {
    const { deactivateMissing, deactivateLimit } = this.options;
    const skipReason = deactivateMissing ? this.deactivationSkipReason(counts.fetched, totals) : null;
    if (skipReason) this.logger.warn(`sync deactivates no missing users: ${skipReason}`);
    const result: DeactivationResult = deactivateMissing
      ? await this.store.deactivate(lease, issuer, skipReason === null, deactivateLimit, counts.matched > 0)
      : { deactivated: 0, candidates: 0, active: 0, limit: 0 };
    counts.deactivated = result.deactivated;
    const hold = deactivationHold(result, counts, this.options, this.source.name);
    if (hold) this.logger.warn(`sync deactivated nobody: ${hold.message}`);
    await this.store.finish(lease.runId, 'completed', counts, {
      deactivationSkipped: skipReason,
      deactivation: result,
      deactivationHeld: hold?.message ?? null,
    });
    const summary: SyncRunSummary = {
      skipped: false,
      runId: lease.runId,
      source: this.source.name,
      ...counts,
      deactivationSkipped: skipReason,
      deactivationHeld: hold,
      durationMs: performance.now() - startedAt,
    };
    this.logger.log(formatSyncSummary(summary));
    this.audit?.record({
      event: 'sync_run',
      details: {
        runId: lease.runId,
        source: this.source.name,
        ...counts,
        deactivationHeld: hold?.message ?? null,
        deactivationSkipped: skipReason,
      },
    });
    return summary;
  }

  /** Deactivating "missing" users needs a listing that is complete and consistent. */
  private deactivationSkipReason(fetched: number, totals: Set<number>): string | null {
    if (fetched === 0) return "the directory listed nobody (check the token's permissions)";
    if (totals.size > 1)
      return `the directory's user count changed while it was listed (${[...totals].join(' → ')}), so paging may have skipped users`;
    return null;
  }

  private skipped(): SyncRunSummary {
    return {
      skipped: true,
      runId: null,
      source: this.source.name,
      fetched: 0,
      created: 0,
      updated: 0,
      deactivated: 0,
      unchanged: 0,
      matched: 0,
      skippedUsers: 0,
      deactivationSkipped: null,
      deactivationHeld: null,
      durationMs: 0,
    };
  }
}

function describe(error: unknown): string {
  if (error instanceof UserSyncError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
