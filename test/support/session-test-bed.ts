import { Controller, Get, HttpCode, Module, Post, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, CurrentUser, Roles, type AuthModuleOptions, type AuthUser } from '@nestflux/auth';
import type { RedisClientInstance } from '../../lib/options/auth-module-options.js';
import {
  startStandaloneDevIdentityProvider,
  type StandaloneDevIdentityProvider,
} from '../../sample-app/src/dev-identity-provider/index.js';
import { CookieAgent } from './cookie-agent.js';
import { bindLoopbackServer, type LoopbackServer } from './loopback-server.js';
import { signIn } from './sample-app-harness.js';
import { sessionStoreOption, sessionStoreProbe, testKeyPrefix, type SessionStoreKind, type SessionStoreProbe } from './session-stores.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { DataSource } from 'typeorm';

/**
 * Replicas for multi-instance tests: two on a real PostgreSQL; one on embedded PGlite, which
 * serves a single connection (embedded mode is single-instance by design, see the stack notes).
 */
export const REPLICAS = process.env.DATABASE_URL ? 2 : 1;

export const BED_CLIENT_ID = 'session-bed';
export const BED_CLIENT_SECRET = 'session-bed-secret';
export const BED_SESSION_SECRET = 'session-bed-session-secret-0123456789abcdef';

@Controller('api')
class BedController {
  @Get('profile')
  profile(@CurrentUser() user: AuthUser) {
    return { id: user.id, sub: user.sub, roles: user.roles, displayName: user.displayName };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { ok: true };
  }

  @Post('change')
  @HttpCode(200)
  change() {
    return { changed: true };
  }
}

export interface SessionTestBedOptions {
  /** App instances (replicas) sharing the database and the session secret. Default 1. */
  instances?: number;
  /** The provider rotates refresh tokens (reuse revokes the grant). */
  rotateRefreshToken?: boolean;
  /** Register a back-channel logout URI at the provider: instance 0's, or `uri` (a relay). */
  backchannelLogout?: { sessionRequired: boolean; uri?: string };
  accessTokenTtlSeconds?: number;
  /** Extra AuthModule options for every instance. */
  options?: Partial<AuthModuleOptions>;
  /** Where the instances keep sessions (one Redis key prefix per bed). Default postgres. */
  store?: SessionStoreKind;
  /** Extra controllers for every instance. */
  controllers?: Type[];
  /** With `store: 'redis'`: hand the module this ioredis client of the host's instead of a URL. */
  redisClient?: RedisClientInstance;
}

export interface SessionTestBed {
  provider: StandaloneDevIdentityProvider;
  database: TestDatabase;
  /** One app per instance, each with its own base URL. */
  apps: Array<{ app: INestApplication; base: string }>;
  /** The session store seen from outside the apps (read, change, delete sessions). */
  store: SessionStoreProbe;
  signIn(login: string, instance?: number): Promise<CookieAgent>;
  close(): Promise<void>;
}

/**
 * A standalone development provider (oidc-provider) and one or more host apps on one real
 * database: the replicas of a fleet behind a load balancer, each reachable on its own port.
 */
export async function startSessionTestBed(options: SessionTestBedOptions = {}): Promise<SessionTestBed> {
  const database = await createTestDatabase();
  const listeners = await Promise.all(Array.from({ length: options.instances ?? 1 }, () => bindLoopbackServer()));
  const bases = listeners.map((listener) => listener.baseUrl);
  const provider = await startStandaloneDevIdentityProvider({
    clients: [
      {
        clientId: BED_CLIENT_ID,
        clientSecret: BED_CLIENT_SECRET,
        redirectUris: bases.map((base) => `${base}/auth/callback`),
        postLogoutRedirectUris: bases.map((base) => `${base}/`),
        ...(options.backchannelLogout
          ? {
              backchannelLogoutUri: options.backchannelLogout.uri ?? `${bases[0]}/auth/backchannel-logout`,
              backchannelLogoutSessionRequired: options.backchannelLogout.sessionRequired,
            }
          : {}),
      },
    ],
    accessTokenAudience: BED_CLIENT_ID,
    autoLoginHint: true,
    rotateRefreshToken: options.rotateRefreshToken,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
  });
  const apps: SessionTestBed['apps'] = [];
  const keyPrefix = testKeyPrefix();
  const kind = options.store ?? 'postgres';
  const extra = {
    ...options.options,
    session: {
      secret: BED_SESSION_SECRET,
      ...options.options?.session,
      store: options.redisClient ? { type: 'redis' as const, client: options.redisClient, keyPrefix } : sessionStoreOption(kind, keyPrefix),
    },
  };
  let store: SessionStoreProbe | undefined;
  try {
    for (const [i, listener] of listeners.entries()) {
      apps.push({ app: await bootInstance(database, provider, listener, extra, options.controllers), base: bases[i] });
    }
    store = sessionStoreProbe(kind, keyPrefix, apps[0].app.get(DataSource));
  } catch (error) {
    await Promise.all(apps.map(({ app }) => app.close()));
    await Promise.all(listeners.map((listener) => listener.close()));
    await provider.close();
    await database.close();
    throw error;
  }
  return {
    provider,
    database,
    apps,
    store,
    async signIn(login, instance = 0) {
      const { agent, final } = await signIn(apps[instance].base, login);
      if (final.status !== 302) throw new Error(`login of ${login} answered ${final.status}: ${await final.text()}`);
      return agent;
    },
    async close() {
      await Promise.all(apps.map(({ app }) => app.close()));
      await store.close();
      await provider.close();
      await database.close();
    },
  };
}

async function bootInstance(
  db: TestDatabase,
  provider: StandaloneDevIdentityProvider,
  listener: LoopbackServer,
  extra: Partial<AuthModuleOptions> = {},
  controllers: Type[] = [],
): Promise<INestApplication> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url: db.url, autoLoadEntities: true, extra: { max: db.poolSize } }),
      AuthModule.forRoot({
        issuerUrl: provider.issuer,
        clientId: BED_CLIENT_ID,
        clientSecret: BED_CLIENT_SECRET,
        baseUrl: listener.baseUrl,
        session: { secret: BED_SESSION_SECRET },
        ...extra,
      }),
    ],
    controllers: [BedController, ...controllers],
  })
  class BedModule {}
  return listener.serve(await NestFactory.create(BedModule, { logger: false, abortOnError: false }));
}
