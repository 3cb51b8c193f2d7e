import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { CookieAgent } from '../support/cookie-agent.js';
import { signIn, startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';
import { obtainTokens } from '../support/token-client.js';

describe('sample app with the embedded development provider (browser login, bearer, roles, logout)', () => {
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest();
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('answers /health', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('redirects /auth/login to the provider with code, state, nonce and an S256 challenge', async () => {
    const res = await fetch(`${base}/auth/login?returnTo=/x`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.href.startsWith(`${sut.running.config.issuerUrl}/`)).toBe(true);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('redirect_uri')).toBe(`${base}/auth/callback`);
  });

  it('signs a user in: 302 to returnTo, an HttpOnly SameSite=Lax cookie, /auth/me answers the user', async () => {
    const { agent, final } = await signIn(base, 'alice', new CookieAgent(), '/dashboard?tab=1');
    expect(final.status).toBe(302);
    expect(final.headers.get('location')).toBe('/dashboard?tab=1');
    const setCookie = final.headers.getSetCookie().find((c) => c.startsWith('nestflux.sid='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const me = await agent.request(`${base}/auth/me`);
    expect(me.status).toBe(200);
    const body = (await me.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ sub: 'alice', email: 'alice@example.test', displayName: 'Alice', roles: [] });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(body.avatarUrl)).toMatch(/^https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{64}/);
    const profile = await agent.request(`${base}/api/profile`);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toEqual(body);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    '/\\/evil.example',
    'javascript:alert(1)',
    '/..//evil.example',
    '/a/../..//evil.example',
    '/%2e%2e//evil.example',
    '/%2E%2E/%2Fevil.example',
    '/%2f%2fevil.example',
    '/%5c%5cevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/.%2f/evil.example',
  ])('never redirects off-site after login (returnTo %j)', async (evil) => {
    const { final } = await signIn(base, 'alice', new CookieAgent(), evil);
    expect(final.status).toBe(302);
    expect(final.headers.get('location')).toBe('/');
  });

  it('enforces roles: 401 anonymous, 403 without the role, 200 with it', async () => {
    expect((await fetch(`${base}/api/admin`)).status).toBe(401);
    const alice = await signIn(base, 'alice');
    const forbidden = await alice.agent.request(`${base}/api/admin`);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'AUTH_FORBIDDEN_ROLE' });
    const admin = await signIn(base, 'admin');
    expect((await admin.agent.request(`${base}/api/admin`)).status).toBe(200);
    expect(await (await admin.agent.request(`${base}/auth/me`)).json()).toMatchObject({ roles: ['admin'] });
  });

  it('refuses a replayed callback and leaves no session', async () => {
    const agent = new CookieAgent();
    const first = await agent.request(`${base}/auth/login`);
    const authorize = new URL(first.headers.get('location')!);
    authorize.searchParams.set('login_hint', 'bob');
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    expect((await agent.request(url)).status).toBe(302);
    const attacker = new CookieAgent();
    const replay = await attacker.request(url);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ statusCode: 400, code: 'AUTH_LOGIN_STATE_INVALID' });
    expect(replay.headers.getSetCookie().some((c) => c.startsWith('nestflux.sid='))).toBe(false);
  });

  it('logs out: cross-site 403, same-site destroys the session and answers the end-session URL', async () => {
    const { agent } = await signIn(base, 'dave');
    const cross = await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(200);
    const cookieBefore = agent.cookie(new URL(base).host, 'nestflux.sid')!;
    const res = await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } });
    expect(res.status).toBe(200);
    const { logoutUrl } = (await res.json()) as { logoutUrl: string };
    // A one-time link of ours; the ID token stays server-side (test/e2e/session-logout-url).
    expect(logoutUrl.startsWith(`${base}/auth/logout/end?t=`)).toBe(true);
    expect(new URL(logoutUrl).searchParams.has('id_token_hint')).toBe(false);
    const stale = new CookieAgent();
    stale.setCookie(new URL(base).host, 'nestflux.sid', cookieBefore);
    expect((await stale.request(`${base}/auth/me`)).status).toBe(401);
  });

  it('accepts a bearer access token from the provider and maps the same user', async () => {
    const { config } = sut.running;
    const tokens = await obtainTokens({
      issuer: config.issuerUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUri: `${base}/auth/callback`,
      login: 'admin',
    });
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    const me = await fetch(`${base}/auth/me`, { headers });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'admin', roles: ['admin'], email: 'admin@example.test' });
    expect((await fetch(`${base}/api/admin`, { headers })).status).toBe(200);
    // An ID token is not an access token, even though its audience is the client.
    expect((await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${tokens.id_token}` } })).status).toBe(401);
    // A token anywhere but the Authorization header does not authenticate.
    expect((await fetch(`${base}/api/profile?access_token=${tokens.access_token}`)).status).toBe(401);
  });

  it('creates exactly one user and one identity for 50 concurrent first logins', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => signIn(base, 'racer')));
    expect(results.map((r) => r.final.status).filter((s) => s !== 302)).toEqual([]);
    const db = sut.running.app.get(DataSource);
    const [identities] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM auth_identities WHERE subject = 'racer'`);
    const [users] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM auth_users WHERE username = 'racer'`);
    expect(identities.n).toBe(1);
    expect(users.n).toBe(1);
  });
});
