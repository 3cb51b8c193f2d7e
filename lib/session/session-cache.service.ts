import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { SessionCache } from './session-cache.js';
import { POSTGRES_FEED, SessionInvalidationListener } from './session-invalidation.listener.js';
import type { KnownSession } from './session-views.js';
import { SessionStore, type SessionInvalidationFeed } from './store/session-store.interface.js';

/**
 * This replica's cache of live sessions and the feeds that keep it true: PostgreSQL's
 * notifications (users always; sessions too when they live there) plus the session store's own
 * feed when PostgreSQL cannot see session changes (Redis pub/sub). Serves nothing unless every
 * feed flows, and nothing at all without `session.cache` or on a one-connection pool.
 */
@Injectable()
export class SessionCacheService extends SessionCache<KnownSession> implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('NestfluxAuth');
  private readonly running: SessionInvalidationFeed[] = [];

  constructor(
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SessionStore) private readonly store: SessionStore,
  ) {
    super(settings.cache?.maxEntries ?? 1, settings.cache?.ttlMs ?? 0);
  }

  async onModuleInit(): Promise<void> {
    if (!this.settings.cache) return;
    // A one-connection pool (embedded PGlite) has no room for the listener: no cache there.
    const options = this.dataSource.options as { extra?: { max?: number }; poolSize?: number };
    if ((options.extra?.max ?? options.poolSize) === 1) {
      this.logger.log(
        'session cache off: the database pool has a single connection (embedded PGlite?), so sessions are read on every request',
      );
      return;
    }
    this.setLive(false, POSTGRES_FEED);
    const storeFeed = this.store.invalidationFeed?.(this);
    this.running.push(new SessionInvalidationListener(this.dataSource, this));
    if (storeFeed) this.running.push(storeFeed);
    await Promise.all(this.running.map((feed) => feed.start()));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.running.map((feed) => feed.stop()));
  }
}
