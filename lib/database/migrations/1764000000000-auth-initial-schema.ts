import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The library's tables. `gen_random_uuid()` is built into PostgreSQL 13+ (and PGlite), so no
 * extension is needed.
 */
export class AuthInitialSchema1764000000000 implements MigrationInterface {
  name = 'AuthInitialSchema1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE auth_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(320),
        display_name varchar(255),
        username varchar(255),
        avatar_url text,
        roles jsonb NOT NULL DEFAULT '[]'::jsonb,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        last_synced_at timestamptz
      )`);
    await db.query(`CREATE INDEX auth_users_email_idx ON auth_users (lower(email))`);
    await db.query(`
      CREATE TABLE auth_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
        issuer text NOT NULL,
        subject text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT auth_identities_issuer_subject_key UNIQUE (issuer, subject)
      )`);
    await db.query(`CREATE INDEX auth_identities_user_id_idx ON auth_identities (user_id)`);
    await db.query(`
      CREATE TABLE auth_sessions (
        id_hash varchar(64) PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
        issuer text NOT NULL,
        subject text NOT NULL,
        provider_sid text,
        roles jsonb NOT NULL DEFAULT '[]'::jsonb,
        scopes jsonb NOT NULL DEFAULT '[]'::jsonb,
        id_token_enc text,
        access_token_enc text,
        refresh_token_enc text,
        access_token_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX auth_sessions_user_id_idx ON auth_sessions (user_id)`);
    await db.query(`CREATE INDEX auth_sessions_identity_idx ON auth_sessions (issuer, subject)`);
    await db.query(`CREATE INDEX auth_sessions_provider_sid_idx ON auth_sessions (issuer, provider_sid)`);
    await db.query(`CREATE INDEX auth_sessions_expires_at_idx ON auth_sessions (expires_at)`);
    await db.query(`
      CREATE TABLE auth_login_states (
        state_hash varchar(64) PRIMARY KEY,
        code_verifier text NOT NULL,
        nonce text NOT NULL,
        max_age integer,
        return_to text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX auth_login_states_expires_at_idx ON auth_login_states (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS auth_login_states`);
    await db.query(`DROP TABLE IF EXISTS auth_sessions`);
    await db.query(`DROP TABLE IF EXISTS auth_identities`);
    await db.query(`DROP TABLE IF EXISTS auth_users`);
  }
}
