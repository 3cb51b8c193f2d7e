import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SESSION_SETTINGS } from '../../auth.tokens.js';
import { AuthConfigError } from '../../errors/auth-error.js';
import type { SessionSettings } from '../../options/resolved-auth-options.js';
import { PostgresSessionStore } from './postgres-session.store.js';
import { SessionStore } from './session-store.interface.js';

/**
 * The session store the options choose. The Redis store and ioredis (an optional peer
 * dependency) are loaded only when chosen, so a host on PostgreSQL needs neither.
 */
export const sessionStoreProvider: Provider = {
  provide: SessionStore,
  inject: [SESSION_SETTINGS, getDataSourceToken()],
  useFactory: async (settings: SessionSettings, dataSource: DataSource): Promise<SessionStore> => {
    const store = settings.store;
    if (store.type === 'postgres') return new PostgresSessionStore(dataSource);
    const { Redis } = await import('ioredis').catch((error: { code?: string }) => {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      throw new AuthConfigError('session.store', 'is "redis", but the ioredis package is not installed', 'Run `npm install ioredis`.');
    });
    const { RedisSessionStore } = await import('./redis-session.store.js');
    // The store's own connection: from the URL, or a duplicate of the host's client (which stays the host's to close).
    const redis =
      store.url !== undefined
        ? new Redis(store.url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, lazyConnect: false })
        : // A request fails fast (503) while Redis is unreachable, whatever the host's client does.
          (store.client.duplicate({ maxRetriesPerRequest: 1 }) as InstanceType<typeof Redis>);
    return new RedisSessionStore({ redis, keyPrefix: store.keyPrefix, idleTimeoutMs: settings.idleTimeoutMs, dataSource });
  },
};
