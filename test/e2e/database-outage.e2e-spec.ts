import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sample-app/src/database/embedded-postgres.js';
import type { CookieAgent } from '../support/cookie-agent.js';
import { signIn, startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

/**
 * The database goes away under a running app (here an embedded PostgreSQL we own and stop):
 * every route that needs it answers 503 with a clear message, never a 500, and public pages
 * that can do without it still serve.
 */
describe('database down under a running app', () => {
  let pg: EmbeddedPostgres;
  let sut: SampleAppUnderTest;
  let agent: CookieAgent;

  beforeAll(async () => {
    pg = await startEmbeddedPostgres();
    sut = await startSampleAppUnderTest({}, { url: pg.url, poolSize: 1, kind: 'pglite', close: async () => undefined });
    ({ agent } = await signIn(sut.baseUrl, 'alice'));
    expect((await agent.request(`${sut.baseUrl}/auth/me`)).status).toBe(200);
    await pg.close();
  }, 90_000); // PGlite and the app boot slowly on a loaded machine
  afterAll(async () => {
    await sut?.close();
  });

  it.each([
    ['GET /auth/me with a session', () => agent.request(`${sut.baseUrl}/auth/me`)],
    ['GET /auth/login', () => fetch(`${sut.baseUrl}/auth/login`, { redirect: 'manual' })],
    ['POST /auth/logout', () => agent.request(`${sut.baseUrl}/auth/logout`, { method: 'POST' })],
    ['GET /health', () => fetch(`${sut.baseUrl}/health`)],
  ] as Array<[string, () => Promise<Response>]>)('%s answers 503', async (_, request) => {
    const res = await request();
    expect(res.status).toBe(503);
    const body = JSON.stringify(await res.json());
    expect(body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });

  it('still serves the public home page (as signed out)', async () => {
    const res = await agent.request(`${sut.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Sign in');
  });
});
