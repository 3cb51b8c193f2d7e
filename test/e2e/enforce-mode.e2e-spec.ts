import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Public } from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

const CLIENT_ID = 'enforce-client';
const CLIENT_SECRET = 'enforce-client-secret-value';

@Controller()
class SiteController {
  @Get('reports')
  reports(@CurrentUser('sub') sub: string) {
    return { reports: [], for: sub };
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('static/css/site.css')
  css() {
    return { css: true };
  }

  @Public()
  @Get('open')
  open() {
    return { open: true };
  }
}

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Enforce mode: every route needs a user but the excluded paths and @Public() handlers. */
describe('enforce mode (host app)', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, {
      controllers: [SiteController],
      auth: { enforce: { exclude: ['/health', '/static/**'] } },
    });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${host.baseUrl}${path}`, { headers, redirect: 'manual' });

  it('redirects an anonymous browser page view to the login, with returnTo', async () => {
    const res = await get('/reports?year=2026&q=a%20b', html);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/auth/login?returnTo=${encodeURIComponent('/reports?year=2026&q=a%20b')}`);
  });

  it('answers 401 JSON to anonymous API requests and non-GET browser requests', async () => {
    const api = await get('/reports', { accept: 'application/json' });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ statusCode: 401, code: 'AUTH_UNAUTHENTICATED' });
    const post = await fetch(`${host.baseUrl}/reports`, { method: 'POST', headers: html, redirect: 'manual' });
    expect(post.status).toBe(404); // no such route: the guard never ran
    const bad = await get('/reports', { ...html, authorization: 'Bearer not.a.jwt' });
    expect(bad.status).toBe(401); // bad credentials are not "anonymous": no redirect
    expect(await bad.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('leaves excluded paths (exact and globs) and @Public() routes open', async () => {
    expect((await get('/health', html)).status).toBe(200);
    expect((await get('/health/')).status).toBe(200);
    expect((await get('/static/css/site.css')).status).toBe(200);
    expect((await get('/open', html)).status).toBe(200);
  });

  it('serves a signed-in user', async () => {
    const token = await rogue.signAccessToken({ sub: 'enforced-user', aud: CLIENT_ID });
    const res = await get('/reports', { ...html, authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ reports: [], for: 'enforced-user' });
  });
});

/** The sample app's AUTH_ENFORCE with its default AUTH_ENFORCE_EXCLUDE (/health,/api/public). */
describe('enforce mode (sample app, AUTH_ENFORCE=true)', () => {
  let sut: SampleAppUnderTest;
  beforeAll(async () => {
    sut = await startSampleAppUnderTest({ AUTH_ENFORCE: 'true' });
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('redirects browsers, refuses APIs and keeps /health and /api/public open', async () => {
    const page = await fetch(`${sut.baseUrl}/api/profile`, { headers: html, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login?returnTo=%2Fapi%2Fprofile');
    expect((await fetch(`${sut.baseUrl}/api/profile`)).status).toBe(401);
    expect((await fetch(`${sut.baseUrl}/health`, { headers: html })).status).toBe(200);
    expect(await (await fetch(`${sut.baseUrl}/api/public`, { headers: html })).json()).toEqual({ public: true });
  });
});
