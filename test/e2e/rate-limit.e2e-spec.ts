import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadSampleConfig } from '../../sample-app/src/config/sample-config.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

async function expectRateLimited(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(await res.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.any(String), code: 'AUTH_RATE_LIMITED' });
}

/**
 * Anonymous requests must not grow the login-state table without bound: the login and callback
 * routes are rate-limited per client IP (default 20 per 60 s), the host's other routes are not.
 */
describe('rate limit of the login routes, at the default (20 per 60 s per IP)', () => {
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest({ AUTH_RATE_LIMIT: undefined }); // the harness sets a high one otherwise
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('answers 302 twenty times, then 429 JSON with Retry-After; login states stop growing', async () => {
    for (let i = 0; i < 20; i++) expect((await fetch(`${base}/auth/login`, { redirect: 'manual' })).status).toBe(302);
    const db = sut.running.app.get(DataSource);
    const [{ n: before }] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM auth_login_states`);
    expect(before).toBe(20);
    for (let i = 0; i < 5; i++) await expectRateLimited(await fetch(`${base}/auth/login`, { redirect: 'manual' }));
    const [{ n: after }] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM auth_login_states`);
    expect(after).toBe(20);
  });

  it('limits the callback too, and trusts no X-Forwarded-For without a configured proxy', async () => {
    for (let i = 0; i < 20; i++) expect((await fetch(`${base}/auth/callback?code=x&state=${'A'.repeat(43)}`)).status).toBe(400);
    await expectRateLimited(
      await fetch(`${base}/auth/callback?code=x&state=${'A'.repeat(43)}`, { headers: { 'x-forwarded-for': '203.0.113.9' } }),
    );
    await expectRateLimited(await fetch(`${base}/auth/login`, { redirect: 'manual', headers: { 'x-forwarded-for': '198.51.100.7' } }));
  });

  it("leaves the host's other routes alone", async () => {
    for (let i = 0; i < 30; i++) expect((await fetch(`${base}/api/public`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/auth/me`)).status).toBe(401);
  });
});

describe('rate limit behind a trusted proxy', () => {
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest({ AUTH_RATE_LIMIT: '3/60s', AUTH_TRUSTED_PROXIES: 'loopback' });
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('counts per client address from X-Forwarded-For when the peer is a trusted proxy', async () => {
    const login = (client: string) => fetch(`${base}/auth/login`, { redirect: 'manual', headers: { 'x-forwarded-for': client } });
    for (let i = 0; i < 3; i++) expect((await login('203.0.113.1')).status).toBe(302);
    await expectRateLimited(await login('203.0.113.1'));
    // A client cannot pick its own address: the proxy appends the real one, the rightmost untrusted hop counts.
    await expectRateLimited(await login('198.51.100.50, 203.0.113.1'));
    expect((await login('203.0.113.2')).status).toBe(302);
  });
});

describe('AUTH_RATE_LIMIT', () => {
  it.each([
    ['20/60s', { limit: 20, windowSeconds: 60 }],
    ['100/1m', { limit: 100, windowSeconds: 60 }],
    ['5/10s', { limit: 5, windowSeconds: 10 }],
  ])('reads %s', async (value, expected) => {
    expect((await loadSampleConfig({ AUTH_RATE_LIMIT: value, AUTH_SESSION_SECRET: 'x'.repeat(40) })).rateLimit).toMatchObject(expected);
  });

  it.each(['20', '20/60', '0/60s', 'x/60s', '20/0s', '20/60h', ' 20/60s'])('refuses %j naming the variable', async (value) => {
    await expect(loadSampleConfig({ AUTH_RATE_LIMIT: value, AUTH_SESSION_SECRET: 'x'.repeat(40) })).rejects.toThrow(/AUTH_RATE_LIMIT/);
  });
});
