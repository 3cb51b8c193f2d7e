import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthError, DependencyUnavailableError } from '../../errors/auth-error.js';
import type { SessionAuthentication, StoredUser } from '../../users/auth-user.js';
import type { CacheableSession, SessionCache } from '../session-cache.js';
import { RedisInvalidationFeed } from './redis-invalidation.feed.js';
import { CREATE_SESSION, DELETE_SESSIONS, RECORD_ACTIVITY, RELEASE_LOCK, SAVE_REFRESHED } from './redis-session.scripts.js';
import type {
  EndedSession,
  NewSessionRecord,
  RefreshedTokenUpdate,
  SessionInvalidationFeed,
  SessionListing,
  SessionRefreshLock,
  SessionStore,
  SessionTokenState,
  StoredSessionView,
} from './session-store.interface.js';

/** Longer than a provider's refresh round trip; a crashed holder's lock is free after this. */
const LOCK_TTL_MS = 30_000;
const LOCK_POLL_MS = 25;
/** Values per deleted session in DELETE_SESSIONS' answer. */
const DELETED_ROW = 5;

/** The session hash's fields, one per NewSessionRecord field plus bookkeeping. */
type SessionHash = Record<string, string>;

interface ScriptCommands {
  nfxCreateSession(numKeys: number, ...args: Array<string | number>): Promise<number>;
  nfxDeleteSessions(numKeys: number, ...args: string[]): Promise<string[]>;
  nfxRecordActivity(numKeys: number, ...args: Array<string | number>): Promise<number>;
  nfxSaveRefreshed(numKeys: number, ...args: string[]): Promise<number>;
  nfxReleaseLock(numKeys: number, ...args: string[]): Promise<number>;
}

export interface RedisSessionStoreOptions {
  /** The store's own connection (it defines its scripts on it and closes it). */
  redis: Redis;
  keyPrefix: string;
  idleTimeoutMs: number;
  /** Users stay in PostgreSQL: sessions are joined with their user's current row. */
  dataSource: DataSource;
}

/**
 * Sessions in Redis. Layout under the key prefix P:
 * - `P session:<id hash>`: a hash per session, expiring (PEXPIREAT) at its idle or absolute end,
 *   whichever comes first; activity moves the idle end forward.
 * - `P user:<user id>`: sorted set of the user's session hashes by creation time (listing, revocation).
 * - `P sub:<digest(issuer, sub)>`, `P sid:<digest(issuer, sid)>`: sets for back-channel logout.
 * - `P lock:<id hash>`: the refresh lock (SET NX PX, released only by its holder).
 * - channel `P invalidate`: `s:<hash>,<hash>` whenever sessions are deleted, so every replica
 *   drops them from its cache.
 * Index entries of sessions that expired by TTL are dropped when next read.
 */
export class RedisSessionStore implements SessionStore, OnApplicationShutdown {
  private readonly logger = new Logger('NestfluxAuth');
  private readonly redis: Redis & ScriptCommands;
  private readonly prefix: string;
  private readonly channel: string;

  constructor(private readonly options: RedisSessionStoreOptions) {
    const redis = options.redis;
    // Failed commands answer 503; the connection's own errors are noted once per outage.
    let down = false;
    redis.on('error', (error: Error) => {
      if (!down) this.logger.warn(`session store (Redis) unreachable: ${error.message}`);
      down = true;
    });
    redis.on('ready', () => (down = false));
    redis.defineCommand('nfxCreateSession', { lua: CREATE_SESSION });
    redis.defineCommand('nfxDeleteSessions', { lua: DELETE_SESSIONS });
    redis.defineCommand('nfxRecordActivity', { lua: RECORD_ACTIVITY });
    redis.defineCommand('nfxSaveRefreshed', { lua: SAVE_REFRESHED });
    redis.defineCommand('nfxReleaseLock', { lua: RELEASE_LOCK });
    this.redis = redis as Redis & ScriptCommands;
    this.prefix = options.keyPrefix;
    this.channel = `${options.keyPrefix}invalidate`;
  }

