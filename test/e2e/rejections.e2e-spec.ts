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
    sut = await startSampleAppUnderTest({
      OIDC_ISSUER_URL: rogue.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_JWKS_COOLDOWN_SECONDS: '1',
    });
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

  /**
   * The callback must answer exactly `status` with `code`, set no session cookie, and leave the
   * browser anonymous. ID-token failures are 401 AUTH_ID_TOKEN_INVALID whichever layer catches
   * them (openid-client's claim checks or the library's IdTokenVerifier, unit-tested on its own).
   */
  async function expectRejected(plan: RogueIdTokenPlan, code = 'AUTH_ID_TOKEN_INVALID', status = 401): Promise<Record<string, unknown>> {
    const { callback, agent } = await loginWith(plan);
    const body = (await callback.json()) as Record<string, unknown>;
    expect({ status: callback.status, code: body.code }).toEqual({ status, code });
    expect(callback.headers.getSetCookie().some((c) => c.startsWith('nestflux.sid='))).toBe(false);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(401);
    expect(body).toMatchObject({ statusCode: status, error: 'Unauthorized' });
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
    [
      'the wrong issuer',
      (c) => ({ iss: 'https://evil.example', aud: c.clientId, sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce }),
    ],
    ['the wrong audience', (c) => ({ iss: c.issuer, aud: 'other-client', sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce })],
    [
      'several audiences and azp of another client',
      (c) => ({ iss: c.issuer, aud: [c.clientId, 'other'], azp: 'other', sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce }),
    ],
    [
      'several audiences and no azp',
      (c) => ({ iss: c.issuer, aud: [c.clientId, 'other'], sub: c.sub, iat: c.now, exp: c.now + 300, nonce: c.nonce }),
    ],
    ['an expiry in the past', (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now - 3600, exp: c.now - 600, nonce: c.nonce })],
    [
      'iat two minutes in the future',
      (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now + 120, exp: c.now + 600, nonce: c.nonce }),
    ],
    ['no nonce', (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now, exp: c.now + 300 })],
    ['a wrong nonce', (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, iat: c.now, exp: c.now + 300, nonce: 'not-the-login-nonce' })],
    ['no sub', (c) => ({ iss: c.issuer, aud: c.clientId, iat: c.now, exp: c.now + 300, nonce: c.nonce })],
  ];
  it.each(claimsCases)('rejects an ID token with %s', async (_, claims) => {
    await expectRejected({ claims });
  });

  it('rejects a foreign state and a callback without code', async () => {
    const agent = new CookieAgent();
    const cases = [
      `code=abc&state=${'A'.repeat(43)}`,
      'state=x',
      'code=abc&state[]=1&state[]=2',
      'code=abc',
      `error=access_denied&state=${'A'.repeat(43)}`,
    ];
    for (const query of cases) {
      const res = await agent.request(`${base}/auth/callback?${query}`);
      expect({ query, status: res.status, body: await res.json() }).toMatchObject({
        query,
        status: 400,
        body: { statusCode: 400, code: 'AUTH_LOGIN_STATE_INVALID' },
      });
    }
  });

  describe('provider error responses (RFC 6749 §4.1.2.1) are never reflected', () => {
    const evil = '<img src=x onerror=alert(1)>';
    it.each([
      ['an unknown error code', { error: evil, error_description: `${evil} please call +1-555-0100` }],
      ['access_denied with a description', { error: 'access_denied', error_description: `${evil} please call +1-555-0100` }],
      ['login_required', { error: 'login_required', error_description: 'Your account at evil.example is locked' }],
    ])('answers %s with a fixed message and a stable code', async (_, params) => {
      const agent = new CookieAgent();
      const start = await agent.request(`${base}/auth/login`);
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const callback = new URL(`${base}/auth/callback`);
      for (const [key, value] of Object.entries({ ...params, state, iss: rogue.issuer })) callback.searchParams.set(key, value);
      const res = await agent.request(callback);
      const text = await res.text();
      expect(res.status).toBe(401);
      expect(JSON.parse(text)).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'The identity provider did not complete the login; start the login again.',
        code: 'AUTH_LOGIN_FAILED',
      });
      for (const fragment of ['onerror', '555', 'evil', 'locked', params.error]) expect(text).not.toContain(fragment);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('nestflux.sid='))).toBe(false);
    });
  });

  it('follows a key rotation without restart: the unknown kid triggers a JWKS refetch', async () => {
    await rogue.rotateKeys();
    // The test app's refetch cooldown is 1 s: poll until it has passed, with a deadline.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 302) {
      status = (await loginWith({ signing: 'good' })).callback.status;
      if (status !== 302) expect(status).toBe(401); // an unknown kid during the cooldown is refused
      if (status !== 302) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(302);
  });

  it('refetches the JWKS at most once per cooldown for unknown kids', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 6 }, () => rogue.signAccessToken({ sub: 'x', aud: CLIENT_ID }, { signing: 'unknown-key' })),
    );
    // First wait until an unknown kid makes the app refetch (the cooldown of an earlier test is over)…
    const deadline = Date.now() + 10_000;
    let before = rogue.jwksRequests;
    while (rogue.jwksRequests === before && Date.now() < deadline) {
      expect((await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${tokens[0]}` } })).status).toBe(401);
      if (rogue.jwksRequests === before) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rogue.jwksRequests).toBeGreaterThan(before);
    // …then five more unknown kids right away fetch nothing more.
    before = rogue.jwksRequests;
    const statuses = await Promise.all(
      tokens.slice(1).map(async (token) => (await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } })).status),
    );
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(rogue.jwksRequests - before).toBe(0);
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
      const bad = [
        'Bearer',
        'Bearer ',
        'Bearer not-a-jwt',
        'Bearer a.b.c',
        'Bearer ....',
        'Basic dXNlcjpwYXNz',
        `Bearer ${'A'.repeat(9000)}.x.y`,
        'Bearer eyJhbGciOiJub25lIn0.e30.',
        'Bearer \u00e9t\u00e9.x.y',
      ];
      for (const header of bad) {
        const res = await fetch(`${base}/api/profile`, { headers: { authorization: header } });
        expect({ header, status: res.status }).toEqual({ header, status: 401 });
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
    for (const cookie of [
      'nestflux.sid=garbage',
      `nestflux.sid=${'A'.repeat(43)}`,
      'nestflux.sid=',
      'nestflux.sid="%%%"',
      `nestflux.sid=${'x'.repeat(4000)}`,
      '=;;;=',
      'a=b; nestflux.sid=%E0%A4%A',
    ]) {
      const res = await fetch(`${base}/auth/me`, { headers: { cookie } });
      expect(res.status).toBe(401);
    }
    // Past Node's 16 KB header limit the HTTP server itself answers 431.
    const huge = await fetch(`${base}/auth/me`, { headers: { cookie: `nestflux.sid=${'x'.repeat(40_000)}` } });
    expect(huge.status).toBe(431);
  });
});
