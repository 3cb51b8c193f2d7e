import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { resolveAuditOptions, type AuthAuditOptions } from '../audit/audit.options.js';
import { AUDIT_SETTINGS } from '../audit/audit.tokens.js';
import { authEntities } from '../database/auth-schema.js';
import { AuthSchemaMigrator } from '../database/auth-schema.migrator.js';
import { directorySourceProvider } from './user-sync.providers.js';
import { resolveUserSyncOptions, type UserSyncOptions } from './user-sync.options.js';
import { UserSyncScheduler } from './user-sync.scheduler.js';
import { UserSyncService } from './user-sync.service.js';
import { USER_SYNC_OPTIONS } from './user-sync.tokens.js';

/** The user sync without the login side: `issuer` is required here (AuthModule passes its own). */
export interface UserSyncModuleOptions extends UserSyncOptions {
  issuer: string;
  /** Run the library's migrations at boot. Default true. */
  runMigrations?: boolean;
  /** Register the cron schedule; false for a one-shot CLI (the cron is still validated). Default true. */
  schedule?: boolean;
  /** The audit log, which records each pass as a `sync_run` entry (no purge runs here). Default: on. */
  audit?: Pick<AuthAuditOptions, 'enabled' | 'flushIntervalMs' | 'batchSize' | 'maxQueue'>;
}

/**
 * The user sync on its own, for a worker or a CLI that only syncs and holds no OIDC client
 * credentials. Apps that import `AuthModule` already have the sync and need not import this.
 */
@Module({})
export class UserSyncModule {
  static forRoot(options: UserSyncModuleOptions): DynamicModule {
    // Validated right here, before Nest opens any connection, so bad options leak nothing.
    const resolved = resolveUserSyncOptions(options);
    return {
      module: UserSyncModule,
      imports: [TypeOrmModule.forFeature(authEntities), ScheduleModule.forRoot()],
      providers: [
        { provide: USER_SYNC_OPTIONS, useValue: resolved },
        { provide: AUDIT_SETTINGS, useValue: resolveAuditOptions({ ...options.audit, purgeCron: 'off' }) },
        AuditLogService,
        {
          provide: AuthSchemaMigrator,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => new AuthSchemaMigrator(dataSource, options.runMigrations ?? true),
        },
        directorySourceProvider,
        UserSyncService,
        ...(options.schedule === false ? [] : [UserSyncScheduler]),
      ],
      exports: [UserSyncService, AuditLogService],
    };
  }
}