  async create(record: NewSessionRecord): Promise<void> {
    const now = Date.now();
    const expiresAtMs = record.expiresAt.getTime();
    const keys = [this.sessionKey(record.idHash), this.userKey(record.userId), this.subKey(record.issuer, record.subject)];
    if (record.providerSid) keys.push(this.sidKey(record.issuer, record.providerSid));
    const fields: SessionHash = {
      userId: record.userId,
      issuer: record.issuer,
      subject: record.subject,
      providerSid: record.providerSid ?? '',
      roles: JSON.stringify(record.roles),
      scopes: JSON.stringify(record.scopes),
      idTokenEnc: record.idTokenEnc ?? '',
      accessTokenEnc: record.accessTokenEnc ?? '',
      refreshTokenEnc: record.refreshTokenEnc ?? '',
      accessTokenExpiresAt: msOrEmpty(record.accessTokenExpiresAt),
      publicId: randomUUID(),
      ip: record.ip ?? '',
      userAgent: record.userAgent ?? '',
      authentication: record.authentication ? JSON.stringify(record.authentication) : '',
      createdAt: String(now),
      lastSeenAt: String(now),
      expiresAt: String(expiresAtMs),
      userKey: keys[1],
      subKey: keys[2],
      sidKey: keys[3] ?? '',
    };
    await this.call(() =>
      this.redis.nfxCreateSession(
        keys.length,
        ...keys,
        Math.min(expiresAtMs, now + this.options.idleTimeoutMs),
        Math.max(1, expiresAtMs - now),
        record.idHash,
        now,
        ...Object.entries(fields).flat(),
      ),
    );
  }

  async find(idHash: string): Promise<StoredSessionView | undefined> {
    const hash = await this.call(() => this.redis.hgetall(this.sessionKey(idHash)));
    if (!isLive(hash)) return undefined;
    const user = await this.user(hash.userId);
    if (!user) return undefined;
    return {
      idHash,
      issuer: hash.issuer,
      subject: hash.subject,
      scopes: JSON.parse(hash.scopes) as string[],
      lastSeenAt: new Date(Number(hash.lastSeenAt)),
      expiresAt: new Date(Number(hash.expiresAt)),
      accessTokenExpiresAt: dateOrNull(hash.accessTokenExpiresAt),
      refreshable: hash.refreshTokenEnc !== '',
      authentication: hash.authentication ? (JSON.parse(hash.authentication) as SessionAuthentication) : null,
      user,
    };
  }

  async accessToken(idHash: string): Promise<Pick<SessionTokenState, 'accessTokenEnc' | 'accessTokenExpiresAt'> | undefined> {
    const [accessTokenEnc, accessTokenExpiresAt, expiresAt] = await this.call(() =>
      this.redis.hmget(this.sessionKey(idHash), 'accessTokenEnc', 'accessTokenExpiresAt', 'expiresAt'),
    );
    if (!expiresAt || Number(expiresAt) <= Date.now()) return undefined;
    return { accessTokenEnc: accessTokenEnc || null, accessTokenExpiresAt: dateOrNull(accessTokenExpiresAt) };
  }

