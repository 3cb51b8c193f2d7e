import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import type { StoredUser } from '../users/auth-user.js';
import { SessionCache } from './session-cache.js';
import { hashSessionId, isWellFormedSessionId, newSessionId } from './session-id.js';
import { SessionInvalidationListener } from './session-invalidation.listener.js';
import { TokenCipher } from './token-cipher.js';

/** What a login hands over to become a session. */
export interface NewSession {
  userId: string;
  issuer: string;
  subject: string;
  providerSid: string | null;
  roles: string[];
  scopes: string[];
  idToken: string | null;
  accessToken: string | null;
  refreshToken: string | null;
  accessTokenExpiresAt: Date | null;
  /** Client address and user agent of the login (shown in the user's session list). */
  ip?: string | null;
  userAgent?: string | null;
}

/** A session as its user sees it (`GET /auth/sessions`). */
export interface SessionSummary {
  /** Opaque handle: never the cookie value or its hash. */
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Text from the client, bounded before it is stored. */
function clip(value: string | null | undefined, max: number): string | null {
  return typeof value === 'string' && value !== '' ? value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max) : null;
}

/** A live session joined with its user, as the guard sees it. */
export interface ActiveSession {
  idHash: string;
  issuer: string;
  subject: string;
  /**
   * The user's current roles (`auth_users.roles`), not a copy taken at login: a role removed at
   * the provider (seen by the next login, refresh or sync) stops working in live sessions.
   */
  roles: string[];
  scopes: string[];
  user: StoredUser;
  /** When the provider's access token behind the session expires (null: unknown). */
  accessTokenExpiresAt: Date | null;
  /** A refresh token is stored: the access token can be refreshed on the request path. */
  refreshable: boolean;
}

/** A session as cached: what the guard needs, plus what the liveness checks need. */
interface KnownSession {
  session: ActiveSession;
  userId: string;
  expiresAtMs: number;
  /** Latest activity known here (read from the row, then every request on this instance). */
  lastSeenMs: number;
}

interface SessionRow {
  id_hash: string;
  issuer: string;
  subject: string;
  scopes: string[];
  last_seen_at: Date;
  expires_at: Date;
  access_token_expires_at: Date | null;
  refreshable: boolean;
  user_id: string;
  email: string | null;
  display_name: string | null;
  username: string | null;
  avatar_url: string | null;
  user_roles: string[];
  active: boolean;
}

/**
 * Server-side sessions in PostgreSQL. The request path only reads, and a known session not even
 * that: it is served from a SessionCache that every replica empties of a session as soon as
 * PostgreSQL reports it ended or changed (see SessionInvalidationListener). Activity for the idle
 * timeout is collected in memory and written in one batched UPDATE every few seconds.
 */
