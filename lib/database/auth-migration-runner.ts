import type { DataSource, MigrationInterface } from 'typeorm';

/** Advisory-lock key shared by every replica, so only one of them migrates at a time. */
const MIGRATION_LOCK_KEY = 7_220_019_001;

/**
 * Runs the library's migrations on the host's DataSource, tracked in its own table
 * (`auth_schema_migrations`) so they never mix with the host's migration history.
 * Each migration runs in one transaction together with its bookkeeping row.
 */
export async function runAuthMigrations(
  dataSource: DataSource,
  migrations: ReadonlyArray<new () => MigrationInterface>,
): Promise<string[]> {
  const applied: string[] = [];
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
    await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await runner.query(`
      CREATE TABLE IF NOT EXISTS auth_schema_migrations (
        name text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const rows = (await runner.query('SELECT name FROM auth_schema_migrations')) as Array<{ name: string }>;
    const done = new Set(rows.map((row) => row.name));
    for (const Migration of migrations) {
      const migration = new Migration();
      const name = migration.name ?? Migration.name;
      if (done.has(name)) continue;
      await migration.up(runner);
      await runner.query('INSERT INTO auth_schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    }
    await runner.commitTransaction();
    return applied;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}
