import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthConfigError } from '../errors/auth-error.js';
import { DIRECTORY_SOURCE, type DirectorySource, type DirectoryUser } from './directory-source.interface.js';
import { formatSyncSummary, type SyncRunSummary } from './sync-run-summary.js';
import { UserSyncError } from './user-sync.errors.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';
import { type RunCounts, UserSyncStore } from './user-sync.store.js';
import { USER_SYNC_OPTIONS } from './user-sync.tokens.js';

export interface RunOnceOptions {
  /** Cancels the pass (it then fails with `SYNC_ABORTED` and deactivates nobody). */
  signal?: AbortSignal;
}

/**
 * One metadata sync pass: streams the directory listing page by page, writes it in batches
 * that rewrite only rows that changed, and deactivates only after a complete listing. One pass
 * at a time per instance (an in-process flag) and across replicas (the lease row in
 * `auth_sync_runs`). Memory stays at one batch whatever the number of users.
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
  ) {
    this.store = new UserSyncStore(dataSource);
  }

  /**
   * Runs one pass now. Resolves with the summary (`skipped: true` when a pass is already
   * running here or on another replica); rejects with a `UserSyncError` when the pass failed,
   * after recording the failure in `auth_sync_runs`.
   */
  runOnce(options: RunOnceOptions = {}): Promise<SyncRunSummary> {
    if (!this.options.enabled || !this.options.issuer) {
      return Promise.reject(new AuthConfigError('sync.source', 'is "none"', 'Set sync.source (AUTH_SYNC_SOURCE) to authentik, keycloak or scim, or pass sync.directorySource.'));
    }
    if (this.current) {
      this.logger.log('sync skipped: another pass is running on this instance');
      return Promise.resolve(this.skipped());
    }
    const pass = this.pass(this.options.issuer, options.signal);
    this.current = pass;
    return pass.finally(() => {
      this.current = undefined;
    });
  }

  /** True while a pass of this instance runs. */
  get running(): boolean {
    return this.current !== undefined;
  }

  private async pass(issuer: string, signal: AbortSignal | undefined): Promise<SyncRunSummary> {
    const startedAt = performance.now();
    const { leaseSeconds, deactivateMissing } = this.options;
    const lease = await this.store.acquire(this.source.name, issuer, this.host, leaseSeconds);
    if (!lease) {
      this.logger.log('sync skipped: another pass is running');
      return this.skipped();
    }
    const counts: RunCounts = { fetched: 0, created: 0, updated: 0, deactivated: 0, unchanged: 0 };
    const beat = setInterval(() => void this.store.heartbeat(lease.runId).catch(() => undefined), (leaseSeconds * 1000) / 4);
    beat.unref();
    try {
      const totals = new Set<number>();
      let batch: DirectoryUser[] = [];
      const flush = async (users: DirectoryUser[]) => {
        if (!(await this.store.heartbeat(lease.runId))) {
          throw new UserSyncError('SYNC_LEASE_LOST', `another replica took over sync run ${lease.runId} (no heartbeat for ${leaseSeconds} s)`);
        }
        const result = await this.store.writeBatch(lease.runId, issuer, users, this.options.importUsers, deactivateMissing);
        counts.created += result.created;
        counts.updated += result.updated;
        // Listed-but-disabled users are counted once, as deactivated, when the pass completes.
        counts.unchanged += result.matched - result.updated - result.disabled;
      };
      for await (const page of this.source.listUsers({ signal })) {
        if (signal?.aborted) throw new UserSyncError('SYNC_ABORTED', 'the sync pass was cancelled');
        counts.fetched += page.users.length;
        if (page.total !== undefined) totals.add(page.total);
        batch.push(...page.users);
        while (batch.length >= this.options.batchSize) await flush(batch.splice(0, this.options.batchSize));
      }
      if (batch.length > 0) await flush(batch);
      batch = [];
      const skipReason = this.deactivationSkipReason(counts.fetched, totals);
      if (deactivateMissing) {
        if (skipReason) this.logger.warn(`sync deactivates no missing users: ${skipReason}`);
        counts.deactivated = await this.store.deactivate(lease, issuer, skipReason === null);
      }
      await this.store.finish(lease.runId, 'completed', counts, null, deactivateMissing ? skipReason : null);
      const summary: SyncRunSummary = { skipped: false, runId: lease.runId, source: this.source.name, ...counts, deactivationSkipped: deactivateMissing ? skipReason : null, durationMs: performance.now() - startedAt };
      this.logger.log(formatSyncSummary(summary));
      return summary;
    } catch (error) {
      const message = describe(error);
      await this.store.finish(lease.runId, 'failed', counts, message, null).catch((finishError: unknown) => {
        this.logger.error(`sync run ${lease.runId}: could not record the failure (${describe(finishError)})`);
      });
      this.logger.error(`sync failed, nobody deactivated: ${message}`);
      throw error;
    } finally {
      clearInterval(beat);
    }
  }

  /** Deactivating "missing" users needs a listing that is complete and consistent. */
  private deactivationSkipReason(fetched: number, totals: Set<number>): string | null {
    if (fetched === 0) return 'the directory listed nobody (check the token\'s permissions)';
    if (totals.size > 1) return `the directory's user count changed while it was listed (${[...totals].join(' → ')}), so paging may have skipped users`;
    return null;
  }

  private skipped(): SyncRunSummary {
    return { skipped: true, runId: null, source: this.source.name, fetched: 0, created: 0, updated: 0, deactivated: 0, unchanged: 0, deactivationSkipped: null, durationMs: 0 };
  }
}

function describe(error: unknown): string {
  if (error instanceof UserSyncError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
