import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Post } from '@nestjs/common';
import { CurrentUser, Roles, type AuthUser } from '@nestflux/auth';
import { CookieAgent } from '../support/cookie-agent.js';
import { HTTP_PLATFORMS, type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { rogueSignIn } from '../support/rogue-session.js';

@Controller('api')
class ApiController {
  @Get('profile')
  profile(@CurrentUser() user: AuthUser) {
    return { sub: user.sub, via: user.via, roles: user.roles };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { ok: true };
  }

  @Post('notes')
  note(@CurrentUser('sub') sub: string) {
    return { savedBy: sub };
  }
}

const setCookies = (res: Response): string[] => res.headers.getSetCookie();
const cookieNamed = (res: Response, name: string) => setCookies(res).find((c) => c.startsWith(`${name}=`));

/**
 * The core behaviour on each HTTP platform the library supports (as @nestjs/throttler runs its
 * suite): the same host app on Express and on Fastify, the same requests, the same answers.
 */
describe.each(HTTP_PLATFORMS)('on %s', (platform) => {
  let rogue: RogueProvider;
  let host: HostApp;
  let base: string;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: `${platform}-client`, clientSecret: `${platform}-client-secret-value` });
    host = await startHostAppOn(rogue, { platform, controllers: [ApiController], auth: { rateLimit: { limit: 40, windowSeconds: 600 } } });
    base = host.baseUrl;
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  const bearer = async (sub: string, roles: string[] = []) =>
    `Bearer ${await rogue.signAccessToken({ sub, aud: `${platform}-client`, roles })}`;

  it('GET /auth/login: 302 to the provider with state, nonce and S256 PKCE, and the HttpOnly browser-binding cookie', async () => {
    const res = await fetch(`${base}/auth/login?returnTo=/api/profile`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(new URL(rogue.issuer).origin);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    for (const param of ['state', 'nonce', 'code_challenge']) expect(location.searchParams.get(param)).toBeTruthy();
    const binding = cookieNamed(res, 'nestflux.login');
    expect(binding).toMatch(/; HttpOnly/);
    expect(binding).toMatch(/; SameSite=Lax/);
    expect(binding).toMatch(/; Max-Age=\d+/);
  });

  it('the callback signs in: session cookie HttpOnly, SameSite=Lax, Path=/; 302 to returnTo; /auth/me answers', async () => {
    const agent = new CookieAgent();
    const start = await agent.request(`${base}/auth/login?returnTo=/api/profile`);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_hint', `${platform}-alice`);
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    const callback = await agent.request(url);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/api/profile');
    const session = cookieNamed(callback, 'nestflux.sid')!;
    expect(session).toMatch(/; Path=\//);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    const me = await agent.request(`${base}/auth/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: `${platform}-alice` });
  });

  it('refuses a callback with an unknown state or a forged ID token: 4xx JSON, no session', async () => {
    const unknown = await fetch(`${base}/auth/callback?code=x&state=made-up`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.any(String),
      code: 'AUTH_LOGIN_STATE_INVALID',
    });
    expect(cookieNamed(unknown, 'nestflux.sid')).toBeUndefined();

    rogue.planNextIdToken({ signing: 'none' });
    const agent = new CookieAgent();
    const start = await agent.request(`${base}/auth/login`);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_hint', `${platform}-mallory`);
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    const forged = await agent.request(url);
    expect(forged.status).toBe(401);
    expect(cookieNamed(forged, 'nestflux.sid')).toBeUndefined();
    expect((await agent.request(`${base}/auth/me`)).status).toBe(401);
  });

  it('bearer tokens: valid 200; forged, none or for another audience 401 with WWW-Authenticate; missing role 403', async () => {
    const ok = await fetch(`${base}/api/profile`, { headers: { authorization: await bearer(`${platform}-bob`) } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: `${platform}-bob`, via: 'bearer', roles: [] });

    for (const token of [
      await rogue.signAccessToken({ sub: 'mallory', aud: `${platform}-client` }, { signing: 'unknown-key' }),
      await rogue.signAccessToken({ sub: 'mallory', aud: `${platform}-client` }, { signing: 'none' }),
      await rogue.signAccessToken({ sub: 'mallory', aud: 'another-api' }),
    ]) {
      const res = await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expect(await res.json()).toMatchObject({ statusCode: 401, code: 'AUTH_TOKEN_INVALID' });
    }
    expect((await fetch(`${base}/api/profile`)).status).toBe(401);
    expect((await fetch(`${base}/api/admin`, { headers: { authorization: await bearer(`${platform}-bob`) } })).status).toBe(403);
    expect((await fetch(`${base}/api/admin`, { headers: { authorization: await bearer(`${platform}-root`, ['admin']) } })).status).toBe(
      200,
    );
  });

  it('CSRF: a cookie-authenticated POST needs x-csrf-token; a cross-site logout is refused; bearer needs neither', async () => {
    const agent = await rogueSignIn(base, `${platform}-carol`);
    const forged = await agent.request(`${base}/api/notes`, { method: 'POST' });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: 'AUTH_CSRF_TOKEN_INVALID' });

    const csrf = await agent.request(`${base}/auth/csrf`);
    expect(csrf.headers.get('cache-control')).toBe('no-store');
    const { token } = (await csrf.json()) as { token: string };
    const posted = await agent.request(`${base}/api/notes`, { method: 'POST', headers: { 'x-csrf-token': token } });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toEqual({ savedBy: `${platform}-carol` });

    const crossSite = await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(200);

    const withBearer = await fetch(`${base}/api/notes`, { method: 'POST', headers: { authorization: await bearer(`${platform}-carol`) } });
    expect(withBearer.status).toBe(201);
  });

  it('logout ends the session and clears the cookie', async () => {
    const agent = await rogueSignIn(base, `${platform}-dave`);
    const res = await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('logoutUrl');
    expect(cookieNamed(res, 'nestflux.sid')).toMatch(/Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
    const cookieBefore = agent.cookie(new URL(base).host, 'nestflux.sid');
    expect(cookieBefore ?? '').toBe('');
    expect((await agent.request(`${base}/auth/me`)).status).toBe(401);
  });

  it('session management: lists both sessions of a user and ends the other one', async () => {
    const first = await rogueSignIn(base, `${platform}-erin`);
    const second = await rogueSignIn(base, `${platform}-erin`);
    const listed = await first.request(`${base}/auth/sessions`);
    expect(listed.status).toBe(200);
    const sessions = (await listed.json()) as Array<{ id: string; current: boolean }>;
    expect(sessions).toHaveLength(2);
    const other = sessions.find((s) => !s.current)!;
    const { token } = (await (await first.request(`${base}/auth/csrf`)).json()) as { token: string };
    const ended = await first.request(`${base}/auth/sessions/${other.id}`, { method: 'DELETE', headers: { 'x-csrf-token': token } });
    expect(ended.status).toBe(204);
    expect((await second.request(`${base}/auth/me`)).status).toBe(401);
    expect((await first.request(`${base}/auth/me`)).status).toBe(200);
  });

  it('rate limit of the login route: over the limit 429 JSON with Retry-After (runs last: it spends the budget)', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 45 && last?.status !== 429; i++) {
      last = await fetch(`${base}/auth/login`, { redirect: 'manual' });
      expect([302, 429]).toContain(last.status);
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ statusCode: 429, code: 'AUTH_RATE_LIMITED' });
  });
});
