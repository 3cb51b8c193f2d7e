import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AllRoles, AuthModule, CurrentUser, Public, Roles, Scopes, type AuthModuleOptions, type AuthUser } from '@nestflux/auth';
import { DataSource } from 'typeorm';
import {
  startStandaloneDevIdentityProvider,
  type StandaloneDevIdentityProvider,
} from '../../sample-app/src/dev-identity-provider/index.js';
import { CookieAgent } from '../support/cookie-agent.js';
import { signIn } from '../support/sample-app-harness.js';
import { obtainTokens } from '../support/token-client.js';
import { bindLoopbackServer, type LoopbackServer } from '../support/loopback-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

@Controller('things')
class ThingsController {
  @Public()
  @Get('open')
  open() {
    return { open: true };
  }

  @Get('mine')
  mine(@CurrentUser('displayName') name: string) {
    return { name };
  }

  @Scopes('things:write')
  @Get('write')
  write() {
    return { ok: true };
  }

  @Post('mine')
  @HttpCode(200)
  change(@CurrentUser('sub') sub: string) {
    return { changed: sub };
  }

  @Roles('admin', 'auditor')
  @Get('review')
  review() {
    return { ok: true };
  }

  @AllRoles('admin', 'auditor')
  @Get('audit')
  audit() {
    return { ok: true };
  }

  @Get('unguarded')
  unguarded(@CurrentUser() user: AuthUser | undefined) {
    return { user: user ?? null };
  }
}

const AUDITORS = new Set(['admin', 'carol']);

/** Signs `login` in at a host app whose routes live under /sso. */
async function signInAt(base: string, login: string): Promise<CookieAgent> {
  const { agent, final } = await signIn(base, login, new CookieAgent(), '/', 'sso');
  if (final.status !== 302) throw new Error(`login of ${login} answered ${final.status}`);
  return agent;
}

/** A host app of its own: forRootAsync, another route prefix, a claims mapper. */
async function bootHostApp(
  db: TestDatabase,
  provider: StandaloneDevIdentityProvider,
  listener: LoopbackServer,
  extras: { globalGuard?: boolean; optionsOverride?: Partial<AuthModuleOptions> } = {},
): Promise<INestApplication> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url: db.url, autoLoadEntities: true, extra: { max: db.poolSize } }),
      AuthModule.forRootAsync({
        routePrefix: 'sso',
        globalGuard: extras.globalGuard ?? true,
        useFactory: async (): Promise<AuthModuleOptions> => ({
          issuerUrl: provider.issuer,
          clientId: 'host-app',
          clientSecret: 'host-app-secret',
          baseUrl: listener.baseUrl,
          session: { secret: 'host-app-session-secret-0123456789abcdef' },
          claimsMapper: (claims, defaults) => ({
            ...defaults,
            displayName: `${defaults.displayName} (${String(claims.preferred_username)})`,
            // The host grants an extra role from its own rules.
            roles: AUDITORS.has(String(claims.preferred_username)) ? [...defaults.roles, 'auditor'] : defaults.roles,
          }),
          ...extras.optionsOverride,
        }),
      }),
    ],
    controllers: [ThingsController],
  })
  class HostModule {}
  try {
    return await listener.serve(await NestFactory.create(HostModule, { logger: false, abortOnError: false }));
  } catch (error) {
    await listener.close();
    throw error;
  }
}