@Injectable()
export class AuthSessionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('NestfluxAuth');
  private readonly cipher: TokenCipher;
  /** id_hash → last activity (ms) not yet written. */
  private readonly pendingActivity = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private readonly cache: SessionCache<KnownSession>;
  private listener: SessionInvalidationListener | undefined;

  constructor(
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.cipher = new TokenCipher(settings.secret);
    this.cache = new SessionCache(settings.cache?.maxEntries ?? 1, settings.cache?.ttlMs ?? 0);
  }

  async onModuleInit(): Promise<void> {
    const flushEveryMs = Math.min(30_000, Math.max(1_000, Math.floor(this.settings.idleTimeoutMs / 4)));
    this.flushTimer = setInterval(() => void this.flushActivity(), flushEveryMs).unref();
    this.purgeTimer = setInterval(() => void this.purgeExpired(), 10 * 60_000).unref();
    if (!this.settings.cache) return;
    // A one-connection pool (embedded PGlite) has no room for the listener: no cache there.
    const options = this.dataSource.options as { extra?: { max?: number }; poolSize?: number };
    if ((options.extra?.max ?? options.poolSize) === 1) {
      this.logger.log('session cache off: the database pool has a single connection (embedded PGlite?), so sessions are read on every request');
      return;
    }
    this.listener = new SessionInvalidationListener(this.dataSource, this.cache);
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.stop();
    clearInterval(this.flushTimer);
    clearInterval(this.purgeTimer);
    await this.flushActivity();
  }

  /** Creates a session and returns the cookie value (the only place the raw id exists). */
  async create(session: NewSession): Promise<string> {
    const id = newSessionId();
    const seal = (value: string | null) => (value ? this.cipher.encrypt(value) : null);
    await this.dataSource.query(
      `INSERT INTO auth_sessions (id_hash, user_id, issuer, subject, provider_sid, roles, scopes,
         id_token_enc, access_token_enc, refresh_token_enc, access_token_expires_at, last_seen_at, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, now(), now() + ($12 || ' milliseconds')::interval, $13, $14)`,
      [
        hashSessionId(this.settings.secret, id), session.userId, session.issuer, session.subject, session.providerSid,
        JSON.stringify(session.roles), JSON.stringify(session.scopes), seal(session.idToken), seal(session.accessToken),
        seal(session.refreshToken), session.accessTokenExpiresAt, String(this.settings.absoluteTimeoutMs),
        clip(session.ip, 64), clip(session.userAgent, 512),
      ],
    );
    return id;
  }

  /** The live session for a cookie value, or null (garbage, unknown, expired, idle, user inactive). */
  async resolve(cookieValue: unknown): Promise<ActiveSession | null> {
    if (!isWellFormedSessionId(cookieValue)) return null;
    const idHash = hashSessionId(this.settings.secret, cookieValue);
    let known = this.cache.get(idHash);
    if (!known) {
      const generation = this.cache.beginRead();
      known = await this.read(idHash);
      if (!known) return null;
      this.cache.set(idHash, known, generation);
    }
    const now = Date.now();
    if (!known.session.user.active || known.expiresAtMs <= now || this.idledOut(idHash, known.lastSeenMs)) return null;
    known.lastSeenMs = now;
    this.pendingActivity.set(idHash, now);
    // Copies: what a request does with its user must not change the cached entry.
    const { session } = known;
    return { ...session, roles: [...session.roles], scopes: [...session.scopes], user: { ...session.user, roles: [...session.user.roles] } };
  }

  private async read(idHash: string): Promise<KnownSession | undefined> {
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT s.id_hash, s.issuer, s.subject, s.scopes, s.last_seen_at, s.expires_at, s.access_token_expires_at,
              s.refresh_token_enc IS NOT NULL AS refreshable, u.id AS user_id, u.email,
              u.display_name, u.username, u.avatar_url, u.roles AS user_roles, u.active
         FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id
        WHERE s.id_hash = $1 AND s.expires_at > now()`,
      [idHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    const session: ActiveSession = {
      idHash,
      issuer: row.issuer,
      subject: row.subject,
      roles: row.user_roles ?? [],
      scopes: row.scopes ?? [],
      user: {
        id: row.user_id, email: row.email, displayName: row.display_name, username: row.username,
        avatarUrl: row.avatar_url, roles: row.user_roles ?? [], active: row.active,
      },
      accessTokenExpiresAt: row.access_token_expires_at,
      refreshable: row.refreshable,
    };
    return { session, userId: row.user_id, expiresAtMs: new Date(row.expires_at).getTime(), lastSeenMs: new Date(row.last_seen_at).getTime() };
  }

  /**
   * Ends the session a cookie names, in one statement. Returns what RP-initiated logout needs
   * when that session was still live, null otherwise (garbage, unknown, expired or idle).
   */
  async end(cookieValue: unknown): Promise<{ idToken: string | undefined; userId: string } | null> {
    if (!isWellFormedSessionId(cookieValue)) return null;
    const idHash = hashSessionId(this.settings.secret, cookieValue);
    const result: [Array<{ id_token_enc: string | null; user_id: string; last_seen_at: Date; live: boolean }>, number] = await this.dataSource.query(
      'DELETE FROM auth_sessions WHERE id_hash = $1 RETURNING id_token_enc, user_id, last_seen_at, expires_at > now() AS live',
      [idHash],
    );
    const row = result[0]?.[0];
    const idle = row ? this.idledOut(idHash, new Date(row.last_seen_at).getTime()) : true;
    this.pendingActivity.delete(idHash);
    this.cache.dropSessions([idHash]);
    if (!row || !row.live || idle) return null;
    return { idToken: row.id_token_enc ? this.cipher.decrypt(row.id_token_enc) : undefined, userId: row.user_id };
  }

  /** Forgets what this instance cached of a session (its row just changed here, e.g. a refresh). */
  forget(idHash: string): void {
    this.cache.dropSessions([idHash]);
  }

  /** Deletes a session by its stored key (e.g. a refused refresh). */
  async destroy(idHash: string): Promise<void> {
    this.pendingActivity.delete(idHash);
    await this.dataSource.query('DELETE FROM auth_sessions WHERE id_hash = $1', [idHash]);
    this.cache.dropSessions([idHash]);
  }

  /**
   * Back-channel logout. With a `sid`: the session of that provider session (and, when the token
   * also names the subject, that subject's sessions whose ID token carried no `sid`, which no
   * `sid` can identify). Without a `sid`: every session of the subject (Back-Channel Logout 1.0
   * §2.4: "all sessions at the RP for the End-User"). A `sid` never widens to the subject's other
   * sessions, which belong to other provider sessions.
   */
  async destroyForProvider(issuer: string, criteria: { sid?: string; sub?: string }, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const { sid, sub } = criteria;
    let result: [Array<{ id_hash: string }>, number];
    if (sid && sub) {
      result = await manager.query(
        'DELETE FROM auth_sessions WHERE issuer = $1 AND subject = $3 AND (provider_sid = $2 OR provider_sid IS NULL) RETURNING id_hash', [issuer, sid, sub],
      );
    } else if (sid) {
      result = await manager.query('DELETE FROM auth_sessions WHERE issuer = $1 AND provider_sid = $2 RETURNING id_hash', [issuer, sid]);
    } else if (sub) {
      result = await manager.query('DELETE FROM auth_sessions WHERE issuer = $1 AND subject = $2 RETURNING id_hash', [issuer, sub]);
    } else {
      return 0;
    }
    const ended = Array.isArray(result) && Array.isArray(result[0]) ? result[0].map((row) => row.id_hash) : [];
    // Other replicas hear of it from PostgreSQL; this one forgets at once.
    this.cache.dropSessions(ended);
    return ended.length;
  }

  /** The user's live sessions, newest first; `currentKey` marks the caller's own. */
  async listForUser(userId: string, currentKey?: string): Promise<SessionSummary[]> {
    const rows: Array<{ id_hash: string; public_id: string; created_at: Date; last_seen_at: Date; ip: string | null; user_agent: string | null }> =
      await this.dataSource.query(
        `SELECT id_hash, public_id, created_at, last_seen_at, ip, user_agent FROM auth_sessions
          WHERE user_id = $1 AND expires_at > now() ORDER BY created_at DESC LIMIT 100`,
        [userId],
      );
    return rows
      .filter((row) => !this.idledOut(row.id_hash, new Date(row.last_seen_at).getTime()))
      .map((row) => ({
        id: row.public_id,
        current: row.id_hash === currentKey,
        createdAt: new Date(row.created_at).toISOString(),
        lastSeenAt: new Date(Math.max(new Date(row.last_seen_at).getTime(), this.pendingActivity.get(row.id_hash) ?? 0)).toISOString(),
        ip: row.ip,
        userAgent: row.user_agent,
      }));
  }

  /** Ends one session of the user by its public id; false when the user has no such session. */
  async revokeForUser(userId: string, publicId: string): Promise<boolean> {
    if (!UUID.test(publicId)) return false;
    const result: [Array<{ id_hash: string }>, number] = await this.dataSource.query(
      'DELETE FROM auth_sessions WHERE user_id = $1 AND public_id = $2 RETURNING id_hash', [userId, publicId],
    );
    const ended = (result[0] ?? []).map((row) => row.id_hash);
    for (const idHash of ended) this.pendingActivity.delete(idHash);
    this.cache.dropSessions(ended);
    return ended.length > 0;
  }

  /**
   * Ends every session of a user (e.g. from an admin action of the host), except `exceptKey`
   * (the caller's own, for "sign out everywhere else"). Returns how many ended.
   */
  async revokeAllForUser(userId: string, exceptKey?: string): Promise<number> {
    const result: [Array<{ id_hash: string }>, number] = await this.dataSource.query(
      'DELETE FROM auth_sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2 RETURNING id_hash', [userId, exceptKey ?? null],
    );
    const ended = (result[0] ?? []).map((row) => row.id_hash);
    for (const idHash of ended) this.pendingActivity.delete(idHash);
    this.cache.dropSessions(ended);
    return ended.length;
  }

  /** Idle too long, counting activity this instance has not written yet. */
  private idledOut(idHash: string, lastSeenMs: number): boolean {
    const lastSeen = Math.max(lastSeenMs, this.pendingActivity.get(idHash) ?? 0);
    return Date.now() - lastSeen > this.settings.idleTimeoutMs;
  }

  /** Writes collected activity in one statement. Errors are logged: activity is best-effort. */
  async flushActivity(): Promise<void> {
    if (this.pendingActivity.size === 0) return;
    const batch = [...this.pendingActivity];
    this.pendingActivity.clear();
    try {
      await this.dataSource.query(
        `UPDATE auth_sessions s SET last_seen_at = GREATEST(s.last_seen_at, to_timestamp(a.seen / 1000.0))
           FROM unnest($1::text[], $2::float8[]) AS a(id_hash, seen) WHERE s.id_hash = a.id_hash`,
        [batch.map(([idHash]) => idHash), batch.map(([, seen]) => seen)],
      );
    } catch (error) {
      this.logger.warn(`could not record session activity: ${(error as Error).message}`);
    }
  }

  private async purgeExpired(): Promise<void> {
    try {
      await this.dataSource.query(
        `DELETE FROM auth_sessions WHERE expires_at < now() OR last_seen_at < now() - ($1 || ' milliseconds')::interval`,
        [String(this.settings.idleTimeoutMs + 60_000)],
      );
      await this.dataSource.query('DELETE FROM auth_login_states WHERE expires_at < now()');
      await this.dataSource.query('DELETE FROM auth_logout_links WHERE expires_at < now()');
      await this.dataSource.query('DELETE FROM auth_logout_token_jtis WHERE expires_at < now()');
    } catch (error) {
      this.logger.warn(`could not purge expired sessions: ${(error as Error).message}`);
    }
  }
}
