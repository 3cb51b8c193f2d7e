import 'reflect-metadata';
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthConfigError, formatSyncSummary, type SyncProgress, UserSyncError, UserSyncModule, UserSyncService } from '@nestflux/auth';
import { type Env, loadSampleConfig, type SampleConfig } from './config/sample-config.js';
import type { EmbeddedPostgres } from './database/embedded-postgres.js';
import { createSyncProgress } from './sync-progress.js';
import { isEntryPoint } from './entry-point.js';

/**
 * The app's database and the library's sync alone (UserSyncModule): a sync needs no OIDC client
 * credentials. Identities carry the issuer of the tokens, as in `npm start`.
 */
@Module({})
class SyncCliModule {
  static register(databaseUrl: string, poolSize: number, config: SampleConfig): DynamicModule {
    return {
      module: SyncCliModule,
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: databaseUrl, autoLoadEntities: true, extra: { max: poolSize } }),
        // One pass now: no schedule in a CLI (AUTH_SYNC_CRON is still validated).
        UserSyncModule.forRoot({ ...config.sync, issuer: config.issuerUrl, schedule: false }),
      ],
    };
  }
}

export interface SyncCliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The pass completed but held back its deactivations (AUTH_SYNC_DEACTIVATE_LIMIT, or nobody matched). */
export const EXIT_DEACTIVATION_HELD = 3;

export interface SyncCliSettings {
  /** Progress of the pass (a progress bar on a terminal). Default: none. */
  onProgress?: (progress: SyncProgress) => void;
  /** Pool size for `DATABASE_URL`. Default 4. */
  poolSize?: number;
  /** Cancels the pass (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
}

/**
 * `npm run sync` (see ../shared/contract.md, "One sync pass from the command line"): the
 * environment is read as `npm start` reads it (`loadSampleConfig`); AuthModule is booted as the
 * app boots it (which creates the tables), one pass runs, and the contract's last line is printed.
 * Returns the exit code: 0 when the pass completed or was skipped, 1 when it failed, 3 when it
 * completed but deactivated nobody for safety (the deactivation limit, or a listing that matched
 * no local identity).
 */
export async function runSyncCli(
  env: Env = process.env,
  io: SyncCliOutput = consoleOutput,
  settings: SyncCliSettings = {},
): Promise<number> {
  let embedded: EmbeddedPostgres | undefined;
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
  let line: string;
  let code = 0;
  try {
    const config = await loadSampleConfig({ ...env });
    if (!config.sync.source || config.sync.source === 'none') {
      throw new AuthConfigError(
        'AUTH_SYNC_SOURCE',
        'is "none"',
        'Set it to authentik, keycloak or scim, with AUTH_SYNC_URL and the credentials.',
      );
    }
    // PGlite (WebAssembly) is loaded only when it is used: a DATABASE_URL run starts faster without it.
    if (!config.databaseUrl)
      embedded = await (await import('./database/embedded-postgres.js')).startEmbeddedPostgres(join(config.dataDir, 'pglite'));
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    // UserSyncModule creates the tables (the library's migrations run at boot) as `npm start` does.
    app = await NestFactory.createApplicationContext(SyncCliModule.register(databaseUrl, embedded ? 1 : (settings.poolSize ?? 4), config), {
      logger: ['error'],
      abortOnError: false,
    });
    const sync = app.get(UserSyncService);
    io.err(`sync: ${sync.matching}`);
    const summary = await sync.runOnce({ signal: settings.signal, onProgress: settings.onProgress });
    if (summary.deactivationSkipped) io.err(`sync: deactivated no missing users: ${summary.deactivationSkipped}`);
    if (summary.deactivationHeld) {
      io.err(`sync: deactivated nobody: ${summary.deactivationHeld.message}`);
      code = EXIT_DEACTIVATION_HELD;
    }
    line = formatSyncSummary(summary);
  } catch (error) {
    code = 1;
    line = `sync: failed, ${describe(error)}`;
  } finally {
    await app?.close().catch(() => undefined);
    await embedded?.close().catch(() => undefined);
  }
  if (code === 0 || code === EXIT_DEACTIVATION_HELD) io.out(line);
  else io.err(line);
  return code;
}

const consoleOutput: SyncCliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

function describe(error: unknown): string {
  if (error instanceof UserSyncError || error instanceof AuthConfigError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

if (isEntryPoint(import.meta.url)) {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const progress = createSyncProgress();
  // The bar is cleared before any line is printed, so log lines and the summary stay readable.
  const output: SyncCliOutput = progress
    ? { out: (line) => (progress.stop(), consoleOutput.out(line)), err: (line) => (progress.stop(), consoleOutput.err(line)) }
    : consoleOutput;
  const code = await runSyncCli(process.env, output, {
    signal: abort.signal,
    onProgress: progress ? (p) => progress.update(p) : undefined,
  });
  progress?.stop();
  process.exitCode = code;
  // A stray handle must not keep a finished CLI alive.
  setTimeout(() => process.exit(code), 2000).unref();
}
