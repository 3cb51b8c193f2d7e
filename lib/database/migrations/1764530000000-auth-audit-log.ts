import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: who signed in, out, was refused or revoked, and when. No foreign key to
 * `auth_users`: entries outlive the users they name, and a failed login may name nobody.
 * The indexes serve the retention purge (`at`) and the usual filters (user, event), newest first.
 */
export class AuthAuditLog1764530000000 implements MigrationInterface {
  name = 'AuthAuditLog1764530000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE auth_audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        event text NOT NULL,
        outcome text NOT NULL,
        code text,
        user_id uuid,
        provider text,
        ip text,
        user_agent text,
        details jsonb
      )`);
    await db.query(`CREATE INDEX auth_audit_log_at_idx ON auth_audit_log (at DESC, id DESC)`);
    await db.query(`CREATE INDEX auth_audit_log_user_at_idx ON auth_audit_log (user_id, at DESC)`);
    await db.query(`CREATE INDEX auth_audit_log_event_at_idx ON auth_audit_log (event, at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS auth_audit_log`);
  }
}
