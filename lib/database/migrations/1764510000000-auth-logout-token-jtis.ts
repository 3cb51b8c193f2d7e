import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Back-channel logout tokens already acted on, by `jti`, until they are too old to be accepted
 * anyway: a replayed token is refused by every replica (Back-Channel Logout 1.0 §2.6, step 9).
 */
export class AuthLogoutTokenJtis1764510000000 implements MigrationInterface {
  name = 'AuthLogoutTokenJtis1764510000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE auth_logout_token_jtis (
        issuer text NOT NULL,
        jti text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (issuer, jti)
      )`);
    await db.query(`CREATE INDEX auth_logout_token_jtis_expires_at_idx ON auth_logout_token_jtis (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS auth_logout_token_jtis`);
  }
}
