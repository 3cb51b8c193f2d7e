import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runAuthMigrations } from '../../lib/database/auth-migration-runner.js';
import { authEntities, authMigrations } from '../../lib/database/auth-schema.js';
import { AuthConfigError } from '../../lib/errors/auth-error.js';
import { formatSyncSummary } from '../../lib/sync/sync-run-summary.js';
import { UserSyncError } from '../../lib/sync/user-sync.errors.js';
import { type ResolvedUserSyncOptions, resolveUserSyncOptions } from '../../lib/sync/user-sync.options.js';
import { directorySourceProvider } from '../../lib/sync/user-sync.providers.js';
import { UserSyncService } from '../../lib/sync/user-sync.service.js';
import { USER_SYNC_OPTIONS } from '../../lib/sync/user-sync.tokens.js';
import { type Env, loadSampleConfig } from './config/sample-config.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres.js';

@Module({})
class SyncCliModule {
  static register(databaseUrl: string, poolSize: number, options: ResolvedUserSyncOptions): DynamicModule {
    return {
      module: SyncCliModule,
      imports: [TypeOrmModule.forRoot({ type: 'postgres', url: databaseUrl, entities: authEntities, extra: { max: poolSize } })],
      providers: [{ provide: USER_SYNC_OPTIONS, useValue: options }, directorySourceProvider, UserSyncService],
    };
  }
}

export interface SyncCliOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface SyncCliSettings {
  /** Pool size for `DATABASE_URL`. Default 4. */
  poolSize?: number;
  /** Cancels the pass (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
}

/**
 * `npm run sync` (see ../shared/contract.md, "One sync pass from the command line"): the
 * environment is read as `npm start` reads it (`loadSampleConfig`), then it creates the tables if needed, runs one pass and prints the contract's last
 * line. Returns the exit code: 0 when the pass completed or was skipped, 1 when it failed.
 */
export async function runSyncCli(env: Env = process.env, io: SyncCliOutput = consoleOutput, settings: SyncCliSettings = {}): Promise<number> {
  let embedded: EmbeddedPostgres | undefined;
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
  let line: string;
  let code = 0;
  try {
    const config = await loadSampleConfig({ ...env });
    // Identities carry the issuer of the tokens: OIDC_ISSUER_URL, or the embedded provider's.
    const options = resolveUserSyncOptions({ ...config.sync, issuer: config.issuerUrl });
    if (!config.databaseUrl) embedded = await startEmbeddedPostgres(join(config.dataDir, 'pglite'));
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    app = await NestFactory.createApplicationContext(SyncCliModule.register(databaseUrl, embedded ? 1 : (settings.poolSize ?? 4), options), {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    await runAuthMigrations(app.get(DataSource), authMigrations);
    if (!options.enabled) {
      throw new AuthConfigError('AUTH_SYNC_SOURCE', 'is "none"', 'Set it to authentik, keycloak or scim, with AUTH_SYNC_URL and the credentials.');
    }
    line = formatSyncSummary(await app.get(UserSyncService).runOnce({ signal: settings.signal }));
  } catch (error) {
    code = 1;
    line = `sync: failed, ${describe(error)}`;
  } finally {
    await app?.close().catch(() => undefined);
    await embedded?.close().catch(() => undefined);
  }
  if (code === 0) io.out(line);
  else io.err(line);
  return code;
}

const consoleOutput: SyncCliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

function describe(error: unknown): string {
  if (error instanceof UserSyncError || error instanceof AuthConfigError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const code = await runSyncCli(process.env, consoleOutput, { signal: abort.signal });
  process.exitCode = code;
  // A stray handle must not keep a finished CLI alive.
  setTimeout(() => process.exit(code), 2000).unref();
}