  async withRefreshLock<T>(idHash: string, work: (lock: SessionRefreshLock) => Promise<T>): Promise<T> {
    const lockKey = `${this.prefix}lock:${idHash}`;
    const token = randomUUID();
    // The holder finishes, or its lock expires: waiting longer than its TTL means Redis is not answering.
    const deadline = Date.now() + LOCK_TTL_MS + 5_000;
    while ((await this.call(() => this.redis.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX'))) !== 'OK') {
      if (Date.now() > deadline)
        throw new DependencyUnavailableError(
          'AUTH_DATABASE_UNAVAILABLE',
          'The session store did not release a refresh lock; retry shortly.',
        );
      await sleep(LOCK_POLL_MS);
    }
    try {
      const key = this.sessionKey(idHash);
      const [issuer, subject, userId, accessTokenEnc, refreshTokenEnc, accessTokenExpiresAt, expiresAt] = await this.call(() =>
        this.redis.hmget(key, 'issuer', 'subject', 'userId', 'accessTokenEnc', 'refreshTokenEnc', 'accessTokenExpiresAt', 'expiresAt'),
      );
      const state: SessionTokenState | undefined =
        issuer && subject && userId && Number(expiresAt) > Date.now()
          ? {
              issuer,
              subject,
              userId,
              accessTokenEnc: accessTokenEnc || null,
              refreshTokenEnc: refreshTokenEnc || null,
              accessTokenExpiresAt: dateOrNull(accessTokenExpiresAt),
            }
          : undefined;
      const save = async (update: RefreshedTokenUpdate): Promise<void> => {
        const saved = await this.call(() =>
          this.redis.nfxSaveRefreshed(
            2,
            lockKey,
            key,
            token,
            update.accessTokenEnc,
            update.refreshTokenEnc ?? '',
            update.idTokenEnc ?? '',
            msOrEmpty(update.accessTokenExpiresAt),
          ),
        );
        if (saved === -1)
          throw new DependencyUnavailableError(
            'AUTH_DATABASE_UNAVAILABLE',
            'The refresh lock expired before the refreshed tokens could be stored.',
          );
      };
      return await work({ state, save, db: this.options.dataSource.manager });
    } finally {
      await this.call(() => this.redis.nfxReleaseLock(1, lockKey, token)).catch(() => undefined);
    }
  }

  async end(idHash: string): Promise<EndedSession | undefined> {
    const [, userId, idTokenEnc, lastSeenAt, expiresAt] = await this.deleteSessions([idHash]);
    if (lastSeenAt === undefined) return undefined;
    return { idTokenEnc: idTokenEnc || null, userId, lastSeenAt: new Date(Number(lastSeenAt)), live: Number(expiresAt) > Date.now() };
  }

  async destroy(idHashes: string[]): Promise<void> {
    await this.deleteSessions(idHashes);
  }

  async destroyForProvider(issuer: string, criteria: { sid?: string; sub?: string }, _db?: EntityManager): Promise<string[]> {
    const { sid, sub } = criteria;
    const candidates = new Set<string>();
    if (sid) for (const idHash of await this.call(() => this.redis.smembers(this.sidKey(issuer, sid)))) candidates.add(idHash);
    if (sub) for (const idHash of await this.call(() => this.redis.smembers(this.subKey(issuer, sub)))) candidates.add(idHash);
    const hashes = [...candidates];
    const fields = await this.readMany(hashes, ['issuer', 'subject', 'providerSid']);
    const ending = hashes.filter((_, i) => {
      const [sessionIssuer, subject, providerSid] = fields[i];
      if (sessionIssuer !== issuer) return false;
      if (sid && sub) return subject === sub && (providerSid === sid || providerSid === '');
      return sid ? providerSid === sid : subject === sub;
    });
    return this.deletedHashes(await this.deleteSessions(ending));
  }

  async listForUser(userId: string, limit: number): Promise<SessionListing[]> {
    const hashes = await this.call(() => this.redis.zrevrange(this.userKey(userId), 0, -1));
    const fields = await this.readMany(hashes, ['publicId', 'createdAt', 'lastSeenAt', 'ip', 'userAgent', 'expiresAt']);
    const now = Date.now();
    const listed: SessionListing[] = [];
    const expired: string[] = [];
    for (const [i, idHash] of hashes.entries()) {
      const [publicId, createdAt, lastSeenAt, ip, userAgent, expiresAt] = fields[i];
      if (!publicId) expired.push(idHash);
      if (!publicId || Number(expiresAt) <= now || listed.length >= limit) continue;
      listed.push({
        idHash,
        publicId,
        createdAt: new Date(Number(createdAt)),
        lastSeenAt: new Date(Number(lastSeenAt)),
        ip: ip || null,
        userAgent: userAgent || null,
      });
    }
    if (expired.length > 0) await this.call(() => this.redis.zrem(this.userKey(userId), ...expired));
    return listed;
  }

  async destroyByPublicId(userId: string, publicId: string): Promise<string[]> {
    const hashes = await this.call(() => this.redis.zrange(this.userKey(userId), 0, -1));
    const ids = await this.readMany(hashes, ['publicId']);
    return this.deletedHashes(await this.deleteSessions(hashes.filter((_, i) => ids[i][0] === publicId)));
  }

  async destroyAllForUser(userId: string, exceptIdHash?: string): Promise<string[]> {
    const hashes = await this.call(() => this.redis.zrange(this.userKey(userId), 0, -1));
    return this.deletedHashes(await this.deleteSessions(hashes.filter((idHash) => idHash !== exceptIdHash)));
  }

  async recordActivity(batch: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (batch.length === 0) return;
    await this.call(() =>
      this.redis.nfxRecordActivity(
        batch.length,
        ...batch.map(([idHash]) => this.sessionKey(idHash)),
        this.options.idleTimeoutMs,
        ...batch.map(([, seen]) => Math.round(seen)),
      ),
    );
  }

  /** Redis expires sessions by TTL. */
  async purgeExpired(): Promise<void> {}

  invalidationFeed(cache: SessionCache<CacheableSession>): SessionInvalidationFeed {
    // Named after the prefix, so an operator (or a test) can tell whose subscription it is in CLIENT LIST.
    const connectionName = `nestflux-auth-sessions:${this.prefix}`.replace(/[^!-~]/g, '_');
    return new RedisInvalidationFeed(this.redis.duplicate({ connectionName }), this.channel, cache);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** After every module's onModuleDestroy, so that the last activity flush still reaches Redis. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Deletes sessions (with their index entries, announcing it); answers the script's flat rows. */
  private async deleteSessions(idHashes: string[]): Promise<string[]> {
    if (idHashes.length === 0) return [];
    return this.call(() =>
      this.redis.nfxDeleteSessions(idHashes.length, ...idHashes.map((idHash) => this.sessionKey(idHash)), this.channel, ...idHashes),
    );
  }

  private deletedHashes(rows: string[]): string[] {
    return rows.filter((_, i) => i % DELETED_ROW === 0);
  }

  /** Some fields of many sessions in one round trip ('' for a missing field or session). */
  private async readMany(idHashes: string[], fields: string[]): Promise<string[][]> {
    if (idHashes.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const idHash of idHashes) pipeline.hmget(this.sessionKey(idHash), ...fields);
    const results = await this.call(() => pipeline.exec());
    return (results ?? []).map(([error, values]) => {
      if (error) throw this.unavailable(error);
      return (values as Array<string | null>).map((value) => value ?? '');
    });
  }

  private async user(userId: string): Promise<StoredUser | undefined> {
    const rows: Array<{
      id: string;
      email: string | null;
      display_name: string | null;
      username: string | null;
      avatar_url: string | null;
      roles: string[];
      active: boolean;
    }> = await this.options.dataSource.query(
      'SELECT id, email, display_name, username, avatar_url, roles, active FROM auth_users WHERE id = $1',
      [userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      username: row.username,
      avatarUrl: row.avatar_url,
      roles: row.roles ?? [],
      active: row.active,
    };
  }

  /** Redis errors (down, timed out) become 503s naming the session store; AuthErrors pass. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): unknown {
    if (error instanceof AuthError) return error;
    return new DependencyUnavailableError('AUTH_DATABASE_UNAVAILABLE', 'The session store (Redis) is unavailable; retry shortly.', {
      cause: error,
    });
  }

  private sessionKey(idHash: string): string {
    return `${this.prefix}session:${idHash}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }

  private subKey(issuer: string, subject: string): string {
    return `${this.prefix}sub:${digest(issuer, subject)}`;
  }

  private sidKey(issuer: string, sid: string): string {
    return `${this.prefix}sid:${digest(issuer, sid)}`;
  }
}

/** Fixed-length key part for provider-chosen strings (any length, any characters). */
function digest(issuer: string, value: string): string {
  return createHash('sha256')
    .update(JSON.stringify([issuer, value]))
    .digest('base64url');
}

function isLive(hash: SessionHash): boolean {
  return typeof hash.expiresAt === 'string' && Number(hash.expiresAt) > Date.now() && typeof hash.userId === 'string';
}

function msOrEmpty(date: Date | null): string {
  return date ? String(date.getTime()) : '';
}

function dateOrNull(ms: string | null | undefined): Date | null {
  return ms ? new Date(Number(ms)) : null;
}
