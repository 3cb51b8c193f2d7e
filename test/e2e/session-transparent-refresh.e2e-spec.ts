import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthSessionService, SessionTokensService, type AuthUser } from '@nestflux/auth';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { hashSessionId } from '../../lib/session/session-id.js';
import { TokenCipher } from '../../lib/session/token-cipher.js';
import type { CookieAgent } from '../support/cookie-agent.js';
import { statusWithin } from '../support/eventually.js';
import {
  BED_CLIENT_ID,
  BED_CLIENT_SECRET,
  BED_SESSION_SECRET,
  REPLICAS,
  startSessionTestBed,
  type SessionTestBed,
} from '../support/session-test-bed.js';
import { sessionStores } from '../support/session-stores.js';

/**
 * Issue 11: transparent refresh. When a session's access token is about to expire, the request
 * itself refreshes it server-side (the browser notices nothing); concurrent requests of one
 * session on two replicas cause one provider refresh; a refused refresh ends the session.
 */
describe.each(sessionStores)('transparent refresh on the request path (rotating provider, two replicas, sessions in %s)', (store) => {
  let bed: SessionTestBed;
  let db: DataSource;
  let providerRefreshes = 0;
  const cipher = new TokenCipher(BED_SESSION_SECRET);

  beforeAll(async () => {
    bed = await startSessionTestBed({ instances: REPLICAS, rotateRefreshToken: true, store });
    db = bed.apps[0].app.get(DataSource);
    bed.provider.provider.on('grant.success', (ctx) => {
      if (ctx.oidc.params?.grant_type === 'refresh_token') providerRefreshes += 1;
    });
  });
  afterAll(async () => {
    await bed?.close();
  });

  async function session(login: string): Promise<{ agent: CookieAgent; cookie: string; key: string }> {
    const agent = await bed.signIn(login);
    const value = agent.cookie(new URL(bed.apps[0].base).host, 'nestflux.sid')!;
    return { agent, cookie: `nestflux.sid=${value}`, key: hashSessionId(BED_SESSION_SECRET, value) };
  }
  /**
   * Stands in for time passing: the access token is about to expire. Each replica then forgets
   * its cached copy of the session, as PostgreSQL's change notification would make it do.
   */
  const expireSoon = async (key: string) => {
    await bed.store.update(key, { accessTokenExpiresAt: new Date(Date.now() + 5_000) });
    for (const { app } of bed.apps) app.get(AuthSessionService).forget(key);
  };
  const expiry = async (key: string): Promise<number> => {
    return (await bed.store.read(key))!.accessTokenExpiresAt!.getTime();
  };

  const userId = async (cookie: string): Promise<string> =>
    ((await (await fetch(`${bed.apps[0].base}/auth/me`, { headers: { cookie } })).json()) as { id: string }).id;

  it('refreshes an access token about to expire while serving the request', async () => {
    const { cookie, key } = await session('transparent');
    await expireSoon(key);
    const before = providerRefreshes;
    const res = await fetch(`${bed.apps[0].base}/api/profile`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(providerRefreshes - before).toBe(1);
    expect(await expiry(key)).toBeGreaterThan(Date.now() + 60_000);
    expect(res.headers.getSetCookie()).toEqual([]); // nothing for the browser to notice
  });

  it('concurrent requests of one session on two replicas cause one provider refresh', async () => {
    const { cookie, key } = await session('transparent-racer');
    await expireSoon(key);
    const before = providerRefreshes;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => fetch(`${bed.apps[i % bed.apps.length].base}/api/profile`, { headers: { cookie } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(providerRefreshes - before).toBe(1);
  });

  it('roles follow the refreshed tokens', async () => {
    const { cookie, key } = await session('admin');
    await db.query(`UPDATE auth_users SET roles = '[]'::jsonb WHERE id = $1`, [await userId(cookie)]);
    expect((await statusWithin(() => fetch(`${bed.apps[0].base}/api/admin`, { headers: { cookie } }), 403)).status).toBe(403);
    await expireSoon(key);
    expect((await fetch(`${bed.apps[bed.apps.length - 1].base}/api/admin`, { headers: { cookie } })).status).toBe(200);
  });

  it('a refresh the provider refuses ends the session: 401 AUTH_SESSION_REFRESH_FAILED, then no session', async () => {
    const { agent, cookie, key } = await session('transparent-revoked');
    const spent = cipher.decrypt((await bed.store.read(key))!.refreshTokenEnc!)!;
    const me = (await (await agent.request(`${bed.apps[0].base}/auth/me`)).json()) as AuthUser;
    await bed.apps[0].app.get(SessionTokensService).accessToken({ ...me, via: 'session', sessionKey: key }, { forceRefresh: true });
    // Someone replays the spent refresh token: the provider detects the reuse and revokes the grant.
    const config = await client.discovery(
      new URL(bed.provider.issuer),
      BED_CLIENT_ID,
      undefined,
      client.ClientSecretBasic(BED_CLIENT_SECRET),
      { execute: [client.allowInsecureRequests] },
    );
    await expect(client.refreshTokenGrant(config, spent)).rejects.toMatchObject({ error: 'invalid_grant' });

    await expireSoon(key);
    const refused = await fetch(`${bed.apps[bed.apps.length - 1].base}/api/profile`, { headers: { cookie } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'AUTH_SESSION_REFRESH_FAILED' });
    const after = await statusWithin(() => fetch(`${bed.apps[0].base}/api/profile`, { headers: { cookie } }), 401);
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
  });

  it('a fresh access token causes no refresh', async () => {
    const { cookie } = await session('transparent-fresh');
    const before = providerRefreshes;
    for (let i = 0; i < 3; i++) expect((await fetch(`${bed.apps[0].base}/api/profile`, { headers: { cookie } })).status).toBe(200);
    expect(providerRefreshes).toBe(before);
  });
});
