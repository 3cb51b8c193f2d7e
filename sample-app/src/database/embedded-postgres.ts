import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A `postgres://` URL for the ordinary `pg` driver. Pool size must be 1 (see README). */
  url: string;
  close(): Promise<void>;
}

/**
 * Real PostgreSQL compiled to WASM (PGlite), served on a loopback port so TypeORM's ordinary
 * `postgres` driver talks to it. One backend: single instance only, one pooled connection.
 * @param dataDir where to persist; in memory when absent.
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  // Owner only: the database files hold sessions and users (see config/private-files.ts).
  if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
