import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { LoginStateStore } from '../../lib/login/login-state.store.js';
import { CookieAgent } from '../support/cookie-agent.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

const BINDING_COOKIE = 'nestflux.login';
const SESSION_COOKIE = 'nestflux.sid';

/** Starts a login in `agent` and signs `login` in at the provider; returns the callback URL, not yet visited. */
async function callbackUrlFor(base: string, agent: CookieAgent, login: string, loginBase = base): Promise<URL> {
  const start = await agent.request(`${loginBase}/auth/login`);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  authorize.searchParams.set('login_hint', login);
  const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
  expect(url.pathname).toBe('/auth/callback');
  return url;
}

function setsSession(res: Response): boolean {
  return res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`));
}

/**
 * Login CSRF / session swap (RFC 9700 §4.7, RFC 6749 §10.12): an attacker who starts a login,
 * signs in at the provider as himself and hands the callback URL to a victim must not sign the
 * victim in as the attacker, and must not be able to burn a victim's login either.
 */
describe('login bound to the browser that started it (development provider)', () => {
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest({ AUTH_RATE_LIMIT: '1000/60s' });
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('sets a short-lived HttpOnly SameSite=Lax binding cookie at /auth/login', async () => {
    const res = await fetch(`${base}/auth/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${BINDING_COOKIE}=`));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/i);
    expect(cookie).toMatch(/;\s*Max-Age=600(;|$)/i);
    expect(cookie).not.toMatch(/;\s*Domain=/i);
  });

  it("refuses the attacker's callback URL in a victim browser without a binding cookie, before spending the state", async () => {
    const attacker = new CookieAgent();
    const url = await callbackUrlFor(base, attacker, 'mallory');

    const victim = new CookieAgent();
    const swapped = await victim.request(url);
    expect(swapped.status).toBe(400);
    expect(await swapped.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'AUTH_LOGIN_BROWSER_MISMATCH' });
    expect(setsSession(swapped)).toBe(false);
    expect((await victim.request(`${base}/auth/me`)).status).toBe(401);

    // The state was not consumed: the browser that started the login still completes it.
    const own = await attacker.request(url);
    expect(own.status).toBe(302);
    expect(await (await attacker.request(`${base}/auth/me`)).json()).toMatchObject({ sub: 'mallory' });
  });

  it('refuses it in a victim browser that holds a binding cookie of its own login', async () => {
    const victim = new CookieAgent();
    const victimsOwn = await callbackUrlFor(base, victim, 'victim');
    const attacker = new CookieAgent();
    const url = await callbackUrlFor(base, attacker, 'mallory');

    const swapped = await victim.request(url);
    expect(swapped.status).toBe(400);
    expect(await swapped.json()).toMatchObject({ code: 'AUTH_LOGIN_BROWSER_MISMATCH' });
    expect(setsSession(swapped)).toBe(false);
    expect((await victim.request(`${base}/auth/me`)).status).toBe(401);

    // The victim's own login is intact, and so is the attacker's.
    expect((await victim.request(victimsOwn)).status).toBe(302);
    expect(await (await victim.request(`${base}/auth/me`)).json()).toMatchObject({ sub: 'victim' });
    expect((await attacker.request(url)).status).toBe(302);
  });

  it('refuses a forged binding cookie', async () => {
    const attacker = new CookieAgent();
    const url = await callbackUrlFor(base, attacker, 'mallory');
    const victim = new CookieAgent();
    victim.setCookie(url.host, BINDING_COOKIE, 'A'.repeat(43));
    const swapped = await victim.request(url);
    expect(swapped.status).toBe(400);
    expect(await swapped.json()).toMatchObject({ code: 'AUTH_LOGIN_BROWSER_MISMATCH' });
    expect(setsSession(swapped)).toBe(false);
  });

  it('purges expired login states in bounded batches, keeping live ones', async () => {
    const db = sut.running.app.get(DataSource);
    await db.query(
      `INSERT INTO auth_login_states (state_hash, code_verifier, nonce, max_age, return_to, browser_binding_hash, expires_at)
       SELECT md5(g::text) || md5('x' || g::text), 'v', 'n', NULL, '/', 'h', now() - interval '1 minute' FROM generate_series(1, 1500) g`,
    );
    await fetch(`${base}/auth/login`, { redirect: 'manual' }); // one live state
    const live = (await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM auth_login_states WHERE expires_at > now()`))[0].n;
    expect(await sut.running.app.get(LoginStateStore).purgeExpired()).toBe(1500);
    expect((await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM auth_login_states`))[0].n).toBe(live);
  });

  it('lets two logins run in two tabs of one browser', async () => {
    const browser = new CookieAgent();
    const first = await callbackUrlFor(base, browser, 'tabby');
    const second = await callbackUrlFor(base, browser, 'tabby');
    expect((await browser.request(second)).status).toBe(302);
    expect((await browser.request(first)).status).toBe(302);
  });
});

// Two app instances on one database: embedded PGlite is single-instance by design.
const describeOnServer = process.env.DATABASE_URL ? describe : describe.skip;

describeOnServer('login bound to the browser across replicas (binding kept in the database)', () => {
  const CLIENT_ID = 'binding-client';
  const CLIENT_SECRET = 'binding-client-secret-value';
  let rogue: RogueProvider;
  let a: SampleAppUnderTest;
  let b: SampleAppUnderTest;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const env = {
      OIDC_ISSUER_URL: rogue.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      AUTH_RATE_LIMIT: '1000/60s',
    };
    a = await startSampleAppUnderTest(env);
    // Replica B serves the same public URL (behind one load balancer) and shares A's database.
    b = await startSampleAppUnderTest({ ...env, BASE_URL: a.baseUrl }, a.database);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await rogue?.close();
  });

  it('completes on replica B a login started on replica A, and only in the browser that started it', async () => {
    const browser = new CookieAgent();
    const url = await callbackUrlFor(a.baseUrl, browser, 'roaming');
    const onB = new URL(url.pathname + url.search, b.running.url);
    const binding = browser.cookie(url.host, BINDING_COOKIE)!;
    expect(binding).toBeTruthy();

    const stranger = await fetch(onB, { redirect: 'manual' });
    expect(stranger.status).toBe(400);
    expect(await stranger.json()).toMatchObject({ code: 'AUTH_LOGIN_BROWSER_MISMATCH' });

    const res = await fetch(onB, { redirect: 'manual', headers: { cookie: `${BINDING_COOKIE}=${binding}` } });
    expect(res.status).toBe(302);
    expect(setsSession(res)).toBe(true);
  });
});
