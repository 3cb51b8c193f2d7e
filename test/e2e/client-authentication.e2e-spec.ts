import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { AuthModule, type AuthModuleOptions, type LoginEvent } from '@nestflux/auth';
import {
  DEV_RESOURCE_INDICATOR,
  startStandaloneDevIdentityProvider,
  type StandaloneDevIdentityProvider,
} from '../../sample-app/src/dev-identity-provider/index.js';
import { CookieAgent } from '../support/cookie-agent.js';
import { bindLoopbackServer, type LoopbackServer } from '../support/loopback-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The client's own JWKS endpoint (private_key_jwt). */
async function serveJson(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/jwks`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Variant {
  clientId: string;
  listener: LoopbackServer;
  options: Partial<AuthModuleOptions>;
}

/** Providers differ in the client authentication they accept: each method signs a user in. */
describe('client authentication methods, resource indicator, userinfo, afterLogin hook', () => {
  let provider: StandaloneDevIdentityProvider;
  let privateJwk: JWK;
  const variants: Variant[] = [];
  const events: LoginEvent[] = [];
  const apps: INestApplication[] = [];
  const databases: TestDatabase[] = [];
  let clientJwks: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), alg: 'RS256', kid: 'client-key-1' };
    const publicJwk = { ...(await exportJWK(publicKey)), alg: 'RS256', kid: 'client-key-1', use: 'sig' };
    clientJwks = await serveJson({ keys: [publicJwk] });
    for (const [clientId, options] of [
      ['post-client', { clientAuthMethod: 'client_secret_post', clientSecret: 'post-secret', fetchUserInfo: true }],
      ['jwt-client', { clientAuthMethod: 'private_key_jwt', clientSecret: undefined }],
      ['resource-client', { clientSecret: 'resource-secret', resource: DEV_RESOURCE_INDICATOR }],
    ] as Array<[string, Partial<AuthModuleOptions>]>) {
      variants.push({ clientId, listener: await bindLoopbackServer(), options });
    }
    provider = await startStandaloneDevIdentityProvider({
      clients: variants.map((v) => ({
        clientId: v.clientId,
        clientSecret: v.options.clientSecret,
        redirectUris: [`${v.listener.baseUrl}/auth/callback`],
        tokenEndpointAuthMethod: v.options.clientAuthMethod ?? 'client_secret_basic',
        // By URI: oidc-provider clones inline client metadata with structuredClone, whose objects
        // fail its plain-object check inside jest's vm realm; a fetched JWKS is parsed in its own.
        ...(v.options.clientAuthMethod === 'private_key_jwt' ? { jwksUri: clientJwks.url } : {}),
      })),
      accessTokenAudience: 'api-audience',
      autoLoginHint: true,
    });
    for (const variant of variants) {
      const db = await createTestDatabase();
      databases.push(db);
      @Module({
        imports: [
          TypeOrmModule.forRoot({ type: 'postgres', url: db.url, autoLoadEntities: true, extra: { max: db.poolSize } }),
          AuthModule.forRoot({
            issuerUrl: provider.issuer,
            clientId: variant.clientId,
            baseUrl: variant.listener.baseUrl,
            audience: 'api-audience',
            session: { secret: 'client-auth-test-session-secret-0123456789' },
            clientPrivateKey: privateJwk,
            afterLogin: (event) => {
              events.push(event);
            },
            ...variant.options,
          }),
        ],
      })
      class HostModule {}
      apps.push(await variant.listener.serve(await NestFactory.create(HostModule, { logger: false, abortOnError: false })));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const variant of variants) await variant.listener.close();
    await provider?.close();
    for (const db of databases) await db.close();
    await clientJwks?.close();
  });

  it.each(['post-client', 'jwt-client', 'resource-client'])('%s signs a user in', async (clientId) => {
    const variant = variants.find((v) => v.clientId === clientId)!;
    const base = variant.listener.baseUrl;
    const agent = new CookieAgent();
    const start = await agent.request(`${base}/auth/login`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    if (variant.options.resource) expect(authorize.searchParams.get('resource')).toBe(variant.options.resource);
    authorize.searchParams.set('login_hint', `user-of-${clientId}`);
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    const callback = await agent.request(url);
    expect(callback.status).toBe(302);
    const me = await agent.request(`${base}/auth/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: `user-of-${clientId}` });
  });

  it('ran the afterLogin hook once per login, flagging the first', async () => {
    const event = events.find((e) => e.subject === 'user-of-post-client')!;
    expect(event).toMatchObject({ issuer: provider.issuer, firstLogin: true });
    expect(event.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.claims.email).toBe('user-of-post-client@example.test');
  });
});
