import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several providers and account linking: a login state remembers its provider (only that
 * provider's callback completes it) and, for linking, the signed-in user; an identity remembers
 * the provider slug it was linked through, its email then, and when it was linked. Invited users
 * (`UserAccountsService.invite`) wait for their first login with `invited_at` set; roles the app
 * granted itself (an admin email domain, an invite) live in `granted_roles`, which every write of
 * the provider's roles keeps.
 */
export class AuthSeveralProviders1764600000000 implements MigrationInterface {
  name = 'AuthSeveralProviders1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE auth_login_states ADD COLUMN provider text, ADD COLUMN link_user_id uuid`);
    await db.query(`ALTER TABLE auth_identities ADD COLUMN provider text, ADD COLUMN email varchar(320), ADD COLUMN linked_at timestamptz`);
    await db.query(`UPDATE auth_identities SET linked_at = created_at WHERE linked_at IS NULL`);
    await db.query(`ALTER TABLE auth_identities ALTER COLUMN linked_at SET DEFAULT now(), ALTER COLUMN linked_at SET NOT NULL`);
    await db.query(`ALTER TABLE auth_users ADD COLUMN invited_at timestamptz, ADD COLUMN granted_roles jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await db.query(`CREATE UNIQUE INDEX auth_users_invited_email_key ON auth_users (lower(email)) WHERE invited_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS auth_users_invited_email_key`);
    await db.query(`ALTER TABLE auth_users DROP COLUMN IF EXISTS granted_roles, DROP COLUMN IF EXISTS invited_at`);
    await db.query(
      `ALTER TABLE auth_identities DROP COLUMN IF EXISTS linked_at, DROP COLUMN IF EXISTS email, DROP COLUMN IF EXISTS provider`,
    );
    await db.query(`ALTER TABLE auth_login_states DROP COLUMN IF EXISTS link_user_id, DROP COLUMN IF EXISTS provider`);
  }
}
