import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { signIn } from '../support/sample-app-harness.js';
import { completeProviderLogout } from '../support/provider-logout.js';
import { sessionStores, startSampleAppOnStore } from '../support/session-stores.js';

/** A compact JWS anywhere in a string (an ID token is one). */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

/**
 * Issue 7, item 9: the ID token must not reach the browser. `POST /auth/logout` used to answer
 * the provider's end-session URL with `id_token_hint=<ID token>`: page JavaScript, browser history
 * and the provider's access logs all saw a token naming the user. The answer now points at a
 * one-time redirect of ours that adds the hint server-side.
 */
describe.each(sessionStores)('RP-initiated logout keeps the ID token server-side (sessions in %s)', (store) => {
  let sut: Awaited<ReturnType<typeof startSampleAppOnStore>>;
  let base: string;

  beforeAll(async () => {
    sut = await startSampleAppOnStore(store);
    base = sut.baseUrl;
  });
  afterAll(async () => {
    await sut?.close();
  });

  it("answers a logoutUrl with no token in it; following it ends at the provider's logout with the hint; a second use is refused", async () => {
    const { agent } = await signIn(base, 'leaving');
    const res = await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toMatch(JWT_PATTERN);
    const { logoutUrl } = JSON.parse(body) as { logoutUrl: string };
    expect(new URL(logoutUrl).origin).toBe(base);
    expect(logoutUrl).not.toMatch(/id_token_hint/);

    const redirect = await fetch(logoutUrl, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    const endSession = new URL(redirect.headers.get('location')!);
    expect(endSession.href.startsWith(`${sut.running.config.issuerUrl}/`)).toBe(true);
    const hint = endSession.searchParams.get('id_token_hint');
    expect(decodeJwt(hint!)).toMatchObject({ sub: 'leaving', aud: sut.running.config.clientId });
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/`);

    const again = await fetch(logoutUrl, { redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 'AUTH_LOGOUT_LINK_INVALID' });
  });

  it("the browser's walk through the link reaches the provider, which accepts the hint and signs out", async () => {
    const { agent } = await signIn(base, 'walker');
    const { logoutUrl } = (await (await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } })).json()) as {
      logoutUrl: string;
    };
    const { hops, confirm } = await completeProviderLogout(agent, logoutUrl);
    expect(hops[1].pathname).toBe('/oidc/session/end');
    expect(confirm.status).toBe(303);
    expect(new URL(confirm.headers.get('location')!).href).toBe(`${base}/`);
  });

  it('refuses a made-up or malformed link without a 5xx', async () => {
    for (const t of ['', 'x', 'A'.repeat(43), 'A'.repeat(5000)]) {
      const res = await fetch(`${base}/auth/logout/end?t=${t}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'AUTH_LOGOUT_LINK_INVALID' });
    }
  });

  it('answers logoutUrl null, with no link, when there was no live session', async () => {
    const res = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } });
    expect(await res.json()).toEqual({ logoutUrl: null });
  });
});
