import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import type { Env } from '../../sample-app/src/config/sample-config.js';
import { CookieAgent } from './cookie-agent.js';
import { bindLoopbackServer } from './loopback-server.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface SampleAppUnderTest {
  running: RunningSampleApp;
  database: TestDatabase;
  /** The app's base URL (http://localhost:PORT). */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real sample app on a free loopback port against a fresh test database. With no
 * `OIDC_ISSUER_URL` in `env`, its embedded development provider serves logins (login_hint
 * signs a user in at once).
 */
export async function startSampleAppUnderTest(env: Env = {}, database?: TestDatabase): Promise<SampleAppUnderTest> {
  const db = database ?? (await createTestDatabase());
  const listener = await bindLoopbackServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'nestflux-test-'));
  let running: RunningSampleApp;
  try {
    running = await startSampleApp(
      {
        PORT: String(listener.port),
        BASE_URL: listener.baseUrl,
        DATA_DIR: dataDir,
        AUTH_SESSION_SECRET: 'test-session-secret-0123456789-abcdefghij',
        // Tests sign in many times from 127.0.0.1; test/e2e/rate-limit proves the default limit.
        AUTH_RATE_LIMIT: '100000/60s',
        ...env,
      },
      { database: { url: db.url, poolSize: db.poolSize }, devProviderAutoLogin: true, quiet: true, server: listener.server },
    );
  } catch (error) {
    // A refused start (configuration tests) leaves nothing behind.
    await listener.close();
    if (!database) await db.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    running,
    database: db,
    baseUrl: listener.baseUrl,
    async close() {
      await running.close();
      if (!database) await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Full browser login through the provider; returns the agent holding the session cookie. */
export async function signIn(
  baseUrl: string,
  login: string,
  agent = new CookieAgent(),
  returnTo = '/',
  routePrefix = 'auth',
): Promise<{ agent: CookieAgent; final: Response; finalUrl: URL }> {
  const start = new URL(`/${routePrefix}/login?returnTo=${encodeURIComponent(returnTo)}`, baseUrl);
  const first = await agent.request(start);
  if (first.status !== 302) throw new Error(`login answered ${first.status}: ${await first.text()}`);
  const authorize = new URL(first.headers.get('location')!);
  authorize.searchParams.set('login_hint', login);
  const callbackPath = `/${routePrefix}/callback`;
  const { res, url } = await agent.follow(authorize, (u) => u.pathname === callbackPath && u.origin === new URL(baseUrl).origin);
  if (url.pathname !== callbackPath) throw new Error(`login did not reach the callback (${res.status} at ${url.href})`);
  const final = await agent.request(url);
  return { agent, final, finalUrl: url };
}
