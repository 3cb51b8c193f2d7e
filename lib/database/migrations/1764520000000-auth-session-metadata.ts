import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What session management shows a user: an opaque public id per session (never the cookie value
 * or its hash, which would let a script that reads the list act as the session), and the client
 * address and user agent seen at login. `created_at`/`last_seen_at` exist already.
 */
export class AuthSessionMetadata1764520000000 implements MigrationInterface {
  name = 'AuthSessionMetadata1764520000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE auth_sessions ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await db.query(`ALTER TABLE auth_sessions ADD COLUMN ip text`);
    await db.query(`ALTER TABLE auth_sessions ADD COLUMN user_agent text`);
    await db.query(`CREATE UNIQUE INDEX auth_sessions_public_id_key ON auth_sessions (public_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS auth_sessions_public_id_key`);
    await db.query(`ALTER TABLE auth_sessions DROP COLUMN IF EXISTS user_agent, DROP COLUMN IF EXISTS ip, DROP COLUMN IF EXISTS public_id`);
  }
}
