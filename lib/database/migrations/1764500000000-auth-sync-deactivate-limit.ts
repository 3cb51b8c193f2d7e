import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a sync pass matched and what it held back: `matched` listed users with a local identity,
 * `skipped` listed users without a usable subject, and, when the pass deactivated nobody for
 * safety, how many it would have deactivated, the limit in users, and why
 * (`deactivation_held`: the deactivation limit, or a listing that matched nobody).
 */
export class AuthSyncDeactivateLimit1764500000000 implements MigrationInterface {
  name = 'AuthSyncDeactivateLimit1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE auth_sync_runs
        ADD COLUMN matched integer NOT NULL DEFAULT 0,
        ADD COLUMN skipped integer NOT NULL DEFAULT 0,
        ADD COLUMN deactivation_candidates integer,
        ADD COLUMN deactivation_limit integer,
        ADD COLUMN deactivation_held text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE auth_sync_runs
        DROP COLUMN matched, DROP COLUMN skipped, DROP COLUMN deactivation_candidates,
        DROP COLUMN deactivation_limit, DROP COLUMN deactivation_held`);
  }
}
