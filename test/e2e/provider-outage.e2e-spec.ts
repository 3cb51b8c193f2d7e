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
    expect(await login.json()).toMatchObject({ statusCode: 503, code: 'AUTH_PROVIDER_UNAVAILABLE', message: expect.stringMatching(/identity provider/i) });
    expect(login.headers.get('retry-after')).toBeTruthy();
    // Garbage is refused as such whatever the provider's state; a real token cannot be checked now.
    const garbage = await fetch(`${base}/api/profile`, { headers: { authorization: 'Bearer aaa.bbb.ccc' } });
    expect(garbage.status).toBe(401);
    expect(await garbage.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    const real = await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${await rogue.signAccessToken({ sub: 'cli-user', aud: CLIENT_ID })}` } });
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
      const start = await agent.request(`${base}/auth/login`);
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
