import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user sync's bookkeeping. `auth_sync_runs` records every pass; its one `running` row (a
 * partial unique index allows no second) is the lease that keeps replicas from overlapping.
 * `auth_sync_seen` holds the subjects a running pass has listed, so deactivation after a
 * complete listing is one UPDATE, with memory flat in the number of users.
 */
export class AuthUserSync1764100000000 implements MigrationInterface {
  name = 'AuthUserSync1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE auth_sync_runs (
        id bigserial PRIMARY KEY,
        source text NOT NULL,
        issuer text NOT NULL,
        host text,
        outcome text NOT NULL DEFAULT 'running'
          CHECK (outcome IN ('running', 'completed', 'failed', 'abandoned')),
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        fetched integer NOT NULL DEFAULT 0,
        created integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        deactivated integer NOT NULL DEFAULT 0,
        unchanged integer NOT NULL DEFAULT 0,
        deactivation_skipped text,
        error text
      )`);
    await db.query(`CREATE UNIQUE INDEX auth_sync_runs_one_running ON auth_sync_runs (outcome) WHERE outcome = 'running'`);
    await db.query(`CREATE INDEX auth_sync_runs_started_at_idx ON auth_sync_runs (started_at)`);
    await db.query(`
      CREATE TABLE auth_sync_seen (
        run_id bigint NOT NULL REFERENCES auth_sync_runs (id) ON DELETE CASCADE,
        subject text NOT NULL,
        active boolean NOT NULL,
        PRIMARY KEY (run_id, subject)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS auth_sync_seen`);
    await db.query(`DROP TABLE IF EXISTS auth_sync_runs`);
  }
}
