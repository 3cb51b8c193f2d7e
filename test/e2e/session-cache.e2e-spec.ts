import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { SessionStore } from '../../lib/session/store/session-store.interface.js';
import { statusWithin } from '../support/eventually.js';
import { startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';
import { sessionStores, TEST_REDIS_URL } from '../support/session-stores.js';
import { Redis } from 'ioredis';

/**
 * Issue 12: sessions are served from an in-process cache, yet a session that ends, is revoked or
 * whose user is deactivated or loses a role stops working on EVERY replica within 1 s. Two app
 * instances on one real PostgreSQL; each has the session cached before the change is made
 * somewhere else (the other instance, or plain SQL as the sync or an admin would write it).
 */
const onPostgres = Boolean(process.env.DATABASE_URL);
const COOKIE = 'nestflux.sid';

(onPostgres ? describe.each(sessionStores) : describe.skip.each(sessionStores))(
  'session cache across replicas (real PostgreSQL, sessions in %s)',
  (store) => {
    let bed: SessionTestBed;
    let db: DataSource;

    beforeAll(async () => {
      bed = await startSessionTestBed({ instances: 2, store });
      db = bed.apps[0].app.get(DataSource);
    });
    afterAll(async () => {
      await bed?.close();
    });

    async function signedIn(login: string): Promise<string> {
      const agent = await bed.signIn(login, 0);
      const sid = agent.cookie(new URL(bed.apps[0].base).host, COOKIE);
      if (!sid) throw new Error('no session cookie');
      // Both replicas have it cached before anything changes.
      for (const { base } of bed.apps) {
        for (let i = 0; i < 3; i++) expect((await get(base, '/api/profile', sid)).status).toBe(200);
      }
      return sid;
    }

    function get(base: string, path: string, sid: string): Promise<Response> {
      return fetch(`${base}${path}`, { headers: { cookie: `${COOKIE}=${sid}` } });
    }

    async function statusOn(instance: number, path: string, sid: string): Promise<number> {
      const res = await get(bed.apps[instance].base, path, sid);
      await res.arrayBuffer();
      return res.status;
    }

    /** The feed that tells replicas of ended sessions: PostgreSQL's LISTEN connections, or the Redis subscriptions. */
    async function subscribers(): Promise<string[]> {
      if (store === 'postgres') {
        return (
          await db.query<Array<{ pid: string }>>(
            `SELECT pid::text FROM pg_stat_activity WHERE application_name = 'nestflux-auth-sessions' AND datname = current_database()`,
          )
        ).map((row) => row.pid);
      }
      const admin = new Redis(TEST_REDIS_URL);
      try {
        const prefix = bed.apps[0].app.get<SessionStore, { prefix: string }>(SessionStore).prefix;
        const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
        return clients
          .split('\n')
          .filter((line) => line.includes(` name=nestflux-auth-sessions:${prefix} `))
          .map((line) => /\bid=(\d+)/.exec(line)![1]);
      } finally {
        admin.disconnect();
      }
    }
    const listening = async () => (await subscribers()).length;
    async function cutFeeds(): Promise<void> {
      const ids = await subscribers();
      expect(ids).toHaveLength(2);
      if (store === 'postgres') {
        await db.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [ids.map(Number)]);
        return;
      }
      const admin = new Redis(TEST_REDIS_URL);
      try {
        for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
      } finally {
        admin.disconnect();
      }
    }

    it('serves a known session without a database round trip', async () => {
      const sid = await signedIn('cached');
      const source = bed.apps[1].app.get(DataSource);
      const query = source.query.bind(source);
      let queries = 0;
      source.query = ((...args: Parameters<DataSource['query']>) => {
        if (/^\s*SELECT/i.test(args[0])) queries++; // the batched activity UPDATE may run meanwhile
        return query(...args);
      }) as DataSource['query'];
      try {
        for (let i = 0; i < 20; i++) expect(await statusOn(1, '/api/profile', sid)).toBe(200);
      } finally {
        source.query = query;
      }
      expect(queries).toBe(0);
    });

    it('logout on one replica ends the session on the other within 1 s', async () => {
      const sid = await signedIn('leaver');
      const logout = await fetch(`${bed.apps[0].base}/auth/logout`, {
        method: 'POST',
        headers: { cookie: `${COOKIE}=${sid}`, origin: bed.apps[0].base },
      });
      expect(logout.status).toBe(200);
      expect(await statusOn(0, '/api/profile', sid)).toBe(401);
      expect((await statusWithin(() => get(bed.apps[1].base, '/api/profile', sid), 401)).status).toBe(401);
    });

    it('a session deleted in the database (revoked) stops working on every replica within 1 s', async () => {
      const sid = await signedIn('revoked');
      await bed.store.deleteSubject('revoked');
      for (const instance of [0, 1]) {
        expect((await statusWithin(() => get(bed.apps[instance].base, '/api/profile', sid), 401)).status).toBe(401);
      }
    });

    it('a deactivated user is refused on every replica within 1 s', async () => {
      const sid = await signedIn('deactivated');
      await db.query(`UPDATE auth_users u SET active = false FROM auth_identities i WHERE i.user_id = u.id AND i.subject = 'deactivated'`);
      for (const instance of [0, 1]) {
        expect((await statusWithin(() => get(bed.apps[instance].base, '/api/profile', sid), 401)).status).toBe(401);
      }
    });

    it('a role removed from the user record stops working on every replica within 1 s', async () => {
      const sid = await signedIn('admin');
      for (const instance of [0, 1]) expect(await statusOn(instance, '/api/admin', sid)).toBe(200);
      await db.query(`UPDATE auth_users u SET roles = '[]'::jsonb FROM auth_identities i WHERE i.user_id = u.id AND i.subject = 'admin'`);
      for (const instance of [0, 1]) {
        expect((await statusWithin(() => get(bed.apps[instance].base, '/api/admin', sid), 403)).status).toBe(403);
      }
    });

    it('while the invalidation feed is down nothing is served from the cache, and it comes back', async () => {
      const sid = await signedIn('unplugged');
      // Cut every replica's listening connection, as a network blip or a server restart would.
      await cutFeeds();
      await bed.store.deleteSubject('unplugged');
      // No notification can reach them; the change still shows, because nothing is served from the cache.
      for (const instance of [0, 1]) {
        expect((await statusWithin(() => get(bed.apps[instance].base, '/api/profile', sid), 401)).status).toBe(401);
      }
      // The listener reconnects (after about 1 s) and the cache works again, invalidation included.
      const deadline = Date.now() + 10_000;
      while ((await listening()) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await listening()).toBe(2);
      const fresh = await signedIn('replugged');
      await bed.store.deleteSubject('replugged');
      for (const instance of [0, 1]) {
        expect((await statusWithin(() => get(bed.apps[instance].base, '/api/profile', fresh), 401)).status).toBe(401);
      }
    });
  },
);
