import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One-time logout links: `POST /auth/logout` answers a link of ours instead of the provider's
 * end-session URL, so the ID token used as `id_token_hint` never reaches the browser. The row
 * keeps the (encrypted) ID token for a few minutes, keyed by the HMAC of the link's handle.
 */
export class AuthLogoutLinks1764500000000 implements MigrationInterface {
  name = 'AuthLogoutLinks1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE auth_logout_links (
        handle_hash varchar(64) PRIMARY KEY,
        id_token_enc text,
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX auth_logout_links_expires_at_idx ON auth_logout_links (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS auth_logout_links`);
  }
}
