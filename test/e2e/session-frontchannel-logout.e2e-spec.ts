import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { statusWithin } from '../support/eventually.js';
import { startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';
import { sessionStores } from '../support/session-stores.js';

/**
 * OpenID Connect Front-Channel Logout 1.0, called as the provider's iframe calls it: a GET with
 * `iss` and `sid` (oidc-provider 9 has no front-channel feature, so the test plays its part).
 * The provider session ids are the real ones from the ID tokens (`sid`), as stored at login.
 */
describe.each(sessionStores)('front-channel logout (sessions in %s)', (store) => {
  let bed: SessionTestBed;
  let base: string;

  beforeAll(async () => {
    // A back-channel URI that is never called: it makes the provider put `sid` in ID tokens.
    bed = await startSessionTestBed({
      backchannelLogout: { sessionRequired: true, uri: 'http://127.0.0.1:9/unused' },
      options: { frontchannelLogout: true },
      store,
    });
    base = bed.apps[0].base;
  });

  afterAll(async () => {
    await bed?.close();
  });

  const providerSid = async (sub: string): Promise<string> => {
    const [sid] = await bed.store.providerSids(sub);
    expect(sid).toEqual(expect.any(String));
    return sid;
  };
  const frontchannel = (query: Record<string, string>) =>
    fetch(`${base}/auth/frontchannel-logout?${new URLSearchParams(query).toString()}`);

  it('iss + sid end that provider session here, answer a small uncached page framable by the provider, and leave others alone', async () => {
    const victim = await bed.signIn('fc-victim');
    const bystander = await bed.signIn('fc-bystander');
    const res = await frontchannel({ iss: bed.provider.issuer, sid: await providerSid('fc-victim') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache, no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors ${new URL(bed.provider.issuer).origin}`);
    expect(await res.text()).toContain('Signed out');
    expect((await statusWithin(() => victim.request(`${base}/auth/me`), 401)).status).toBe(401);
    expect((await bystander.request(`${base}/auth/me`)).status).toBe(200);
  });

  it.each<[string, (sid: string) => Record<string, string>]>([
    ['another issuer', (sid: string) => ({ iss: 'https://evil.example', sid })],
    ['no iss', (sid: string) => ({ sid })],
    ['no sid', () => ({ iss: '__issuer__' })],
    ['neither (session information is required)', () => ({})],
  ])('%s: 400 and the session lives on', async (_name, query) => {
    const agent = await bed.signIn('fc-keeper');
    const params = Object.fromEntries(
      Object.entries(query(await providerSid('fc-keeper'))).map(([k, v]): [string, string] => [
        k,
        v === '__issuer__' ? bed.provider.issuer : v,
      ]),
    );
    const res = await frontchannel(params);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'AUTH_FRONTCHANNEL_LOGOUT_INVALID' });
    expect((await agent.request(`${base}/auth/me`)).status).toBe(200);
  });

  it('sessionRequired: false: a request without iss and sid ends the session of the cookie it carries', async () => {
    const lax = await startSessionTestBed({ options: { frontchannelLogout: { sessionRequired: false } } });
    try {
      const laxBase = lax.apps[0].base;
      const agent = await lax.signIn('fc-cookie');
      const other = await lax.signIn('fc-cookie-other');
      expect((await fetch(`${laxBase}/auth/frontchannel-logout`)).status).toBe(200);
      expect((await agent.request(`${laxBase}/auth/me`)).status).toBe(200);
      const res = await agent.request(`${laxBase}/auth/frontchannel-logout`);
      expect(res.status).toBe(200);
      expect((await statusWithin(() => agent.request(`${laxBase}/auth/me`), 401)).status).toBe(401);
      expect((await other.request(`${laxBase}/auth/me`)).status).toBe(200);
    } finally {
      await lax.close();
    }
  });

  it('404 JSON where front-channel logout is off', async () => {
    const off = await startSessionTestBed({ store });
    try {
      const res = await fetch(`${off.apps[0].base}/auth/frontchannel-logout?iss=x&sid=y`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'AUTH_FRONTCHANNEL_LOGOUT_UNAVAILABLE' });
    } finally {
      await off.close();
    }
  });
});
