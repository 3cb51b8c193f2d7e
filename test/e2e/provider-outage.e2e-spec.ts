import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CookieAgent } from '../support/cookie-agent.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

const CLIENT_ID = 'outage-client';
const CLIENT_SECRET = 'outage-client-secret-value';

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('condition not met in time');
}

describe('provider down at boot, nonsense mid-login, then back', () => {
  let rogue: RogueProvider;
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    rogue.setAvailability('down');
    sut = await startSampleAppUnderTest({ OIDC_ISSUER_URL: rogue.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET });
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
    await rogue?.close();
  });

  it('boots anyway: public routes serve, login and bearer answer 503 with a clear message', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(200);
    const login = await fetch(`${base}/auth/login`, { redirect: 'manual' });
    expect(login.status).toBe(503);
    expect(await login.json()).toMatchObject({
      statusCode: 503,
      code: 'AUTH_PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(/identity provider/i),
    });
    expect(login.headers.get('retry-after')).toBeTruthy();
    // Garbage is refused as such whatever the provider's state; a real token cannot be checked now.
    const garbage = await fetch(`${base}/api/profile`, { headers: { authorization: 'Bearer aaa.bbb.ccc' } });
    expect(garbage.status).toBe(401);
    expect(await garbage.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    const real = await fetch(`${base}/api/profile`, {
      headers: { authorization: `Bearer ${await rogue.signAccessToken({ sub: 'cli-user', aud: CLIENT_ID })}` },
    });
    expect(real.status).toBe(503);
    expect(await real.json()).toMatchObject({ code: 'AUTH_PROVIDER_UNAVAILABLE' });
  });

  it('recovers by itself when the provider comes back', async () => {
    rogue.setAvailability('up');
    await eventually(async () => (await fetch(`${base}/auth/login`, { redirect: 'manual' })).status === 302);
  });

  it('answers 503 and creates no session when the token endpoint answers nonsense, or is down', async () => {
    for (const mode of ['nonsense', 'down'] as const) {
      const agent = new CookieAgent();
      // After the previous round's failure, logins answer 503 until the provider is seen up again.
      let start = await agent.request(`${base}/auth/login`);
      const deadline = Date.now() + 15_000;
      while (start.status === 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        start = await agent.request(`${base}/auth/login`);
      }
      expect(start.status).toBe(302);
      const { url } = await agent.follow(new URL(start.headers.get('location')!), (u) => u.pathname === '/auth/callback');
      rogue.setAvailability(mode);
      const callback = await agent.request(url);
      rogue.setAvailability('up');
      expect(callback.status).toBe(503);
      expect(callback.headers.getSetCookie().some((c) => c.startsWith('nestflux.sid='))).toBe(false);
      expect((await agent.request(`${base}/auth/me`)).status).toBe(401);
    }
  });

  it('keeps verifying bearer tokens from the cached JWKS while the provider is down', async () => {
    const token = await rogue.signAccessToken({ sub: 'cli-user', aud: CLIENT_ID });
    expect((await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // A different token: its signature must be checked against the JWKS cached before the outage.
    const another = await rogue.signAccessToken({ sub: 'cli-user-2', aud: CLIENT_ID });
    rogue.setAvailability('down');
    try {
      expect((await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${another}` } })).status).toBe(200);
    } finally {
      rogue.setAvailability('up');
    }
  });
});

/**
 * The provider stops after the app has discovered it: `/auth/login` must not keep sending browsers
 * to a dead authorization endpoint. The app knows the provider's state from its last calls
 * (discovery, token endpoint) and a cheap cached probe, and answers 503 until it is back.
 */
describe('provider stopped after a successful discovery', () => {
  let rogue: RogueProvider;
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    sut = await startSampleAppUnderTest({ OIDC_ISSUER_URL: rogue.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET });
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('signs in while the provider is up, then answers /auth/login with 503 JSON once it is stopped', async () => {
    const agent = new CookieAgent();
    const start = await agent.request(`${base}/auth/login`);
    expect(start.status).toBe(302);
    const { url } = await agent.follow(new URL(start.headers.get('location')!), (u) => u.pathname === '/auth/callback');
    expect((await agent.request(url)).status).toBe(302);

    await rogue.close(); // stopped: connections are refused from now on
    let login: Response | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      login = await fetch(`${base}/auth/login`, { redirect: 'manual' });
      if (login.status !== 302) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(login!.status).toBe(503);
    expect(login!.headers.get('retry-after')).toBe('5');
    expect(await login!.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringMatching(/identity provider/i),
      code: 'AUTH_PROVIDER_UNAVAILABLE',
    });
    // Still 503 on the next attempts (the outcome is remembered, not re-probed on every request).
    const again = await fetch(`${base}/auth/login`, { redirect: 'manual' });
    expect(again.status).toBe(503);
    expect(again.headers.getSetCookie().some((c) => c.includes('nestflux.login'))).toBe(false);
  });
});
