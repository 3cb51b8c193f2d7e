import { type DynamicModule, type INestApplicationContext, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RESOLVED_AUTH_OPTIONS } from '../../../lib/auth.tokens.js';
import { authEntities } from '../../../lib/database/auth-schema.js';
import type { UserSyncOptions } from '../../../lib/sync/user-sync.options.js';
import { userSyncProviders } from '../../../lib/sync/user-sync.providers.js';
import { ISSUER } from './sync-harness.js';

@Module({})
class SyncTestModule {
  static with(imports: DynamicModule[], providers: Provider[]): DynamicModule {
    return { module: SyncTestModule, imports, providers };
  }
}

/** The resolved auth options, reduced to the slices the sync reads. */
export function authOptions(sync: UserSyncOptions, rolesPath: readonly string[] = ['roles']): Provider {
  return { provide: RESOLVED_AUTH_OPTIONS, useValue: { sync, tokens: { issuer: ISSUER, rolesPath } } };
}

/**
 * What AuthModule wires for the sync, on its own: ScheduleModule, TypeORM and
 * `userSyncProviders` fed by the resolved auth options. `close()` runs the shutdown hooks.
 */
export async function startSyncApp(
  databaseUrl: string,
  poolSize: number,
  sync: UserSyncOptions,
  rolesPath?: readonly string[],
): Promise<INestApplicationContext> {
  const module = SyncTestModule.with(
    [
      ScheduleModule.forRoot(),
      TypeOrmModule.forRoot({ type: 'postgres', url: databaseUrl, entities: authEntities, extra: { max: poolSize } }),
    ],
    [authOptions(sync, rolesPath), ...userSyncProviders],
  );
  return NestFactory.createApplicationContext(module, { logger: ['error'], abortOnError: false });
}

/** Boots only the options provider: a bad sync option must fail here. */
export async function bootOptionsOnly(providers: Provider[]): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(SyncTestModule.with([], providers), { logger: false, abortOnError: false });
}
