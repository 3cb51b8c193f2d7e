import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { CacheableSession, SessionCache } from '../session-cache.js';
import { SessionInvalidationListener } from '../session-invalidation.listener.js';
import type { SessionInvalidationFeed } from './session-store.interface.js';

/** This feed's name among the cache's feeds. */
export const REDIS_FEED = 'redis';

const HEARTBEAT_MS = 5_000;

/**
 * Feeds a SessionCache from Redis pub/sub: the Redis session store publishes `s:<hash>,…` on its
 * channel in the same script that deletes sessions, so every replica drops them within
 * milliseconds. While the subscription is down (or a heartbeat PING goes unanswered) the cache is
 * not live and requests read the store; ioredis reconnects and resubscribes, and the cache starts
 * empty again, since messages sent meanwhile are lost.
 */
export class RedisInvalidationFeed implements SessionInvalidationFeed {
  private readonly logger = new Logger('NestfluxAuth');
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;
  private warned = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly cache: SessionCache<CacheableSession>,
  ) {
    cache.setLive(false, REDIS_FEED);
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, payload: string) => {
      if (channel === this.channel) SessionInvalidationListener.apply(this.cache, payload);
    });
    this.subscriber.on('ready', () => void this.listen());
    for (const event of ['close', 'end', 'reconnecting'] as const) this.subscriber.on(event, () => this.lost(`connection ${event}`));
    this.subscriber.on('error', (error: Error) => this.lost(error.message));
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS).unref();
    if (this.subscriber.status === 'ready') await this.listen();
    else
      await new Promise<void>((resolve) => {
        const settle = () => resolve();
        this.subscriber.once('ready', () => setImmediate(settle));
        this.subscriber.once('error', settle);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.cache.setLive(false, REDIS_FEED);
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private async listen(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      if (this.stopped) return;
      this.cache.setLive(true, REDIS_FEED);
      this.warned = false;
    } catch (error) {
      this.lost((error as Error).message);
    }
  }

  /** A half-open connection raises nothing: a PING that does not come back within the beat does. */
  private async beat(): Promise<void> {
    if (this.subscriber.status !== 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat timed out')), HEARTBEAT_MS).unref();
    });
    try {
      await Promise.race([this.subscriber.ping(), timeout]);
    } catch (error) {
      this.lost((error as Error).message);
      this.subscriber.disconnect(true); // reconnect
    } finally {
      clearTimeout(timer);
    }
  }

  private lost(reason: string): void {
    if (this.stopped) return;
    this.cache.setLive(false, REDIS_FEED);
    // Once per outage, not once per retry.
    if (!this.warned)
      this.logger.warn(`session cache off until Redis invalidations flow again (${reason}); sessions are read on every request meanwhile`);
    this.warned = true;
  }
}
