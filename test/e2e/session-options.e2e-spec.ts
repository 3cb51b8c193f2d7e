import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authMigrations, runAuthMigrations } from '@nestflux/auth';
import { hashSessionId } from '../../lib/session/session-id.js';
import { DataSource } from 'typeorm';
import { startHostAppOn, type HostApp } from '../support/host-app.js';
import { CookieAgent } from '../support/cookie-agent.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { rogueSignIn } from '../support/rogue-session.js';
import { createTestDatabase } from '../support/test-database.js';

const SECRET = 'session-options-secret-0123456789abcdefgh';
const COOKIE = 'shop.sid';
const IDLE_SECONDS = 120;
const ABSOLUTE_SECONDS = 3_600;
const POST_LOGOUT = 'https://shop.example/signed-out';

/**
 * Issue 7, "session options with no behaviour test": one host app that sets every session option
 * away from its default, and a check that each one changed what the app does. Each assertion
 * would fail with the default value (idle 1800 s, absolute 28800 s, `lax`, `nestflux.sid` on `/`,
 * `<baseUrl>/` after logout, migrations on, a 5 s provider timeout, `aud` = client id).
 */
describe('a host app that configures every session option', () => {
  let rogue: RogueProvider;
  let host: HostApp;
  let db: DataSource;
  const me = (agent: CookieAgent) => agent.request(`${host.baseUrl}/auth/me`);
  const sessionKey = (agent: CookieAgent) => hashSessionId(SECRET, agent.cookie(new URL(host.baseUrl).host, COOKIE)!);

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: 'shop', clientSecret: 'shop-secret' });
    host = await startHostAppOn(rogue, {
      auth: {
        // No cache: the idle check below backdates rows, which a cached copy would not see.
        session: { secret: SECRET, idleTimeoutSeconds: IDLE_SECONDS, absoluteTimeoutSeconds: ABSOLUTE_SECONDS, cache: false },
        cookie: { name: COOKIE, path: '/shop', sameSite: 'strict' },
        postLogoutRedirectUrl: POST_LOGOUT,
        httpTimeoutMs: 400,
        audience: 'orders-api',
      },
    });
    db = host.app.get(DataSource);
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  it('sets the cookie with the configured name, path and SameSite, and clears it on that path', async () => {
    const callbackCookies = await rogueSignInRaw(host.baseUrl, 'cookie-user');
    const sessionCookie = callbackCookies.find((line) => line.startsWith(`${COOKIE}=`))!;
    expect(sessionCookie).toMatch(/;\s*Path=\/shop(;|$)/i);
    expect(sessionCookie).toMatch(/;\s*SameSite=Strict/i);
    expect(sessionCookie).toMatch(/;\s*HttpOnly/i);
    expect(callbackCookies.some((line) => line.startsWith('nestflux.sid=') || line.startsWith('__Host-nestflux.sid='))).toBe(false);

    const agent = await rogueSignIn(host.baseUrl, 'cookie-user');
    expect((await me(agent)).status).toBe(200);
    const logout = await agent.request(`${host.baseUrl}/auth/logout`, { method: 'POST', headers: { origin: host.baseUrl } });
    expect(logout.status).toBe(200);
    const cleared = logout.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
    // A clearing cookie on another path would leave the browser's cookie in place.
    expect(cleared).toMatch(/;\s*Path=\/shop(;|$)/i);
    const { logoutUrl } = (await logout.json()) as { logoutUrl: string };
    const end = await fetch(logoutUrl, { redirect: 'manual' });
    expect(new URL(end.headers.get('location')!).searchParams.get('post_logout_redirect_uri')).toBe(POST_LOGOUT);
  });

  it('ends a session after the configured idle time, not the default, and dates its end by the configured lifetime', async () => {
    const idle = await rogueSignIn(host.baseUrl, 'idle-user');
    const busy = await rogueSignIn(host.baseUrl, 'busy-user');
    const [row] = await db.query<Array<{ lifetime: number }>>(
      'SELECT EXTRACT(EPOCH FROM (expires_at - created_at))::int AS lifetime FROM auth_sessions WHERE id_hash = $1',
      [sessionKey(idle)],
    );
    expect(Math.abs(row.lifetime - ABSOLUTE_SECONDS)).toBeLessThanOrEqual(5);

    const backdate = (agent: typeof idle, seconds: number) =>
      db.query(`UPDATE auth_sessions SET last_seen_at = now() - ($2 || ' seconds')::interval WHERE id_hash = $1`, [
        sessionKey(agent),
        String(seconds),
      ]);
    await backdate(idle, IDLE_SECONDS + 30); // idle past 120 s: over; under the default 1800 s it would live
    await backdate(busy, IDLE_SECONDS - 30);
    expect((await me(idle)).status).toBe(401);
    expect((await me(busy)).status).toBe(200);
  });

  it('accepts bearer tokens for the configured audience only', async () => {
    const forOrders = await rogue.signAccessToken({ sub: 'api-user', aud: 'orders-api' });
    const forClient = await rogue.signAccessToken({ sub: 'api-user', aud: 'shop' });
    expect((await fetch(`${host.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${forOrders}` } })).status).toBe(200);
    expect((await fetch(`${host.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${forClient}` } })).status).toBe(401);
  });

  it('gives up on a provider that does not answer after httpTimeoutMs and answers 503', async () => {
    const agent = await startLoginUpToCallback(host.baseUrl, 'patient-user');
    rogue.setAvailability('hang');
    try {
      const started = Date.now();
      const callback = await agent.agent.request(agent.callbackUrl);
      const waited = Date.now() - started;
      expect(callback.status).toBe(503);
      expect(callback.headers.getSetCookie().some((line) => line.startsWith(`${COOKIE}=`) && !/Expires=Thu, 01 Jan 1970/i.test(line))).toBe(
        false,
      );
      // The default (5 s) would still be waiting; 400 ms plus the app's own work is far below.
      expect(waited).toBeLessThan(4_000);
    } finally {
      rogue.setAvailability('up');
    }
  });
});