describe('AuthModule as a host app configures it', () => {
  let db: TestDatabase;
  let provider: StandaloneDevIdentityProvider;
  let listener: LoopbackServer;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    listener = await bindLoopbackServer();
    base = listener.baseUrl;
    provider = await startStandaloneDevIdentityProvider({
      clients: [{ clientId: 'host-app', clientSecret: 'host-app-secret', redirectUris: [`${base}/sso/callback`] }],
      accessTokenAudience: 'host-app',
      autoLoginHint: true,
    });
    app = await bootHostApp(db, provider, listener);
  });
  afterAll(async () => {
    await app?.close();
    await provider?.close();
    await db?.close();
  });

  it('serves the login routes under the route prefix and maps claims through the host hook', async () => {
    const { agent, final, finalUrl } = await signIn(base, 'erin', new CookieAgent(), '/', 'sso');
    expect(finalUrl.pathname).toBe('/sso/callback');
    expect(final.status).toBe(302);
    expect(await (await agent.request(`${base}/things/mine`)).json()).toEqual({ name: 'Erin (erin)' });
    expect(await (await agent.request(`${base}/sso/me`)).json()).toMatchObject({ displayName: 'Erin (erin)' });
    expect((await fetch(`${base}/things/mine`)).status).toBe(401);
    expect((await fetch(`${base}/things/open`)).status).toBe(200);
    // Cookie-authenticated changes carry the session's anti-CSRF token (test/e2e/session-csrf-token).
    const { token } = (await (await agent.request(`${base}/sso/csrf`)).json()) as { token: string };
    const csrf = { 'x-csrf-token': token };
    expect((await agent.request(`${base}/things/mine`, { method: 'POST', headers: { origin: base, ...csrf } })).status).toBe(200);
    expect((await agent.request(`${base}/things/mine`, { method: 'POST', headers: csrf })).status).toBe(200);
    // A token in a form field is no credential (only the Authorization header is read).
    const tokens = await obtainTokens({
      issuer: provider.issuer,
      clientId: 'host-app',
      clientSecret: 'host-app-secret',
      redirectUri: `${base}/sso/callback`,
      login: 'erin',
    });
    const form = await fetch(`${base}/things/mine`, {
      method: 'POST',
      body: `access_token=${tokens.access_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(401);
    expect(
      (await fetch(`${base}/things/mine`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } })).status,
    ).toBe(200);
    const crossSite = await agent.request(`${base}/things/mine`, { method: 'POST', headers: { origin: 'https://evil.example', ...csrf } });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: 'AUTH_CROSS_SITE_REQUEST' });
    const scoped = await agent.request(`${base}/things/write`);
    expect(scoped.status).toBe(403);
    expect(await scoped.json()).toMatchObject({ code: 'AUTH_FORBIDDEN_SCOPE' });
  });

  it('checks any-of and all-of roles', async () => {
    const status = async (agent: CookieAgent, path: string) => (await agent.request(`${base}/things/${path}`)).status;
    const admin = await signInAt(base, 'admin'); // roles: admin (provider) + auditor (host mapper)
    const carol = await signInAt(base, 'carol'); // auditor only
    const frank = await signInAt(base, 'frank'); // none
    expect([await status(admin, 'review'), await status(admin, 'audit')]).toEqual([200, 200]);
    expect([await status(carol, 'review'), await status(carol, 'audit')]).toEqual([200, 403]);
    expect([await status(frank, 'review'), await status(frank, 'audit')]).toEqual([403, 403]);
  });

  it('refreshes the profile and last_login_at at every login', async () => {
    const db = app.get(DataSource);
    await signInAt(base, 'gina');
    const [first] = await db.query<Array<{ id: string; last_login_at: Date }>>(
      `SELECT u.id, u.last_login_at FROM auth_users u JOIN auth_identities i ON i.user_id = u.id WHERE i.subject = 'gina'`,
    );
    await db.query(`UPDATE auth_users SET display_name = 'stale', last_login_at = now() - interval '1 day' WHERE id = $1`, [first.id]);
    await signInAt(base, 'gina');
    const [second] = await db.query<Array<{ display_name: string; last_login_at: Date }>>(
      'SELECT display_name, last_login_at FROM auth_users WHERE id = $1',
      [first.id],
    );
    expect(second.display_name).toBe('Gina (gina)');
    expect(new Date(second.last_login_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('fails at boot with the key and the fix when an option is wrong', async () => {
    await expect(
      bootHostApp(db, provider, await bindLoopbackServer(), { optionsOverride: { session: { secret: 'short' } } }),
    ).rejects.toThrow(/"session\.secret".*openssl rand/);
    await expect(
      bootHostApp(db, provider, await bindLoopbackServer(), { optionsOverride: { issuerUrl: 'http://idp.example.org' } }),
    ).rejects.toThrow(/"issuerUrl".*allowInsecureIssuer/);
    await expect(
      bootHostApp(db, provider, await bindLoopbackServer(), { optionsOverride: { sync: { source: 'authentik' } } }),
    ).rejects.toThrow(/sync\./);
    await expect(
      bootHostApp(db, provider, await bindLoopbackServer(), {
        optionsOverride: { sync: { source: 'scim', url: 'https://x.example/scim/v2', token: 't', cron: '61 * * * *' } },
      }),
    ).rejects.toThrow(/sync\.cron/);
  });

  it('leaves routes open without globalGuard, and AuthGuard can be applied per route', async () => {
    const other = await bindLoopbackServer();
    const otherDb = await createTestDatabase(); // PGlite serves one connection: a second app needs its own
    const open = await bootHostApp(otherDb, provider, other, { globalGuard: false });
    try {
      expect(await (await fetch(`${other.baseUrl}/things/unguarded`)).json()).toEqual({ user: null });
      // The module's own /me route carries AuthGuard itself, so it still needs a user.
      expect((await fetch(`${other.baseUrl}/sso/me`)).status).toBe(401);
    } finally {
      await open.close();
      await otherDb.close();
    }
  });
});
