import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@nestflux/auth';
import { bindLoopbackServer } from '../support/loopback-server.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { signIn } from '../support/sample-app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CLIENT_ID = 'userinfo-client';
const CLIENT_SECRET = 'userinfo-client-secret';

/** `fetchUserInfo: true` reads the userinfo endpoint at login; its claims win over the ID token's. */
describe('userinfo at login', () => {
  let rogue: RogueProvider;
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    db = await createTestDatabase();
    const listener = await bindLoopbackServer();
    base = listener.baseUrl;
    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: db.url, autoLoadEntities: true, extra: { max: db.poolSize } }),
        AuthModule.forRoot({
          issuerUrl: rogue.issuer,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          baseUrl: base,
          fetchUserInfo: true,
          session: { secret: 'userinfo-test-session-secret-0123456789' },
        }),
      ],
    })
    class HostModule {}
    app = await listener.serve(await NestFactory.create(HostModule, { logger: false }));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await rogue?.close();
  });

  it('stores the display name that only userinfo carries', async () => {
    const { agent, final } = await signIn(base, 'info-user');
    expect(final.status).toBe(302);
    expect(await (await agent.request(`${base}/auth/me`)).json()).toMatchObject({ sub: 'info-user', displayName: 'Name From Userinfo' });
  });
});
