import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** How a sync pass ended; `running` while it holds the lease. */
export type SyncRunOutcome = 'running' | 'completed' | 'failed' | 'abandoned';

/**
 * One user-sync pass (`auth_sync_runs`): when it ran, how it ended and what it changed.
 * Part of the public surface for monitoring; rows are written by `UserSyncService`.
 */
@Entity({ name: 'auth_sync_runs' })
export class AuthSyncRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** `authentik`, `keycloak`, `scim` or a custom source's name. */
  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'text' })
  issuer: string;

  /** `hostname:pid` of the replica that ran the pass. */
  @Column({ type: 'text', nullable: true })
  host: string | null;

  @Column({ type: 'text', default: 'running' })
  outcome: SyncRunOutcome;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  /** Renewed while the pass runs; a stale one lets another replica take over. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz' })
  heartbeatAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  fetched: number;

  @Column({ type: 'integer', default: 0 })
  created: number;

  @Column({ type: 'integer', default: 0 })
  updated: number;

  @Column({ type: 'integer', default: 0 })
  deactivated: number;

  @Column({ type: 'integer', default: 0 })
  unchanged: number;

  /** Listed users that matched a local identity at the issuer. */
  @Column({ type: 'integer', default: 0 })
  matched: number;

  /** Listed users left out for want of a subject (e.g. no email under Authentik's email subject mode). */
  @Column({ type: 'integer', default: 0 })
  skipped: number;

  /** Users the pass would have deactivated (set when the deactivation step ran). */
  @Column({ name: 'deactivation_candidates', type: 'integer', nullable: true })
  deactivationCandidates: number | null;

  /** `sync.deactivateLimit` in users at the time of the pass. */
  @Column({ name: 'deactivation_limit', type: 'integer', nullable: true })
  deactivationLimit: number | null;

  /** Why the pass deactivated nobody although it had candidates (limit exceeded, nobody matched). */
  @Column({ name: 'deactivation_held', type: 'text', nullable: true })
  deactivationHeld: string | null;

  /** Why a completed pass deactivated nobody (empty listing, directory changed while listed). */
  @Column({ name: 'deactivation_skipped', type: 'text', nullable: true })
  deactivationSkipped: string | null;

  /** The failure, without tokens. */
  @Column({ type: 'text', nullable: true })
  error: string | null;
}
