import type { DataSource } from 'typeorm';
import type { DirectoryUser } from './directory-source.interface.js';
import type { SyncRunOutcome } from './auth-sync-run.entity.js';
import type { DeactivateLimit } from './user-sync.options.js';
import { withGrantedRoles } from '../users/granted-roles.js';

/** A pass's hold on the `running` row of `auth_sync_runs`. */
export interface SyncLease {
  runId: string;
  startedAt: Date;
}

export interface BatchResult {
  /** False when the run no longer holds the lease (another replica took over): nothing was written. */
  leased: boolean;
  /** Listed users with a local identity at the issuer. */
  matched: number;
  /** Of those, rows rewritten because something differed (reactivations included). */
  updated: number;
  /** Of those, active users the directory shows disabled: deactivated when the pass completes. */
  disabled: number;
  created: number;
}

export interface DeactivationResult {
  deactivated: number;
  /** Users the pass would have deactivated. */
  candidates: number;
  /** Active local users at the issuer before the step. */
  active: number;
  /** The limit in users. */
  limit: number;
}

export interface RunCounts {
  fetched: number;
  created: number;
  updated: number;
  deactivated: number;
  unchanged: number;
  matched: number;
  skippedUsers: number;
}

/** What `finish` records besides the counts. */
export interface RunReport {
  error?: string | null;
  deactivationSkipped?: string | null;
  deactivation?: DeactivationResult | null;
  deactivationHeld?: string | null;
}

const BATCH_SQL = `
WITH beat AS (
  UPDATE auth_sync_runs SET heartbeat_at = now() WHERE id = $3 AND outcome = 'running' RETURNING id
),
d AS MATERIALIZED (
  SELECT DISTINCT ON (x.subject) x.*
    FROM jsonb_to_recordset($1::jsonb) AS x(subject text, username text, display_name text, email text,
                                             avatar_url text, active boolean, roles jsonb, importable boolean)
   WHERE EXISTS (SELECT 1 FROM beat)
),
seen AS (
  INSERT INTO auth_sync_seen (run_id, subject, active) SELECT $3, d.subject, d.active FROM d
  ON CONFLICT (run_id, subject) DO UPDATE SET active = auth_sync_seen.active AND excluded.active
),
m AS MATERIALIZED (
  SELECT u.id, u.active AS was_active, (u.active OR d.active) AS new_active, d.*
    FROM d JOIN auth_identities i ON i.issuer = $2 AND i.subject = d.subject
           JOIN auth_users u ON u.id = i.user_id
),
changed AS (
  UPDATE auth_users u
     SET email = m.email, display_name = m.display_name, username = m.username, avatar_url = m.avatar_url,
         roles = CASE WHEN m.roles IS NULL THEN u.roles ELSE ${withGrantedRoles('m.roles', 'u.granted_roles')} END, active = m.new_active, updated_at = now(), last_synced_at = now()
    FROM m
   WHERE u.id = m.id
     AND (u.email IS DISTINCT FROM m.email OR u.display_name IS DISTINCT FROM m.display_name
          OR u.username IS DISTINCT FROM m.username OR u.avatar_url IS DISTINCT FROM m.avatar_url
          OR u.active <> m.new_active
          OR (m.roles IS NOT NULL AND NOT (u.roles @> m.roles AND (m.roles || u.granted_roles) @> u.roles)))
  RETURNING $5::boolean AND m.was_active AND NOT m.active AS disabled
),
fresh AS MATERIALIZED (
  SELECT gen_random_uuid() AS id, d.* FROM d
   WHERE $4::boolean AND d.importable IS NOT FALSE AND NOT EXISTS (SELECT 1 FROM m WHERE m.subject = d.subject)
),
linked AS (
  INSERT INTO auth_identities (user_id, issuer, subject) SELECT f.id, $2, f.subject FROM fresh f
  ON CONFLICT (issuer, subject) DO NOTHING RETURNING user_id
),
created AS (
  INSERT INTO auth_users (id, email, display_name, username, avatar_url, roles, active, last_synced_at)
  SELECT f.id, f.email, f.display_name, f.username, f.avatar_url, COALESCE(f.roles, '[]'::jsonb), f.active, now()
    FROM fresh f JOIN linked l ON l.user_id = f.id
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM beat) AS leased,
       (SELECT count(*) FROM m)::int AS matched,
       (SELECT count(*) FROM changed WHERE NOT disabled)::int AS updated,
       (SELECT count(*) FROM m WHERE $5::boolean AND was_active AND NOT active)::int AS disabled,
       (SELECT count(*) FROM created)::int AS created`;

/**
 * Deactivation after a complete listing, held back as a whole when it would exceed the limit
 * ($5 a count, else $6 percent of the issuer's active users, rounded down, at least 1) or when
 * $7 (the listing matched somebody) is false. Candidates: listed-but-disabled users and, with
 * $4, users the listing lacked whose identity predates the pass ($3).
 */
