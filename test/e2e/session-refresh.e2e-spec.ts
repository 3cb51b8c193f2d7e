import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SessionTokensService, type AuthError, type AuthUser } from '@nestflux/auth';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { hashSessionId } from '../../lib/session/session-id.js';
import { TokenCipher } from '../../lib/session/token-cipher.js';
import { CookieAgent } from '../support/cookie-agent.js';
import { statusWithin } from '../support/eventually.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import {
  BED_CLIENT_ID,
  BED_CLIENT_SECRET,
  BED_SESSION_SECRET,
  REPLICAS,
  startSessionTestBed,
  type SessionTestBed,
} from '../support/session-test-bed.js';
import { sessionStores, startSampleAppOnStore } from '../support/session-stores.js';

/**
 * Issue 7, item 8: refresh with a provider that ROTATES refresh tokens (oidc-provider
 * `rotateRefreshToken: true`, with reuse detection: a spent refresh token used again revokes
 * the whole grant). Two replicas on one database refreshing one session at once must spend the
 * refresh token once; a refreshed ID token is verified like a login's before it is stored.
 */
async function sessionUser(agent: CookieAgent, base: string, secret: string, cookieName = 'nestflux.sid'): Promise<AuthUser> {
  const cookie = agent.cookie(new URL(base).host, cookieName)!;
  const me = (await (await agent.request(`${base}/auth/me`)).json()) as AuthUser;
  return { ...me, issuer: '', scopes: [], via: 'session', sessionKey: hashSessionId(secret, cookie) };
}

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    return error as AuthError;
  }
  throw new Error('expected a rejection');
}

describe.each(sessionStores)('refresh with rotating refresh tokens, two replicas (sessions in %s)', (store) => {
  let bed: SessionTestBed;
  let db: DataSource;
  const cipher = new TokenCipher(BED_SESSION_SECRET);
  let providerRefreshes = 0;

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

  const storedRefreshToken = async (key: string): Promise<string> => {
    return cipher.decrypt((await bed.store.read(key))!.refreshTokenEnc!)!;
  };

  it('stores the rotated refresh token; the old one is refused; a refused refresh ends the session (401 AUTH_SESSION_REFRESH_FAILED)', async () => {
    const { base, app } = bed.apps[0];
    const agent = await bed.signIn('rotator');
    const user = await sessionUser(agent, base, BED_SESSION_SECRET);
    const tokens = app.get(SessionTokensService);
    const before = await storedRefreshToken(user.sessionKey!);
    await tokens.accessToken(user, { forceRefresh: true });
    const after = await storedRefreshToken(user.sessionKey!);
    expect(after).not.toBe(before);

    // The old refresh token is spent: the provider refuses it (and, detecting reuse, revokes the grant).
    const config = await client.discovery(
      new URL(bed.provider.issuer),
      BED_CLIENT_ID,
      undefined,
      client.ClientSecretBasic(BED_CLIENT_SECRET),
      { execute: [client.allowInsecureRequests] },
    );
    const reuse = await rejection(client.refreshTokenGrant(config, before));
    expect((reuse as unknown as { error?: string }).error).toBe('invalid_grant');

    // So the session's own (new) refresh token is refused too: the session ends.
    const refused = await rejection(tokens.accessToken(user, { forceRefresh: true }));
    expect(refused.code).toBe('AUTH_SESSION_REFRESH_FAILED');
    expect(refused.status).toBe(401);
    expect(await bed.store.read(user.sessionKey!)).toBeUndefined();
    expect((await agent.request(`${base}/api/profile`)).status).toBe(401);
  });

  it("the user record's roles follow the refreshed tokens", async () => {
    const { base, app } = bed.apps[0];
    const agent = await bed.signIn('admin');
    const user = await sessionUser(agent, base, BED_SESSION_SECRET);
    await db.query(`UPDATE auth_users SET roles = '[]'::jsonb WHERE id = $1`, [user.id]);
    expect((await statusWithin(() => agent.request(`${base}/api/admin`), 403)).status).toBe(403);
    await app.get(SessionTokensService).accessToken(user, { forceRefresh: true });
    expect((await agent.request(`${base}/api/admin`)).status).toBe(200);
  });

  it('two replicas refreshing one session at once spend the refresh token once', async () => {
    const agent = await bed.signIn('racing-refresher');
    const user = await sessionUser(agent, bed.apps[0].base, BED_SESSION_SECRET);
    // The access token is about to expire: both replicas decide to refresh.
    await bed.store.update(user.sessionKey!, { accessTokenExpiresAt: new Date() });
    const before = providerRefreshes;
    const callers = bed.apps.length > 1 ? bed.apps : [bed.apps[0], bed.apps[0]];
    const [a, b] = await Promise.all(callers.map(({ app }) => app.get(SessionTokensService).accessToken(user)));
    expect(providerRefreshes - before).toBe(1);
    expect(a).toBe(b);
    // The session survived (a double spend would have revoked the grant and ended it).
    const cookie = `nestflux.sid=${agent.cookie(new URL(bed.apps[0].base).host, 'nestflux.sid')}`;
    expect((await fetch(`${bed.apps[bed.apps.length - 1].base}/api/profile`, { headers: { cookie } })).status).toBe(200);
    await app1Refresh(bed, user);
  });
});

