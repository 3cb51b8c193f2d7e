import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { CacheableSession, SessionCache } from './session-cache.js';
import type { SessionInvalidationFeed } from './store/session-store.interface.js';

/** The channel the library's triggers notify (see the session-invalidation migration). */
export const SESSION_INVALIDATION_CHANNEL = 'nestflux_auth_sessions';

/** This listener's name among the cache's feeds. */
export const POSTGRES_FEED = 'postgres';

const HEARTBEAT_MS = 5_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Feeds a SessionCache from PostgreSQL: one dedicated connection LISTENs on the channel that the
 * library's triggers NOTIFY when a session ends or changes (`s:<hash>,<hash>…`) or a user row
 * changes (`u:<id>`). Any writer is seen, on every replica: this instance, another one, the sync
 * CLI, a host's own SQL. While the connection is down (or a heartbeat fails) the cache is not
 * live, so requests read the database; it is cleared again once listening resumes, since
 * notifications sent meanwhile are lost.
 */
export class SessionInvalidationListener implements SessionInvalidationFeed {
  private readonly logger = new Logger('NestfluxAuth');
  private client: pg.Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: SessionCache<CacheableSession>,
  ) {}

  /** Resolves once listening (or after the first failure: the cache then stays off and retries). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.cache.setLive(false, POSTGRES_FEED);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Applies one notification payload to the cache. */
  static apply(cache: SessionCache<CacheableSession>, payload: string | undefined): void {
    if (!payload || payload === '*') cache.clear();
    else if (payload.startsWith('s:')) cache.dropSessions(payload.slice(2).split(','));
    else if (payload.startsWith('u:')) cache.dropUser(payload.slice(2));
    else cache.clear(); // unknown: be safe
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      ...connectionConfig(this.dataSource),
      application_name: 'nestflux-auth-sessions',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    this.client = client;
    client.on('notification', (message) => SessionInvalidationListener.apply(this.cache, message.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSION_INVALIDATION_CHANNEL}`);
      if (this.client !== client) return;
      this.cache.setLive(true, POSTGRES_FEED);
      this.retryMs = FIRST_RETRY_MS;
      this.heartbeat = setInterval(() => void this.beat(client), HEARTBEAT_MS).unref();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  /** A half-open connection raises no error: a query that does not come back within the beat does. */
  private async beat(client: pg.Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat timed out')), HEARTBEAT_MS).unref();
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (error) {
      this.lost(client, error as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.cache.setLive(false, POSTGRES_FEED);
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    // Once per outage, not once per retry.
    if (this.retryMs === FIRST_RETRY_MS)
      this.logger.warn(
        `session cache off until PostgreSQL notifications flow again (${error.message}); sessions are read on every request meanwhile`,
      );
    this.retry = setTimeout(() => void this.connect(), this.retryMs).unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}

/** The connection settings of the app's own DataSource, for one more connection. */
interface PostgresSettings {
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: unknown;
  database?: string;
  ssl?: unknown;
}

function connectionConfig(dataSource: DataSource): pg.ClientConfig {
  const options = dataSource.options as PostgresSettings & { replication?: { master?: PostgresSettings } };
  const source = options.replication?.master ?? options;
  return {
    connectionString: source.url,
    host: source.host,
    port: source.port,
    user: source.username,
    password: typeof source.password === 'string' ? source.password : undefined,
    database: source.database,
    ssl: source.ssl as pg.ClientConfig['ssl'],
  };
}
