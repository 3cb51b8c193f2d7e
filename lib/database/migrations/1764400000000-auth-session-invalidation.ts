import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Triggers that tell every replica's session cache what to forget (channel
 * `nestflux_auth_sessions`, see SessionInvalidationListener), whoever writes: the library, the
 * sync CLI, a host's own SQL.
 *
 * - a session ends (any DELETE, also cascaded from its user): `s:<id_hash>,…`, up to 100 per
 *   notification, so a purge of thousands of expired rows stays a handful of messages;
 * - a session's identity, user, roles, scopes or expiry change (not `last_seen_at`, written in
 *   batches, nor the provider tokens, which the cache does not hold): `s:<old id_hash>`;
 * - a user row changes in anything but its timestamps: `u:<id>` (deactivation, roles, profile);
 * - TRUNCATE of either table: `*`.
 */
export class AuthSessionInvalidation1764400000000 implements MigrationInterface {
  name = 'AuthSessionInvalidation1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION auth_notify_sessions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('nestflux_auth_sessions', 's:' || string_agg(id_hash, ','))
          FROM (SELECT id_hash, (row_number() OVER () - 1) / 100 AS chunk FROM ended) c
         GROUP BY chunk;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER auth_sessions_deleted AFTER DELETE ON auth_sessions
        REFERENCING OLD TABLE AS ended FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_sessions_deleted()`);
    await db.query(`
      CREATE FUNCTION auth_notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('nestflux_auth_sessions', 's:' || OLD.id_hash);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER auth_sessions_changed
        AFTER UPDATE OF id_hash, user_id, issuer, subject, provider_sid, roles, scopes, expires_at ON auth_sessions
        FOR EACH ROW
        WHEN ((OLD.id_hash, OLD.user_id, OLD.issuer, OLD.subject, OLD.provider_sid, OLD.roles, OLD.scopes, OLD.expires_at)
              IS DISTINCT FROM (NEW.id_hash, NEW.user_id, NEW.issuer, NEW.subject, NEW.provider_sid, NEW.roles, NEW.scopes, NEW.expires_at))
        EXECUTE FUNCTION auth_notify_session_changed()`);
    await db.query(`
      CREATE FUNCTION auth_notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('nestflux_auth_sessions', 'u:' || NEW.id);
        RETURN NULL;
      END $$`);
    // Any column but the timestamps: columns a host adds to auth_users count too.
    await db.query(`
      CREATE TRIGGER auth_users_changed AFTER UPDATE ON auth_users FOR EACH ROW
        WHEN (to_jsonb(OLD) - 'updated_at' - 'last_login_at' - 'last_synced_at'
              IS DISTINCT FROM to_jsonb(NEW) - 'updated_at' - 'last_login_at' - 'last_synced_at')
        EXECUTE FUNCTION auth_notify_user_changed()`);
    await db.query(`
      CREATE FUNCTION auth_notify_sessions_flush() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('nestflux_auth_sessions', '*');
        RETURN NULL;
      END $$`);
    await db.query(
      'CREATE TRIGGER auth_sessions_truncated AFTER TRUNCATE ON auth_sessions FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_sessions_flush()',
    );
    await db.query(
      'CREATE TRIGGER auth_users_truncated AFTER TRUNCATE ON auth_users FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_sessions_flush()',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const [trigger, table] of [
      ['auth_sessions_deleted', 'auth_sessions'],
      ['auth_sessions_changed', 'auth_sessions'],
      ['auth_users_changed', 'auth_users'],
      ['auth_sessions_truncated', 'auth_sessions'],
      ['auth_users_truncated', 'auth_users'],
    ]) {
      await db.query(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
    }
    for (const fn of [
      'auth_notify_sessions_deleted',
      'auth_notify_session_changed',
      'auth_notify_user_changed',
      'auth_notify_sessions_flush',
    ]) {
      await db.query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }
  }
}