/** One more forced refresh works: the stored refresh token is the live one. */
async function app1Refresh(bed: SessionTestBed, user: AuthUser): Promise<void> {
  const token = await bed.apps[bed.apps.length - 1].app.get(SessionTokensService).accessToken(user, { forceRefresh: true });
  expect(typeof token).toBe('string');
}

describe.each(sessionStores)("a refreshed ID token is verified like a login's before it is stored (sessions in %s)", (store) => {
  const CLIENT_ID = 'rogue-client';
  const SECRET = 'test-session-secret-0123456789-abcdefghij';
  let rogue: RogueProvider;
  let sut: Awaited<ReturnType<typeof startSampleAppOnStore>>;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: 'rogue-secret' });
    sut = await startSampleAppOnStore(store, {
      OIDC_ISSUER_URL: rogue.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: 'rogue-secret',
      AUTH_SESSION_SECRET: SECRET,
    });
  });
  afterAll(async () => {
    await sut?.close();
    await rogue?.close();
  });

  async function signedIn(sub: string): Promise<{ agent: CookieAgent; user: AuthUser }> {
    const agent = new CookieAgent();
    const start = await agent.request(`${sut.baseUrl}/auth/login`);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_hint', sub);
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    expect((await agent.request(url)).status).toBe(302);
    return { agent, user: await sessionUser(agent, sut.baseUrl, SECRET) };
  }

  it('accepts a good refreshed ID token (so the cases below fail for their stated reason)', async () => {
    const { user } = await signedIn('good-refresh');
    rogue.planNextIdToken({ signing: 'good' });
    await expect(sut.running.app.get(SessionTokensService).accessToken(user, { forceRefresh: true })).resolves.toEqual(expect.any(String));
  });

  it.each([
    [
      'another subject',
      {
        claims: (c: { issuer: string; clientId: string; now: number; nonce?: string }) => ({
          iss: c.issuer,
          aud: c.clientId,
          sub: 'someone-else',
          iat: c.now,
          exp: c.now + 300,
          nonce: c.nonce,
        }),
      },
    ],
    ['a key the provider never published', { signing: 'unknown-key' as const }],
    ['alg none', { signing: 'none' as const }],
    [
      'another audience',
      {
        claims: (c: { issuer: string; now: number; nonce?: string }) => ({
          iss: c.issuer,
          aud: 'other-client',
          sub: 'x',
          iat: c.now,
          exp: c.now + 300,
          nonce: c.nonce,
        }),
      },
    ],
    [
      'another issuer',
      {
        claims: (c: { clientId: string; now: number; nonce?: string }) => ({
          iss: 'https://evil.example',
          aud: c.clientId,
          sub: 'x',
          iat: c.now,
          exp: c.now + 300,
          nonce: c.nonce,
        }),
      },
    ],
  ])('refuses %s: the token is not stored and the session ends (401 AUTH_SESSION_REFRESH_FAILED)', async (_name, plan) => {
    const sub = `bad-refresh-${Math.random().toString(36).slice(2, 8)}`;
    const { agent, user } = await signedIn(sub);
    expect((await sut.store.read(user.sessionKey!))?.idTokenEnc).toBeTruthy();
    rogue.planNextIdToken(plan);
    const error = await rejection(sut.running.app.get(SessionTokensService).accessToken(user, { forceRefresh: true }));
    expect(error.code).toBe('AUTH_SESSION_REFRESH_FAILED');
    expect(await sut.store.read(user.sessionKey!)).toBeUndefined();
    expect((await agent.request(`${sut.baseUrl}/auth/me`)).status).toBe(401);
  });
});
