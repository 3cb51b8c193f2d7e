import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { CurrentUser, type AuthModuleOptions } from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider, type RogueAccessTokenOptions } from '../support/rogue-provider/index.js';

const CLIENT_ID = 'jwks-client';
const CLIENT_SECRET = 'jwks-client-secret-value';

@Controller('api')
class ProfileController {
  @Get('profile')
  profile(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

/** Polls `attempt` until it returns a value, or fails after the deadline with the last reason. */
async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The signing-key cache under attack and under a provider outage, against the misbehaving
 * provider (real keys, a JWKS that can rotate or go away). Every host app here uses its own
 * provider, so one test's rotation or outage cannot leak into another.
 */
describe('bearer tokens and the JWKS cache', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  async function boot(auth: Partial<AuthModuleOptions>): Promise<void> {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, { controllers: [ProfileController], auth });
  }
  // Each test boots its own app and provider (no state shared between tests).
  jest.setTimeout(90_000);
  afterEach(async () => {
    await host?.close();
    await rogue?.close();
  });

  let counter = 0;
  /** A fresh token string each time (so the verified-token cache cannot answer for it). */
  const token = (opts: RogueAccessTokenOptions = {}) => rogue.signAccessToken({ sub: `user-${++counter}`, aud: CLIENT_ID }, opts);
  const call = (jwt: string) => fetch(`${host.baseUrl}/api/profile`, { headers: { authorization: `Bearer ${jwt}` } });
  async function expectStatus(jwt: string, status: number, code?: string): Promise<void> {
    const res = await call(jwt);
    const body = (await res.json()) as { code?: string };
    expect({ status: res.status, code: body.code }).toEqual({ status, code });
  }

  it('unknown kids while the provider is down: one JWKS attempt per cooldown, each answered 401 (no amplification)', async () => {
    await boot({ jwksCooldownSeconds: 1 });
    await expectStatus(await token(), 200);
    const fetchedAt = Date.now();
    // Let the cooldown of that successful fetch pass: only failed attempts may limit what follows.
    await eventually(async () => (Date.now() - fetchedAt > 1_100 ? true : undefined), 5_000, 'cooldown over');
    // Signed beforehand: each unknown key is a fresh RSA key pair, slow to make.
    const forged = await Promise.all(Array.from({ length: 12 }, () => token({ signing: 'unknown-key' })));
    rogue.setAvailability('down');
    const before = rogue.jwksAttempts;
    const started = Date.now();
    for (const jwt of forged) await expectStatus(jwt, 401, 'AUTH_TOKEN_INVALID');
    const attempts = rogue.jwksAttempts - before;
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    // The keys known before the outage still verify.
    await expectStatus(await token(), 200);
  });

  it('keeps verifying with the last known keys while a refetch fails (stale-if-error), one attempt per cooldown', async () => {
    await boot({ jwksMaxAgeSeconds: 1, jwksCooldownSeconds: 1 });
    await expectStatus(await token(), 200);
    rogue.setAvailability('down');
    const before = rogue.jwksAttempts;
    const started = Date.now();
    // Past the keys' max age the app tries to refetch, fails, and must go on verifying.
    await eventually(
      async () => {
        await expectStatus(await token(), 200);
        return rogue.jwksAttempts - before >= 2 ? true : undefined;
      },
      10_000,
      'two failed refetches',
    );
    // Failed refetches observe the cooldown too: at most one per second, not one per request.
    expect(rogue.jwksAttempts - before).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
  });

  it('stops verifying a key the provider withdrew within the JWKS max age (also a token already verified once)', async () => {
    await boot({ jwksMaxAgeSeconds: 1, jwksCooldownSeconds: 1 });
    const old = await token();
    await expectStatus(old, 200);
    await expectStatus(old, 200); // now in the verified-token cache
    await rogue.rotateKeys(); // the old key leaves the JWKS
    const withdrawnAt = Date.now();
    await eventually(async () => ((await call(old)).status === 401 ? true : undefined), 5_000, 'old-key token refused');
    expect(Date.now() - withdrawnAt).toBeLessThan(3_000); // max age 1 s + cooldown 1 s + slack
    await expectStatus(old, 401, 'AUTH_TOKEN_INVALID');
    await expectStatus(await token(), 200); // the new key verifies
  });

  it('answers 503 while no key was ever fetched and the provider is down, without a fetch per request', async () => {
    await boot({ jwksCooldownSeconds: 30 });
    // Discovery succeeded at boot; the JWKS itself was never fetched.
    await eventually(
      async () => ((await fetch(`${host.baseUrl}/auth/login`, { redirect: 'manual' })).status === 302 ? true : undefined),
      10_000,
      'discovery',
    );
    rogue.setAvailability('down');
    const before = rogue.jwksAttempts;
    for (let i = 0; i < 5; i++) await expectStatus(await token(), 503, 'AUTH_PROVIDER_UNAVAILABLE');
    expect(rogue.jwksAttempts - before).toBe(1);
  });
});
