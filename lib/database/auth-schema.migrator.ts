import { Logger, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { runAuthMigrations } from './auth-migration-runner.js';
import { authMigrations } from './auth-schema.js';

/**
 * Brings the library's tables up to date at boot (before any request or sync pass). Built by a
 * factory provider in `AuthModule` and `UserSyncModule`, each from its own `runMigrations` option.
 */
export class AuthSchemaMigrator implements OnModuleInit {
  private readonly logger = new Logger('NestfluxAuth');

  constructor(
    private readonly dataSource: DataSource,
    private readonly enabled: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const applied = await runAuthMigrations(this.dataSource, authMigrations);
    if (applied.length) this.logger.log(`applied migrations: ${applied.join(', ')}`);
  }
}
