import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CookieAgent } from '../support/cookie-agent.js';
import { RogueProvider, type RogueIdTokenPlan } from '../support/rogue-provider/index.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

const CLIENT_ID = 'rogue-client';
const CLIENT_SECRET = 'rogue-client-secret-value';

/**
 * Every way an ID token or a bearer token can be wrong, served by a deliberately misbehaving
 * provider that signs with real keys. Each rejection is checked the way an outside check does:
 * a 4xx, and no cookie that makes /auth/me answer 200.
 */
describe('rejections (misbehaving provider)', () => {
  let rogue: RogueProvider;
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    sut = await startSampleAppUnderTest({ OIDC_ISSUER_URL: rogue.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, OIDC_JWKS_COOLDOWN_SECONDS: '1' });
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
    await rogue?.close();
  });

  /** Runs a login whose token answer follows `plan`; returns the callback response and the agent. */
  async function loginWith(plan?: RogueIdTokenPlan, sub = 'rogue-user'): Promise<{ callback: Response; agent: CookieAgent }> {
    const agent = new CookieAgent();
    const start = await agent.request(`${base}/auth/login`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_hint', sub);
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    if (plan) rogue.planNextIdToken(plan);
    const callback = await agent.request(url);
    return { callback, agent };
  }

  async function expectRejected(plan: RogueIdTokenPlan): Promise<Record<string, unknown>> {
    const { callback, agent } = await loginWith(plan);
    expect(callback.status).toBeGreaterThanOrEqual(400);
    expect(callback.status).toBeLessThan(500);
    expect(callback.headers.getSetCookie().some((c) => c.startsWith('nestflux.sid='))).toBe(false);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(401);
    const body = (await callback.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode: callback.status });
    expect(typeof body.message).toBe('string');
    return body;
  }

  it('accepts a well-behaved login (so the rejections below are for the stated reason)', async () => {
    const { callback, agent } = await loginWith({ signing: 'good' });
    expect(callback.status).toBe(302);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(200);
  });

  it.each([
    ['a tampered signature', { signing: 'tampered-signature' }],
    ['alg none', { signing: 'none' }],
    ['HS256 signed with the client secret (RS256 is pinned)', { signing: 'hs256-client-secret' }],
    ['HS256 signed with another secret', { signing: 'hs256-other-secret' }],
    ['a key that is not in the JWKS', { signing: 'unknown-key' }],
    ['a lying alg header', { header: { alg: 'HS256' } }],
  ] as Array<[string, RogueIdTokenPlan]>)('rejects an ID token with %s', async (_, plan) => {
    await expectRejected(plan);
  });

  const claimsCases: Array<[string, RogueIdTokenPlan['claims']]> = [
    ['the wrong issuer', (c) => ({ iss: 'https://evil.example', aud: c.clientId, sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce })],
    ['the wrong audience', (c) => ({ iss: c.issuer, aud: 'other-client', sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce })],
    ['several audiences and azp of another client', (c) => ({ iss: c.issuer, aud: [c.clientId, 'other'], azp: 'other', sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce })],
    ['several audiences and no azp', (c) => ({ iss: c.issuer, aud: [c.clientId, 'other'], sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce })],
    ['an expiry in the past', (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now - 3600, exp: c.now - 600, nonce: c.nonce })],
    ['iat two minutes in the future', (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now + 120, exp: c.now + 600, nonce: c.nonce })],
    ['no nonce', (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now, exp: c.now + 300 })],
    ['a wrong nonce', (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now, exp: c.now + 300, nonce: 'not-the-login-nonce' })],
    ['no sub', (c) => ({ iss: c.issuer, aud: c.clientId, iat: c.now, exp: c.now + 300, nonce: c.nonce })],
  ];
  it.each(claimsCases)('rejects an ID token with %s', async (_, claims) => {
    await expectRejected({ claims });
  });

  it('rejects a foreign state and a callback without code', async () => {
    const agent = new CookieAgent();
    const foreign = await agent.request(`${base}/auth/callback?code=abc&state=${'A'.repeat(43)}`);
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ code: 'AUTH_LOGIN_STATE_INVALID' });
    expect((await agent.request(`${base}/auth/callback?state=x`)).status).toBe(400);
    expect((await agent.request(`${base}/auth/callback?code=abc&state[]=1&state[]=2`)).status).toBe(400);
  });

  it('follows a key rotation without restart: the unknown kid triggers one JWKS refetch', async () => {
    await rogue.rotateKeys();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the test app's cooldown is 1 s
    const { callback } = await loginWith({ signing: 'good' });
    expect(callback.status).toBe(302);
  });

  it('refetches the JWKS at most once per cooldown for unknown kids', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = rogue.jwksRequests;
    const tokens = await Promise.all(Array.from({ length: 5 }, () => rogue.signAccessToken({ sub: 'x', aud: CLIENT_ID }, { signing: 'unknown-key' })));
    for (const token of tokens) {
      expect((await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    }
    expect(rogue.jwksRequests - before).toBeLessThanOrEqual(1);
  });

  describe('bearer tokens', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const status = async (authorization: string) => (await fetch(`${base}/api/profile`, { headers: { authorization } })).status;

    it('accepts a good at+jwt and a plain JWT', async () => {
      expect(await status(`Bearer ${await rogue.signAccessToken({ sub: 'api-user', aud: CLIENT_ID, roles: ['admin'] })}`)).toBe(200);
      expect(await status(`Bearer ${await rogue.signAccessToken({ sub: 'api-user', aud: CLIENT_ID }, { typ: 'JWT' })}`)).toBe(200);
    });

    it.each([
      ['expired', { sub: 'u', aud: CLIENT_ID, iat: now() - 7200, exp: now() - 3600 }, {}],
      ['wrong audience', { sub: 'u', aud: 'someone-else' }, {}],
      ['wrong issuer', { sub: 'u', aud: CLIENT_ID, iss: 'https://evil.example' }, {}],
      ['alg none', { sub: 'u', aud: CLIENT_ID }, { signing: 'none' }],
      ['HS256 with the client secret', { sub: 'u', aud: CLIENT_ID }, { signing: 'hs256-client-secret' }],
      ['a tampered signature', { sub: 'u', aud: CLIENT_ID }, { signing: 'tampered-signature' }],
      ['an ID-token typ', { sub: 'u', aud: CLIENT_ID }, { typ: 'id_token+jwt' }],
      ['a nonce (an ID token) and typ JWT', { sub: 'u', aud: CLIENT_ID, nonce: 'n' }, { typ: 'JWT' }],
      ['no sub', { aud: CLIENT_ID }, {}],
      ['nbf in the future', { sub: 'u', aud: CLIENT_ID, nbf: now() + 600 }, {}],
    ] as Array<[string, Record<string, unknown>, Record<string, string>]>)('rejects a token with %s', async (_, claims, opts) => {
      expect(await status(`Bearer ${await rogue.signAccessToken(claims, opts as never)}`)).toBe(401);
    });

    it('answers 401 JSON (never 5xx) to malformed and oversized credentials', async () => {
      const bad = ['Bearer', 'Bearer ', 'Bearer not-a-jwt', 'Bearer a.b.c', 'Bearer ....', 'Basic dXNlcjpwYXNz', `Bearer ${'A'.repeat(9000)}.x.y`, 'Bearer eyJhbGciOiJub25lIn0.e30.', 'Bearer \u00e9t\u00e9.x.y'];
      for (const header of bad) {
        const res = await fetch(`${base}/api/profile`, { headers: { authorization: header } }).catch(() => undefined);
        if (!res) continue; // fetch refuses some header bytes itself: nothing reached the app
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    });

    it('does not authenticate a token in the query string (form fields: see module-options)', async () => {
      const token = await rogue.signAccessToken({ sub: 'u', aud: CLIENT_ID });
      expect((await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${base}/api/profile?access_token=${token}`)).status).toBe(401);
    });
  });

  it('answers 401 to garbage session cookies and 4xx to oversized headers', async () => {
    for (const cookie of ['nestflux.sid=garbage', `nestflux.sid=${'A'.repeat(43)}`, 'nestflux.sid=', 'nestflux.sid="%%%"', `nestflux.sid=${'x'.repeat(4000)}`, '=;;;=', 'a=b; nestflux.sid=%E0%A4%A']) {
      const res = await fetch(`${base}/auth/me`, { headers: { cookie } });
      expect(res.status).toBe(401);
    }
    const huge = await fetch(`${base}/auth/me`, { headers: { cookie: `nestflux.sid=${'x'.repeat(40_000)}` } }).catch(() => undefined);
    if (huge) {
      expect(huge.status).toBeGreaterThanOrEqual(400);
      expect(huge.status).toBeLessThan(500);
    }
  });
});
