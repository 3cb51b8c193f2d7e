import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, importJWK, type JWK } from 'jose';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuthSessionService, SessionTokensService, type AuthUser } from '@nestflux/auth';
import { SessionActivity } from '../../lib/session/session-activity.js';
import { SessionCacheService } from '../../lib/session/session-cache.service.js';
import { hashSessionId } from '../../lib/session/session-id.js';
import { signIn } from '../support/sample-app-harness.js';
import { statusWithin } from '../support/eventually.js';
import { sessionStores, startSampleAppOnStore } from '../support/session-stores.js';

const SECRET = 'test-session-secret-0123456789-abcdefghij';

describe.each(sessionStores)('session lifecycle: refresh, expiry, deactivation, back-channel logout (sessions in %s)', (store) => {
  let sut: Awaited<ReturnType<typeof startSampleAppOnStore>>;
  let base: string;
  let db: DataSource;
  const host = () => new URL(base).host;

  beforeAll(async () => {
    sut = await startSampleAppOnStore(store, { AUTH_SESSION_SECRET: SECRET });
    base = sut.baseUrl;
    db = sut.running.app.get(DataSource);
  });
  afterAll(async () => {
    await sut?.close();
  });

  async function sessionUser(
    login: string,
  ): Promise<{ user: AuthUser; cookie: string; agent: Awaited<ReturnType<typeof signIn>>['agent'] }> {
    const { agent } = await signIn(base, login);
    const cookie = agent.cookie(host(), 'nestflux.sid')!;
    const me = (await (await agent.request(`${base}/auth/me`)).json()) as AuthUser;
    return {
      user: { ...me, issuer: sut.running.config.issuerUrl, scopes: [], via: 'session', sessionKey: hashSessionId(SECRET, cookie) },
      cookie,
      agent,
    };
  }

  it('keeps the provider tokens server-side and refreshes the access token with the refresh token', async () => {
    const { user } = await sessionUser('refresher');
    const row = (await sut.store.read(user.sessionKey!))!;
    expect(row.refreshTokenEnc).toMatch(/^v1\./);
    expect(row.accessTokenEnc).toMatch(/^v1\./);
    const tokens = sut.running.app.get(SessionTokensService);
    const first = await tokens.accessToken(user);
    const refreshed = await tokens.accessToken(user, { forceRefresh: true });
    expect(refreshed).not.toBe(first);
    const again = await tokens.accessToken(user, { forceRefresh: true }); // the rotated refresh token works too
    expect((await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${again}` } })).status).toBe(200);
  });

  it('ends a session at its absolute expiry and after idling', async () => {
    const absolute = await sessionUser('expiring');
    await sut.store.update(absolute.user.sessionKey!, { expiresAt: new Date(Date.now() - 1_000) });
    expect((await statusWithin(() => absolute.agent.request(`${base}/auth/me`), 401)).status).toBe(401);

    const idle = await sessionUser('idler');
    await sut.running.app.get(AuthSessionService).flushActivity();
    await sut.store.update(idle.user.sessionKey!, { lastSeenAt: new Date(Date.now() - 31 * 60_000) });
    // The in-memory activity of this instance was flushed above, so only the row counts; and its
    // cached copy goes, as it would have after 31 idle minutes (the cache keeps entries 10 s).
    sut.running.app.get(SessionActivity).forget([idle.user.sessionKey!]);
    sut.running.app.get(SessionCacheService).dropSessions([idle.user.sessionKey!]);
    expect((await idle.agent.request(`${base}/auth/me`)).status).toBe(401);
  });

  it('refuses sessions and new logins of a user the provider deactivated', async () => {
    const { agent, user } = await sessionUser('leaver');
    await db.query('UPDATE auth_users SET active = false WHERE id = $1', [user.id]);
    expect((await statusWithin(() => agent.request(`${base}/auth/me`), 401)).status).toBe(401);
    const again = await signIn(base, 'leaver');
    expect(again.final.status).toBe(403);
    expect(await again.final.json()).toMatchObject({ code: 'AUTH_USER_INACTIVE' });
    await db.query('UPDATE auth_users SET active = true WHERE id = $1', [user.id]);
    expect((await signIn(base, 'leaver')).final.status).toBe(302);
  });

  it('ends every session of a subject on a valid back-channel logout token, and refuses forged ones', async () => {
    const { agent } = await sessionUser('bcl-user');
    const jwk = JSON.parse(await readFile(join(sut.running.config.dataDir, 'dev-provider-signing-key.json'), 'utf8')) as JWK;
    const key = await importJWK(jwk, 'RS256');
    const logoutToken = (claims: Record<string, unknown>) =>
      new SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'logout+jwt' })
        .setIssuer(sut.running.config.issuerUrl)
        .setAudience(sut.running.config.clientId)
        .setIssuedAt()
        .setJti(crypto.randomUUID())
        .sign(key);
    const post = (token: string) =>
      fetch(`${base}/auth/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `logout_token=${token}`,
      });

    expect((await post(await logoutToken({ sub: 'bcl-user', nonce: 'x' }))).status).toBe(400);
    expect((await post('garbage')).status).toBe(400);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(200);
    expect((await post(await logoutToken({ sub: 'bcl-user' }))).status).toBe(200);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(401);
  });
});
