import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { obtainTokens } from '../support/token-client.js';
import { BED_CLIENT_ID, BED_CLIENT_SECRET, startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';
import { sessionStores } from '../support/session-stores.js';

/**
 * Issue 11: CSRF tokens (synchronizer pattern). The Origin check alone lets a request through
 * when a browser sends neither Origin nor Referer (privacy settings, some redirects, old
 * clients): a forged cookie-authenticated POST must also carry the session's `x-csrf-token`.
 */
describe.each(sessionStores)('anti-CSRF token on cookie-authenticated unsafe methods (sessions in %s)', (store) => {
  let bed: SessionTestBed;
  let base: string;

  beforeAll(async () => {
    bed = await startSessionTestBed({ store });
    base = bed.apps[0].base;
  });
  afterAll(async () => {
    await bed?.close();
  });

  async function browser(login: string): Promise<{ cookie: string; token: () => Promise<Response> }> {
    const agent = await bed.signIn(login);
    const cookie = `nestflux.sid=${agent.cookie(new URL(base).host, 'nestflux.sid')}`;
    return { cookie, token: () => fetch(`${base}/auth/csrf`, { headers: { cookie } }) };
  }
  const post = (headers: Record<string, string>) => fetch(`${base}/api/change`, { method: 'POST', headers });

  it('refuses a cookie-authenticated POST without the token, or with a wrong or foreign one: 403 AUTH_CSRF_TOKEN_INVALID', async () => {
    const victim = await browser('csrf-victim');
    const attacker = await browser('csrf-attacker');
    const attackerToken = ((await (await attacker.token()).json()) as { token: string }).token;
    for (const headers of <Array<Record<string, string>>>[
      { cookie: victim.cookie },
      { cookie: victim.cookie, 'x-csrf-token': '' },
      { cookie: victim.cookie, 'x-csrf-token': 'forged' },
      { cookie: victim.cookie, 'x-csrf-token': attackerToken },
      { cookie: victim.cookie, origin: base },
    ]) {
      const res = await post(headers);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'AUTH_CSRF_TOKEN_INVALID' });
    }
    const del = await fetch(`${base}/auth/sessions`, { method: 'DELETE', headers: { cookie: victim.cookie } });
    expect(del.status).toBe(403);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie: victim.cookie } })).status).toBe(200);
  });

  it("accepts the session's own token (GET /auth/csrf), keeps the Origin check, and exempts bearer requests", async () => {
    const user = await browser('csrf-user');
    const answer = await user.token();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const { token } = (await answer.json()) as { token: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(((await (await user.token()).json()) as { token: string }).token).toBe(token);
    expect((await post({ cookie: user.cookie, 'x-csrf-token': token })).status).toBe(200);
    expect((await post({ cookie: user.cookie, 'x-csrf-token': token, origin: base })).status).toBe(200);
    const crossSite = await post({ cookie: user.cookie, 'x-csrf-token': token, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: 'AUTH_CROSS_SITE_REQUEST' });

    const tokens = await obtainTokens({
      issuer: bed.provider.issuer,
      clientId: BED_CLIENT_ID,
      clientSecret: BED_CLIENT_SECRET,
      redirectUri: `${base}/auth/callback`,
      login: 'csrf-user',
    });
    expect((await post({ authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
    expect((await fetch(`${base}/auth/csrf`)).status).toBe(401);
  });

  it('POST /auth/logout needs no token: it keeps its Origin check', async () => {
    const user = await browser('csrf-logout');
    const res = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie: user.cookie, origin: base } });
    expect(res.status).toBe(200);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie: user.cookie } })).status).toBe(401);
  });
});
