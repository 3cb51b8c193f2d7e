import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Binds each login state to the browser that started it (RFC 9700 §4.7.1): the SHA-256 of the
 * login's binding cookie. Pending logins (10 minutes at most) have no binding and could never
 * complete, so they are dropped rather than given a placeholder.
 */
export class AuthLoginBrowserBinding1764470000000 implements MigrationInterface {
  name = 'AuthLoginBrowserBinding1764470000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM auth_login_states`);
    await db.query(`ALTER TABLE auth_login_states ADD COLUMN browser_binding_hash varchar(64) NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE auth_login_states DROP COLUMN IF EXISTS browser_binding_hash`);
  }
}
