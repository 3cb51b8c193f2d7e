import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { SessionStore } from './store/session-store.interface.js';

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Removes what has expired: sessions (where the store has no TTL of its own), login states,
 * logout links and remembered logout-token ids. Expired rows are never honoured anyway: this
 * only keeps the tables small.
 */
@Injectable()
export class ExpiredSessionsPurger implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('NestfluxAuth');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SessionStore) private readonly store: SessionStore,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<void> {
    try {
      await this.store.purgeExpired(this.settings.idleTimeoutMs);
      await this.dataSource.query('DELETE FROM auth_login_states WHERE expires_at < now()');
      await this.dataSource.query('DELETE FROM auth_logout_links WHERE expires_at < now()');
      await this.dataSource.query('DELETE FROM auth_logout_token_jtis WHERE expires_at < now()');
    } catch (error) {
      this.logger.warn(`could not purge expired sessions: ${(error as Error).message}`);
    }
  }
}
