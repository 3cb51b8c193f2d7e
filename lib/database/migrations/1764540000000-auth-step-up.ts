import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser step-up (RFC 9470 for sessions): a session keeps the authentication event of its login
 * (`acr`, `amr`, `auth_time` from the ID token, and the `acr_values` that login asked for), and a
 * login state keeps the `acr_values` it sent, so the callback can record them.
 */
export class AuthStepUp1764540000000 implements MigrationInterface {
  name = 'AuthStepUp1764540000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE auth_sessions ADD COLUMN authentication jsonb`);
    await db.query(`ALTER TABLE auth_login_states ADD COLUMN acr_values text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE auth_login_states DROP COLUMN IF EXISTS acr_values`);
    await db.query(`ALTER TABLE auth_sessions DROP COLUMN IF EXISTS authentication`);
  }
}
