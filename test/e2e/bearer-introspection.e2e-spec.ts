import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDevIdentityProvider } from '../../sample-app/src/dev-identity-provider/index.js';
import { startHostApp, type HostApp } from '../support/host-app.js';
import { obtainTokens } from '../support/token-client.js';

const ACCESS_TOKEN_TTL = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * RFC 7662 against oidc-provider issuing opaque access tokens: the guard asks the provider's
 * introspection endpoint (counted here), caches the answer, and maps it to a user like a JWT.
 */
describe('bearer: opaque access tokens through introspection', () => {
  let server: Server;
  let issuer: string;
  let introspections = 0;
  let down = false;
  let app: HostApp;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = await createDevIdentityProvider({
      issuer,
      clients: [{ clientId: 'web', clientSecret: 'web-secret', redirectUris: ['http://localhost:9/cb'] }],
      accessTokenAudience: 'https://api.example.test',
      opaqueAccessTokens: true,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL,
      autoLoginHint: true,
    });
    server.on('request', (req, res) => {
      if (req.url?.startsWith('/token/introspection')) {
        introspections++;
        if (down) return void req.socket.destroy();
      }
      provider.handler(req, res);
    });
    app = await startHostApp({
      issuerUrl: issuer,
      clientId: 'web',
      clientSecret: 'web-secret',
      auth: {
        audience: 'https://api.example.test',
        clockToleranceSeconds: 0,
        introspection: { cacheSeconds: 60, negativeCacheSeconds: 1 },
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const tokens = (login: string) =>
    obtainTokens({ issuer, clientId: 'web', clientSecret: 'web-secret', redirectUri: 'http://localhost:9/cb', login });
  const me = (token: string) => fetch(`${app.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } });

  it('an active opaque token authenticates its user; a second request within the cache asks the provider no more', async () => {
    const { access_token: token } = await tokens('olga');
    expect(token.split('.')).toHaveLength(1);
    const before = introspections;
    const first = await me(token);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ sub: 'olga', email: 'olga@example.test' });
    expect((await me(token)).status).toBe(200);
    await Promise.all([me(token), me(token), me(token)]);
    expect(introspections - before).toBe(1);
  });

  it('the positive cache ends with the token: after exp the provider is asked again and the token is refused', async () => {
    const { access_token: token } = await tokens('pete');
    expect((await me(token)).status).toBe(200);
    const before = introspections;
    await sleep(ACCESS_TOKEN_TTL * 1000 + 200);
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    expect(introspections - before).toBe(1);
  });

  it('an unknown token is 401; the inactive answer is reused for a second at most', async () => {
    const before = introspections;
    expect((await me('not-a-real-token-0123456789')).status).toBe(401);
    expect((await me('not-a-real-token-0123456789')).status).toBe(401);
    expect(introspections - before).toBe(1);
    await sleep(1_100);
    expect((await me('not-a-real-token-0123456789')).status).toBe(401);
    expect(introspections - before).toBe(2);
  });

  it('a refresh token, active at the provider, is no bearer credential', async () => {
    const { refresh_token: refreshToken } = await tokens('quinn');
    expect(refreshToken).toEqual(expect.any(String));
    const res = await me(refreshToken!);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('a token the provider issued for another audience is refused', async () => {
    const other = await startHostApp({
      issuerUrl: issuer,
      clientId: 'web',
      clientSecret: 'web-secret',
      database: app.database,
      auth: { audience: 'https://other-api.example.test', introspection: true },
    });
    try {
      const { access_token: token } = await tokens('rita');
      const res = await fetch(`${other.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ message: 'The bearer token is meant for another audience.' });
    } finally {
      await other.close();
    }
  });

  it('503 while the introspection endpoint cannot be reached; nothing of it is cached', async () => {
    const { access_token: token } = await tokens('sam');
    down = true;
    try {
      const res = await me(token);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'AUTH_PROVIDER_UNAVAILABLE' });
    } finally {
      down = false;
    }
    expect((await me(token)).status).toBe(200);
  });
});
