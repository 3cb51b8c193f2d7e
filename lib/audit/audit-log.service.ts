import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { asDependencyError } from '../errors/dependency-errors.js';
import type { HttpRequest } from '../http/http-types.js';
import { BatchQueue } from './audit-batch-queue.js';
import type { AuditEntry, AuditLogStats, AuditQuery, AuditRecord } from './audit-event.js';
import { type AuditRow, auditRowFromEntry, clientOf, insertAuditRows, recordFromRow } from './audit-row.js';
import type { AuditSettings } from './audit.options.js';
import { AUDIT_SETTINGS } from './audit.tokens.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Rows deleted per statement by the purge, so it never holds long locks on a big table. */
const PURGE_BATCH = 5000;
/** A database that stays down logs one line per this many ms, with the count lost since. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * The audit log (`auth_audit_log`). `record` never waits and never throws: entries are queued
 * and written in batches off the request path (see `AuthAuditOptions`); a write that fails is
 * logged (the database's error code only) and counted in `stats()`. `find` reads them back.
 */
@Injectable()
export class AuditLogService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('AuditLog');
  private readonly queue: BatchQueue<AuditRow>;
  private rejected = 0;
  private lostSinceLog = 0;
  private lastFailureLog = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
  ) {
    this.queue = new BatchQueue<AuditRow>(
      settings,
      (rows) => insertAuditRows(this.dataSource, rows),
      (error, lost) => this.writeFailed(error, lost),
    );
  }

  /**
   * Queues an entry. With `request`, `ip` (through the rate limit's trusted proxies) and
   * `userAgent` are taken from it unless the entry sets them. Returns false when the entry was
   * dropped (audit off, queue full, malformed event name); never throws.
   */
  record(entry: AuditEntry, request?: HttpRequest): boolean {
    if (!this.settings.enabled) return false;
    try {
      const client = request ? clientOf(request, this.settings.trustedProxies) : undefined;
      const row = auditRowFromEntry({ ...client, ...stripUndefined(entry) });
      if (!row) {
        this.rejected += 1;
        this.logger.warn(`audit entry dropped: malformed event name`);
        return false;
      }
      return this.queue.push(row);
    } catch (error) {
      // An entry that cannot even be built (e.g. details that do not serialise) is a lost entry, not a failed request.
      this.rejected += 1;
      this.logger.warn(`audit entry dropped: ${error instanceof Error ? error.name : 'error'}`);
      return false;
    }
  }

  /** Shorthand for a failure with its error code (`AuthError.code`, or the error's name). */
  recordFailure(entry: Omit<AuditEntry, 'outcome' | 'code'>, error: unknown, request?: HttpRequest): boolean {
    return this.record({ ...entry, outcome: 'failure', code: errorCode(error) }, request);
  }

  /** Entries, newest first. Writes what is queued first, so a caller reads its own events. */
  async find(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new TypeError('"limit" must be a whole number from 1 to 500');
    if (query.userId !== undefined && !UUID.test(query.userId)) throw new TypeError('"userId" must be a UUID');
    if (query.since !== undefined && !(query.since instanceof Date && !Number.isNaN(query.since.getTime())))
      throw new TypeError('"since" must be a valid Date');
    await this.queue.flush();
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.userId !== undefined) where.push(`user_id = $${params.push(query.userId)}`);
    if (query.event !== undefined) where.push(`event = $${params.push(query.event)}`);
    if (query.since !== undefined) where.push(`at >= $${params.push(query.since)}`);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, at, event, outcome, code, user_id, provider, ip, user_agent, details FROM auth_audit_log
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $${params.push(limit)}`,
      params,
    );
    return rows.map(recordFromRow);
  }

  /** Deletes entries older than `retentionDays` in bounded batches; returns how many. */
  async purgeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: Array<{ n: number }> = await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM auth_audit_log WHERE id IN (
             SELECT id FROM auth_audit_log WHERE at < now() - make_interval(days => $1) ORDER BY at LIMIT $2)
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [this.settings.retentionDays, PURGE_BATCH],
      );
      const deleted = Number(rows[0]?.n ?? 0);
      total += deleted;
      if (deleted < PURGE_BATCH) return total;
    }
  }

  /** Writes everything queued now (tests, or a host before it exits). Never throws. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  stats(): AuditLogStats {
    const { accepted, written, dropped, failed } = this.queue.counts;
    return { recorded: accepted, written, dropped: dropped + this.rejected, failed, queued: this.queue.queued };
  }

  /** Requests may still arrive while the app closes: write what is queued while the database is up. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.queue.close();
  }

  private writeFailed(error: unknown, lost: number): void {
    this.lostSinceLog += lost;
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLog = now;
    // The driver's message may quote row values (user agents, details): log only its code.
    const code = (error as { code?: unknown })?.code;
    this.logger.error(
      `audit log: could not write ${this.lostSinceLog} entr${this.lostSinceLog === 1 ? 'y' : 'ies'} (${typeof code === 'string' ? `database error ${code}` : error instanceof Error ? error.name : 'error'})`,
    );
    this.lostSinceLog = 0;
  }
}

/**
 * The code the client was answered with (`AuthError.code`; database failures mapped as the
 * exception filter maps them), else the error's class name: never its message, which may quote input.
 */
export function errorCode(error: unknown): string {
  const mapped = asDependencyError(error);
  const code = (mapped as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)) return code;
  return mapped instanceof Error ? mapped.name : 'UNKNOWN';
}

function stripUndefined(entry: AuditEntry): AuditEntry {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as unknown as AuditEntry;
}
