import type { SessionAuthentication } from '../../users/auth-user.js';
import type { DataSource, EntityManager } from 'typeorm';
import type {
  EndedSession,
  NewSessionRecord,
  RefreshedTokenUpdate,
  SessionListing,
  SessionRefreshLock,
  SessionStore,
  SessionTokenState,
  StoredSessionView,
} from './session-store.interface.js';

interface SessionRow {
  id_hash: string;
  issuer: string;
  subject: string;
  scopes: string[];
  last_seen_at: Date;
  expires_at: Date;
  access_token_expires_at: Date | null;
  refreshable: boolean;
  authentication: SessionAuthentication | null;
  user_id: string;
  email: string | null;
  display_name: string | null;
  username: string | null;
  avatar_url: string | null;
  user_roles: string[];
  active: boolean;
}

type Deleted = [Array<{ id_hash: string }>, number];

/** The hashes a `DELETE … RETURNING id_hash` removed. */
function deletedHashes(result: unknown): string[] {
  const rows = Array.isArray(result) ? (result as Deleted)[0] : undefined;
  return Array.isArray(rows) ? rows.map((row) => row.id_hash) : [];
}

/**
 * Sessions in PostgreSQL (`auth_sessions`), the default store. Other replicas hear of every change
 * from the table's triggers (NOTIFY, see SessionInvalidationListener), whoever writes: this
 * store, the sync CLI or a host's own SQL. The refresh lock is the row lock (`FOR UPDATE`).
 */
export class PostgresSessionStore implements SessionStore {
  constructor(private readonly dataSource: DataSource) {}

