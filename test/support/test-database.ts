import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../sample-app/src/database/embedded-postgres.js';

export interface TestDatabase {
  url: string;
  /** Pool size the app must use: 1 for PGlite (one backend), more for a real server. */
  poolSize: number;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/**
 * A fresh, empty database for one test file. With `DATABASE_URL` set (as `.ci/run` does), a
 * new database on that real PostgreSQL server, dropped afterwards; otherwise an in-memory PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres();
    return { url: embedded.url, poolSize: 1, kind: 'pglite', close: embedded.close };
  }
  const name = `nestflux_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    poolSize: 10,
    kind: 'postgres',
    async close() {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
