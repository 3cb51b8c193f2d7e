import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { CookieAgent } from '../support/cookie-agent.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';
import { signInAt } from '../support/two-provider-bed.js';

/**
 * The sample home page with DEV_PROVIDERS=2: a "Sign in with …" button per provider; signed in,
 * the linked accounts with Unlink buttons and a Link button per provider not linked yet, driving
 * the library's routes exactly as the page's script does (CSRF token header, then the provider).
 */
describe('sample home page: providers and linked accounts', () => {
  let sut: SampleAppUnderTest;
  let base: string;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest({ DEV_PROVIDERS: '2' });
    base = sut.baseUrl;
  }, 90_000);
  afterAll(async () => {
    await sut?.close();
  });

  async function home(agent?: CookieAgent): Promise<string> {
    const res = agent ? await agent.request(`${base}/`) : await fetch(`${base}/`);
    expect(res.status).toBe(200);
    return res.text();
  }

  async function csrf(agent: CookieAgent): Promise<string> {
    return ((await (await agent.request(`${base}/auth/csrf`)).json()) as { token: string }).token;
  }

  const identities = (page: string) => [...page.matchAll(/<li class="identity" data-provider="([^"]*)">/g)].map((m) => m[1]);
  const linkForms = (page: string) => [...page.matchAll(/<form class="link" method="post" action="([^"]+)"/g)].map((m) => m[1]);

  it('lists every configured provider as a "Sign in with …" button, provider 1 on the unslugged route', async () => {
    const page = await home();
    const buttons = [
      ...page.matchAll(/<a(?: id="sign-in")? class="button sign-in" data-provider="([^"]+)" href="([^"]+)">Sign in with ([^<]+)<\/a>/g),
    ].map((m) => [m[1], m[2], m[3]]);
    expect(buttons).toEqual([
      ['dev', '/auth/login?returnTo=%2F', 'Development provider'],
      ['dev2', '/auth/login/dev2?returnTo=%2F', 'Development provider 2'],
    ]);
  });

  it("shows the linked account, links the second provider through the Link form's route, then unlinks it", async () => {
    const { agent } = await signInAt(base, 'dev', 'gina');
    let page = await home(agent);
    expect(identities(page)).toEqual(['dev']);
    expect(page).toMatch(/<button type="submit" disabled[^>]*>Unlink<\/button>/);
    expect(linkForms(page)).toEqual(['/auth/link/dev2']);

    // What the form's script does: the CSRF token as a header, then the provider's URL.
    const started = await agent.request(`${base}/auth/link/dev2?returnTo=%2F`, {
      method: 'POST',
      headers: { 'x-csrf-token': await csrf(agent) },
    });
    expect(started.status).toBe(200);
    const authorize = new URL(((await started.json()) as { redirectUrl: string }).redirectUrl);
    authorize.searchParams.set('login_hint', 'gina-elsewhere');
    const { url: callback } = await agent.follow(authorize, (u) => u.origin === base && u.pathname.startsWith('/auth/callback'));
    expect(callback.pathname).toBe('/auth/callback/dev2');
    expect((await agent.request(callback)).status).toBe(302);

    page = await home(agent);
    expect(identities(page)).toEqual(['dev', 'dev2']);
    expect(page).toContain('gina-elsewhere@example.test');
    expect(linkForms(page)).toEqual([]);
    expect(page).not.toMatch(/disabled[^>]*>Unlink/);

    const action = /<li class="identity" data-provider="dev2">[\s\S]*?<form class="unlink" method="post" action="([^"]+)"/.exec(page)![1];
    expect((await agent.request(`${base}${action}`, { method: 'DELETE', headers: { 'x-csrf-token': await csrf(agent) } })).status).toBe(
      204,
    );
    expect(identities(await home(agent))).toEqual(['dev']);
  });

  it('escapes what an identity carries', async () => {
    const { agent } = await signInAt(base, 'dev', 'hank');
    const db = sut.running.app.get(DataSource);
    await db.query(`UPDATE auth_identities SET email = '<img src=x onerror=alert(1)>' WHERE subject = 'hank'`);
    const page = await home(agent);
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});
