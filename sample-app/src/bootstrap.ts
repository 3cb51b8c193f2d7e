import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory, type AbstractHttpAdapter } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { AppModule } from './app.module.js';
import { ensurePrivateDir } from './config/private-files.js';
import { DEV_PROVIDER_PATH, loadSampleConfig, type Env, type SampleConfig } from './config/sample-config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres.js';
import { createDevIdentityProvider } from './dev-identity-provider/index.js';

export interface RunningSampleApp {
  app: INestApplication;
  config: SampleConfig;
  /** Where it listens, e.g. http://localhost:3000. */
  url: string;
  close(): Promise<void>;
}

export interface SampleAppOverrides {
  /** Tests: a database URL and pool size instead of DATABASE_URL / embedded PGlite. */
  database?: { url: string; poolSize: number };
  /** Tests: the dev provider signs in a `login_hint` user at once. */
  devProviderAutoLogin?: boolean;
  /** Tests: keep Nest's logger quiet. */
  quiet?: boolean;
  /**
   * Tests: answer on this server, already listening (on port 0: no race for a port), instead of
   * listening on `PORT`. `PORT`/`BASE_URL` must name its port.
   */
  server?: Server;
}

/** Builds and starts the sample app from an environment (the contract's variables). */
export async function startSampleApp(env: Env, overrides: SampleAppOverrides = {}): Promise<RunningSampleApp> {
  const config = await loadSampleConfig(env);
  let embedded: EmbeddedPostgres | undefined;
  let database = overrides.database;
  if (!database) {
    if (config.databaseUrl) {
      database = { url: config.databaseUrl, poolSize: 10 };
    } else {
      await ensurePrivateDir(config.dataDir);
      embedded = await startEmbeddedPostgres(join(config.dataDir, 'pglite'));
      database = { url: embedded.url, poolSize: 1 };
    }
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config, database.url, database.poolSize), {
    logger: overrides.quiet ? ['error'] : undefined,
    // A boot error (e.g. an AuthConfigError) rejects here instead of Nest calling process.exit:
    // main.ts prints it, and tests can assert it.
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  if (config.embeddedProvider) {
    // One embedded provider (the single-provider form), or several (DEV_PROVIDERS=2), each with
    // its own issuer, key and client, and a callback per slug.
    const embedded = config.severalProviders
      ? config.providers.map((provider, index) => ({
          issuer: provider.issuerUrl,
          path: provider.devMountPath!,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          audience: provider.audience,
          callback: `${config.baseUrl}/auth/callback/${provider.slug}`,
          keyFile: index === 0 ? undefined : `dev-provider-${index + 1}-signing-key.json`,
        }))
      : [
          {
            issuer: config.issuerUrl,
            path: DEV_PROVIDER_PATH,
            clientId: config.clientId,
            clientSecret: config.clientSecret,
            audience: config.audience,
            callback: `${config.baseUrl}/auth/callback`,
            keyFile: undefined,
          },
        ];
    for (const provider of embedded) {
      // Mounted before Nest's body parsers (registered at init), so it reads its own bodies.
      const devProvider = await createDevIdentityProvider({
        issuer: provider.issuer,
        clients: [
          {
            clientId: provider.clientId,
            clientSecret: provider.clientSecret,
            redirectUris: [provider.callback],
            postLogoutRedirectUris: [`${config.baseUrl}/`],
          },
          // The CLI's public client (device grant) lives at provider 1.
          ...(config.cliClientId && provider.path === DEV_PROVIDER_PATH
            ? [{ clientId: config.cliClientId, redirectUris: [], deviceFlow: true }]
            : []),
        ],
        accessTokenAudience: provider.audience,
        signingKey: await devSigningKey(config.dataDir, provider.keyFile),
        autoLoginHint: overrides.devProviderAutoLogin === true,
      });
      app.use(provider.path, devProvider.handler);
      if (!overrides.quiet) {
        new Logger('Sample').warn(
          `development identity provider at ${provider.issuer}: for development only, never in production; any user name signs in`,
        );
      }
    }
  }
  if (overrides.server) {
    // Nest's adapter closes "its" server on app.close(): make that this one.
    (app.getHttpAdapter() as AbstractHttpAdapter).setHttpServer(overrides.server);
    await app.init();
    overrides.server.on('request', app.getHttpAdapter().getInstance());
  } else if (env.HOST) {
    // All interfaces unless HOST says otherwise: `localhost` may resolve to 127.0.0.1 or ::1.
    await app.listen(config.port, env.HOST);
  } else {
    await app.listen(config.port);
  }
  const address = (overrides.server ?? app.getHttpServer()).address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  return {
    app,
    config,
    url,
    async close() {
      await app.close();
      await embedded?.close();
    },
  };
}

/** The dev provider's RS256 key, kept under the data directory so tokens survive restarts. */
async function devSigningKey(dataDir: string, fileName = 'dev-provider-signing-key.json'): Promise<JWK> {
  const file = join(dataDir, fileName);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: `dev-${Date.now().toString(36)}` };
    await ensurePrivateDir(dataDir);
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
    return jwk;
  }
}