const DEACTIVATE_SQL = `
WITH cand AS MATERIALIZED (
  SELECT DISTINCT u.id
    FROM auth_users u JOIN auth_identities i ON i.user_id = u.id
   WHERE i.issuer = $1 AND u.active
     AND (EXISTS (SELECT 1 FROM auth_sync_seen s WHERE s.run_id = $2 AND s.subject = i.subject AND NOT s.active)
          OR ($4::boolean AND i.created_at < $3
              AND NOT EXISTS (SELECT 1 FROM auth_sync_seen s WHERE s.run_id = $2 AND s.subject = i.subject)))
),
tally AS (
  SELECT (SELECT count(*) FROM cand)::int AS candidates,
         (SELECT count(DISTINCT u.id) FROM auth_users u JOIN auth_identities i ON i.user_id = u.id
           WHERE i.issuer = $1 AND u.active)::int AS active
),
bound AS (
  SELECT candidates, active,
         COALESCE($5::int, GREATEST(1, floor(active * $6::numeric / 100)::int)) AS lim
    FROM tally
),
gone AS (
  UPDATE auth_users u SET active = false, updated_at = now(), last_synced_at = now()
    FROM bound b
   WHERE u.id IN (SELECT id FROM cand) AND $7::boolean AND b.candidates <= b.lim
     AND EXISTS (SELECT 1 FROM auth_sync_runs r WHERE r.id = $2 AND r.outcome = 'running')
  RETURNING u.id
)
SELECT (SELECT count(*) FROM gone)::int AS deactivated, candidates, active, lim AS "limit" FROM bound`;

/**
 * The sync's SQL, each step one statement outside any transaction: nothing holds a connection
 * while the directory is being read, so a pool of one (embedded PGlite) never deadlocks.
 */
export class UserSyncStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes the lease, first retiring a `running` row whose heartbeat is older than `leaseSeconds`. */
  async acquire(source: string, issuer: string, host: string, leaseSeconds: number): Promise<SyncLease | null> {
    await this.dataSource.query(
      `WITH stale AS (
         UPDATE auth_sync_runs SET outcome = 'abandoned', finished_at = now(),
                error = 'no heartbeat for ' || $1::text || ' s: the replica running it stopped'
          WHERE outcome = 'running' AND heartbeat_at < now() - make_interval(secs => $1::int)
          RETURNING id)
       SELECT count(*) FROM stale`,
      [leaseSeconds],
    );
    const rows: Array<{ id: string; started_at: Date }> = await this.dataSource.query(
      `WITH run AS (
         INSERT INTO auth_sync_runs (source, issuer, host) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING id, started_at)
       SELECT id::text AS id, started_at FROM run`,
      [source, issuer, host],
    );
    if (rows.length === 0) return null;
    await this.dataSource.query(`DELETE FROM auth_sync_seen WHERE run_id <> $1`, [rows[0].id]);
    return { runId: rows[0].id, startedAt: rows[0].started_at };
  }

  /** Renews the lease; false when another replica took it over. */
  async heartbeat(runId: string): Promise<boolean> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `WITH beat AS (UPDATE auth_sync_runs SET heartbeat_at = now() WHERE id = $1 AND outcome = 'running' RETURNING 1)
       SELECT count(*)::int AS n FROM beat`,
      [runId],
    );
    return rows[0].n === 1;
  }

  /**
   * Writes one batch in one statement (one round trip): renews the lease (and writes nothing if
   * it was lost), records the subjects as seen, rewrites only the matched
   * rows where something differs (reactivating users the directory shows enabled), and, with
   * `importUsers`, creates users and identities for the unmatched. Deactivation waits for the end.
   */
  async writeBatch(
    runId: string,
    issuer: string,
    users: readonly DirectoryUser[],
    importUsers: boolean,
    deactivate: boolean,
  ): Promise<BatchResult> {
    const json = JSON.stringify(
      users.map((u) => ({
        subject: u.subject,
        username: u.username,
        display_name: u.displayName,
        email: u.email,
        avatar_url: u.avatarUrl,
        active: u.active,
        ...(u.roles === null ? {} : { roles: u.roles }),
        ...(u.importable === false ? { importable: false } : {}),
      })),
    );
    const rows: BatchResult[] = await this.dataSource.query(BATCH_SQL, [json, issuer, runId, importUsers, deactivate]);
    return rows[0];
  }

  /**
   * After a complete listing: deactivates the listed-but-disabled users and, when
   * `includeMissing`, the local users at `issuer` the listing lacked (except identities
   * created after the pass started, who may have signed up after their page was read) —
   * all of them, or, beyond `limit` or when `allowed` is false, none.
   */
  async deactivate(
    lease: SyncLease,
    issuer: string,
    includeMissing: boolean,
    limit: DeactivateLimit,
    allowed: boolean,
  ): Promise<DeactivationResult> {
    const rows: DeactivationResult[] = await this.dataSource.query(DEACTIVATE_SQL, [
      issuer,
      lease.runId,
      lease.startedAt,
      includeMissing,
      limit.count ?? null,
      limit.percent ?? null,
      allowed,
    ]);
    return rows[0];
  }

  async finish(runId: string, outcome: Exclude<SyncRunOutcome, 'running'>, counts: RunCounts, report: RunReport): Promise<void> {
    await this.dataSource.query(
      `WITH done AS (
         UPDATE auth_sync_runs
            SET outcome = $2, finished_at = now(), fetched = $3, created = $4, updated = $5, deactivated = $6,
                unchanged = $7, error = $8, deactivation_skipped = $9, matched = $10, skipped = $11,
                deactivation_candidates = $12, deactivation_limit = $13, deactivation_held = $14
          WHERE id = $1 AND outcome = 'running' RETURNING 1)
       SELECT count(*) FROM done`,
      [
        runId,
        outcome,
        counts.fetched,
        counts.created,
        counts.updated,
        counts.deactivated,
        counts.unchanged,
        report.error ?? null,
        report.deactivationSkipped ?? null,
        counts.matched,
        counts.skippedUsers,
        report.deactivation?.candidates ?? null,
        report.deactivation?.limit ?? null,
        report.deactivationHeld ?? null,
      ],
    );
    await this.dataSource.query(`DELETE FROM auth_sync_seen WHERE run_id = $1`, [runId]);
  }
}