  async create(record: NewSessionRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO auth_sessions (id_hash, user_id, issuer, subject, provider_sid, roles, scopes,
         id_token_enc, access_token_enc, refresh_token_enc, access_token_expires_at, last_seen_at, expires_at, ip, user_agent, authentication)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, now(), $12, $13, $14, $15::jsonb)`,
      [
        record.idHash,
        record.userId,
        record.issuer,
        record.subject,
        record.providerSid,
        JSON.stringify(record.roles),
        JSON.stringify(record.scopes),
        record.idTokenEnc,
        record.accessTokenEnc,
        record.refreshTokenEnc,
        record.accessTokenExpiresAt,
        record.expiresAt,
        record.ip,
        record.userAgent,
        record.authentication ? JSON.stringify(record.authentication) : null,
      ],
    );
  }

  async find(idHash: string): Promise<StoredSessionView | undefined> {
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT s.id_hash, s.issuer, s.subject, s.scopes, s.last_seen_at, s.expires_at, s.access_token_expires_at,
              s.refresh_token_enc IS NOT NULL AS refreshable, s.authentication, u.id AS user_id, u.email,
              u.display_name, u.username, u.avatar_url, u.roles AS user_roles, u.active
         FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id
        WHERE s.id_hash = $1 AND s.expires_at > now()`,
      [idHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      idHash,
      issuer: row.issuer,
      subject: row.subject,
      scopes: row.scopes ?? [],
      lastSeenAt: new Date(row.last_seen_at),
      expiresAt: new Date(row.expires_at),
      accessTokenExpiresAt: row.access_token_expires_at,
      refreshable: row.refreshable,
      authentication: row.authentication ?? null,
      user: {
        id: row.user_id,
        email: row.email,
        displayName: row.display_name,
        username: row.username,
        avatarUrl: row.avatar_url,
        roles: row.user_roles ?? [],
        active: row.active,
      },
    };
  }

  async accessToken(idHash: string): Promise<Pick<SessionTokenState, 'accessTokenEnc' | 'accessTokenExpiresAt'> | undefined> {
    const rows: Array<{ access_token_enc: string | null; access_token_expires_at: Date | null }> = await this.dataSource.query(
      'SELECT access_token_enc, access_token_expires_at FROM auth_sessions WHERE id_hash = $1 AND expires_at > now()',
      [idHash],
    );
    const row = rows[0];
    return row ? { accessTokenEnc: row.access_token_enc, accessTokenExpiresAt: row.access_token_expires_at } : undefined;
  }

  withRefreshLock<T>(idHash: string, work: (lock: SessionRefreshLock) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{
        issuer: string;
        subject: string;
        user_id: string;
        access_token_enc: string | null;
        refresh_token_enc: string | null;
        access_token_expires_at: Date | null;
      }> = await manager.query(
        `SELECT issuer, subject, user_id, access_token_enc, refresh_token_enc, access_token_expires_at
             FROM auth_sessions WHERE id_hash = $1 AND expires_at > now() FOR UPDATE`,
        [idHash],
      );
      const row = rows[0];
      const state: SessionTokenState | undefined = row && {
        issuer: row.issuer,
        subject: row.subject,
        userId: row.user_id,
        accessTokenEnc: row.access_token_enc,
        refreshTokenEnc: row.refresh_token_enc,
        accessTokenExpiresAt: row.access_token_expires_at,
      };
      const save = async (update: RefreshedTokenUpdate): Promise<void> => {
        await manager.query(
          `UPDATE auth_sessions SET access_token_enc = $2, refresh_token_enc = COALESCE($3, refresh_token_enc),
                  id_token_enc = COALESCE($4, id_token_enc), access_token_expires_at = $5 WHERE id_hash = $1`,
          [idHash, update.accessTokenEnc, update.refreshTokenEnc, update.idTokenEnc, update.accessTokenExpiresAt],
        );
      };
      return work({ state, save, db: manager });
    });
  }

  async end(idHash: string): Promise<EndedSession | undefined> {
    const result: [Array<{ id_token_enc: string | null; user_id: string; last_seen_at: Date; live: boolean }>, number] =
      await this.dataSource.query(
        'DELETE FROM auth_sessions WHERE id_hash = $1 RETURNING id_token_enc, user_id, last_seen_at, expires_at > now() AS live',
        [idHash],
      );
    const row = result[0]?.[0];
    return row ? { idTokenEnc: row.id_token_enc, userId: row.user_id, lastSeenAt: new Date(row.last_seen_at), live: row.live } : undefined;
  }

  async destroy(idHashes: string[]): Promise<void> {
    if (idHashes.length === 0) return;
    await this.dataSource.query('DELETE FROM auth_sessions WHERE id_hash = ANY($1::text[])', [idHashes]);
  }

  async destroyForProvider(
    issuer: string,
    criteria: { sid?: string; sub?: string },
    db: EntityManager = this.dataSource.manager,
  ): Promise<string[]> {
    const { sid, sub } = criteria;
    if (sid && sub) {
      return deletedHashes(
        await db.query(
          'DELETE FROM auth_sessions WHERE issuer = $1 AND subject = $3 AND (provider_sid = $2 OR provider_sid IS NULL) RETURNING id_hash',
          [issuer, sid, sub],
        ),
      );
    }
    if (sid)
      return deletedHashes(
        await db.query('DELETE FROM auth_sessions WHERE issuer = $1 AND provider_sid = $2 RETURNING id_hash', [issuer, sid]),
      );
    if (sub)
      return deletedHashes(await db.query('DELETE FROM auth_sessions WHERE issuer = $1 AND subject = $2 RETURNING id_hash', [issuer, sub]));
    return [];
  }

  async listForUser(userId: string, limit: number): Promise<SessionListing[]> {
    const rows: Array<{
      id_hash: string;
      public_id: string;
      created_at: Date;
      last_seen_at: Date;
      ip: string | null;
      user_agent: string | null;
    }> = await this.dataSource.query(
      `SELECT id_hash, public_id, created_at, last_seen_at, ip, user_agent FROM auth_sessions
          WHERE user_id = $1 AND expires_at > now() ORDER BY created_at DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => ({
      idHash: row.id_hash,
      publicId: row.public_id,
      createdAt: new Date(row.created_at),
      lastSeenAt: new Date(row.last_seen_at),
      ip: row.ip,
      userAgent: row.user_agent,
    }));
  }

  async destroyByPublicId(userId: string, publicId: string): Promise<string[]> {
    return deletedHashes(
      await this.dataSource.query('DELETE FROM auth_sessions WHERE user_id = $1 AND public_id = $2 RETURNING id_hash', [userId, publicId]),
    );
  }

  async destroyAllForUser(userId: string, exceptIdHash?: string): Promise<string[]> {
    return deletedHashes(
      await this.dataSource.query('DELETE FROM auth_sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2 RETURNING id_hash', [
        userId,
        exceptIdHash ?? null,
      ]),
    );
  }

  async recordActivity(batch: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (batch.length === 0) return;
    await this.dataSource.query(
      `UPDATE auth_sessions s SET last_seen_at = GREATEST(s.last_seen_at, to_timestamp(a.seen / 1000.0))
         FROM unnest($1::text[], $2::float8[]) AS a(id_hash, seen) WHERE s.id_hash = a.id_hash`,
      [batch.map(([idHash]) => idHash), batch.map(([, seen]) => seen)],
    );
  }

  async purgeExpired(idleTimeoutMs: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM auth_sessions WHERE expires_at < now() OR last_seen_at < now() - ($1 || ' milliseconds')::interval`,
      [String(idleTimeoutMs + 60_000)],
    );
  }
}
