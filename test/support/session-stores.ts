import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource as DataSourceClass, type DataSource } from 'typeorm';
import type { Env } from '../../sample-app/src/config/sample-config.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from './sample-app-harness.js';

/** Where sessions live in a test: the session suite runs once per store. */
export type SessionStoreKind = 'postgres' | 'redis';

/** Every store the session e2e suite runs against (`describe.each(sessionStores)`). */
export const sessionStores: SessionStoreKind[] = ['postgres', 'redis'];

/** The machine's Redis (`.ci/run` makes sure it is up). */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A key prefix of its own for each test app: parallel test files share one Redis. */
export function testKeyPrefix(): string {
  return `nestflux-test:${randomBytes(6).toString('hex')}:`;
}

/** The `session.store` option for a store kind. */
export function sessionStoreOption(
  kind: SessionStoreKind,
  keyPrefix: string,
): { type: 'postgres' } | { type: 'redis'; url: string; keyPrefix: string } {
  return kind === 'redis' ? { type: 'redis', url: TEST_REDIS_URL, keyPrefix } : { type: 'postgres' };
}

/** Sample app variables for a store kind. */
export function sessionStoreEnv(kind: SessionStoreKind, keyPrefix: string): Record<string, string> {
  return kind === 'redis' ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: keyPrefix } : {};
}

/** What a test reads of a stored session. */
export interface StoredSessionFields {
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  idTokenEnc: string | null;
  accessTokenExpiresAt: Date | null;
  lastSeenAt: Date;
}

/** What a test changes in a stored session, as an operator's tool would. */
export interface StoredSessionPatch {
  expiresAt?: Date;
  lastSeenAt?: Date;
  accessTokenExpiresAt?: Date;
  providerSid?: null;
}

/**
 * The test's own view into the session store, beside the app: reads and changes sessions
 * directly (SQL or Redis commands), the way an operator's script would, and tells the replicas
 * the way such a script must (PostgreSQL's triggers do it there; in Redis, a PUBLISH).
 */
export interface SessionStoreProbe {
  read(idHash: string): Promise<StoredSessionFields | undefined>;
  update(idHash: string, patch: StoredSessionPatch): Promise<void>;
  /** Deletes every session of the subject. */
  deleteSubject(subject: string): Promise<void>;
  /** The provider session ids (`sid`) stored with the subject's sessions. */
  providerSids(subject: string): Promise<string[]>;
  close(): Promise<void>;
}

export function sessionStoreProbe(kind: SessionStoreKind, keyPrefix: string, db: DataSource): SessionStoreProbe {
  return kind === 'redis' ? new RedisProbe(keyPrefix) : new PostgresProbe(db);
}

class PostgresProbe implements SessionStoreProbe {
  constructor(private readonly db: DataSource) {}

  async read(idHash: string): Promise<StoredSessionFields | undefined> {
    const [row] = await this.db.query<
      Array<{
        access_token_enc: string | null;
        refresh_token_enc: string | null;
        id_token_enc: string | null;
        access_token_expires_at: Date | null;
        last_seen_at: Date;
      }>
    >(
      'SELECT access_token_enc, refresh_token_enc, id_token_enc, access_token_expires_at, last_seen_at FROM auth_sessions WHERE id_hash = $1',
      [idHash],
    );
    if (!row) return undefined;
    return {
      accessTokenEnc: row.access_token_enc,
      refreshTokenEnc: row.refresh_token_enc,
      idTokenEnc: row.id_token_enc,
      accessTokenExpiresAt: row.access_token_expires_at && new Date(row.access_token_expires_at),
      lastSeenAt: new Date(row.last_seen_at),
    };
  }

  async update(idHash: string, patch: StoredSessionPatch): Promise<void> {
    const columns = {
      expiresAt: 'expires_at',
      lastSeenAt: 'last_seen_at',
      accessTokenExpiresAt: 'access_token_expires_at',
      providerSid: 'provider_sid',
    };
    for (const [field, value] of Object.entries(patch)) {
      await this.db.query(`UPDATE auth_sessions SET ${columns[field as keyof StoredSessionPatch]} = $2 WHERE id_hash = $1`, [
        idHash,
        value,
      ]);
    }
  }

  async deleteSubject(subject: string): Promise<void> {
    await this.db.query('DELETE FROM auth_sessions WHERE subject = $1', [subject]);
  }

  async providerSids(subject: string): Promise<string[]> {
    const rows: Array<{ provider_sid: string | null }> = await this.db.query('SELECT provider_sid FROM auth_sessions WHERE subject = $1', [
      subject,
    ]);
    return rows.flatMap((row) => (row.provider_sid ? [row.provider_sid] : []));
  }

  async close(): Promise<void> {}
}

class RedisProbe implements SessionStoreProbe {
  private readonly redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });

  constructor(private readonly prefix: string) {}

  async read(idHash: string): Promise<StoredSessionFields | undefined> {
    const hash = await this.redis.hgetall(`${this.prefix}session:${idHash}`);
    if (!hash.expiresAt) return undefined;
    return {
      accessTokenEnc: hash.accessTokenEnc || null,
      refreshTokenEnc: hash.refreshTokenEnc || null,
      idTokenEnc: hash.idTokenEnc || null,
      accessTokenExpiresAt: hash.accessTokenExpiresAt ? new Date(Number(hash.accessTokenExpiresAt)) : null,
      lastSeenAt: new Date(Number(hash.lastSeenAt)),
    };
  }

  async update(idHash: string, patch: StoredSessionPatch): Promise<void> {
    const fields = Object.entries(patch).flatMap(([field, value]) => [field, value instanceof Date ? String(value.getTime()) : '']);
    await this.redis.hset(`${this.prefix}session:${idHash}`, ...fields);
    await this.redis.publish(`${this.prefix}invalidate`, `s:${idHash}`);
  }

  async deleteSubject(subject: string): Promise<void> {
    for (const key of await this.redis.keys(`${this.prefix}session:*`)) {
      if ((await this.redis.hget(key, 'subject')) !== subject) continue;
      await this.redis.del(key);
      await this.redis.publish(`${this.prefix}invalidate`, `s:${key.slice(`${this.prefix}session:`.length)}`);
    }
  }

  async providerSids(subject: string): Promise<string[]> {
    const sids: string[] = [];
    for (const key of await this.redis.keys(`${this.prefix}session:*`)) {
      const [sessionSubject, sid] = await this.redis.hmget(key, 'subject', 'providerSid');
      if (sessionSubject === subject && sid) sids.push(sid);
    }
    return sids;
  }

  /** Removes the test's keys too. */
  async close(): Promise<void> {
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    await this.redis.quit();
  }
}

/** The sample app with its sessions in `kind` (a key prefix of its own), and a probe into them. */
export async function startSampleAppOnStore(
  kind: SessionStoreKind,
  env: Env = {},
): Promise<SampleAppUnderTest & { store: SessionStoreProbe }> {
  const keyPrefix = testKeyPrefix();
  const sut = await startSampleAppUnderTest({ ...sessionStoreEnv(kind, keyPrefix), ...env });
  const store = sessionStoreProbe(kind, keyPrefix, sut.running.app.get(DataSourceClass));
  return {
    ...sut,
    store,
    async close() {
      await sut.close();
      await store.close();
    },
  };
}