describe('database.runMigrations: false', () => {
  it("boots without touching the schema, and works once the host ran the library's migrations itself", async () => {
    const rogue = await RogueProvider.start({ clientId: 'own-migrations', clientSecret: 'own-migrations-secret' });
    const database = await createTestDatabase();
    const host = await startHostAppOn(rogue, { database, auth: { database: { runMigrations: false } } });
    try {
      const dataSource = host.app.get(DataSource);
      const tables = () =>
        dataSource.query<Array<{ users: string | null; migrations: string | null }>>(
          "SELECT to_regclass('auth_users') AS users, to_regclass('auth_schema_migrations') AS migrations",
        );
      expect(await tables()).toEqual([{ users: null, migrations: null }]);

      await runAuthMigrations(dataSource, authMigrations);
      expect((await tables())[0].users).toBe('auth_users');
      const agent = await rogueSignIn(host.baseUrl, 'migrated-user');
      expect((await agent.request(`${host.baseUrl}/auth/me`)).status).toBe(200);
    } finally {
      await host.close();
      await database.close();
      await rogue.close();
    }
  });
});

/** A browser login stopped just before the callback: the callback URL and the agent that holds the login cookie. */
async function startLoginUpToCallback(baseUrl: string, login: string): Promise<{ agent: CookieAgent; callbackUrl: URL }> {
  const agent = new CookieAgent();
  const start = await agent.request(`${baseUrl}/auth/login`);
  const authorize = new URL(start.headers.get('location')!);
  authorize.searchParams.set('login_hint', login);
  const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
  return { agent, callbackUrl: url };
}

/** The Set-Cookie lines of a completed login's callback. */
async function rogueSignInRaw(baseUrl: string, login: string): Promise<string[]> {
  const { agent, callbackUrl } = await startLoginUpToCallback(baseUrl, login);
  return (await agent.request(callbackUrl)).headers.getSetCookie();
}
