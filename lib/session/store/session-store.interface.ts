import type { EntityManager } from 'typeorm';
import type { SessionAuthentication, StoredUser } from '../../users/auth-user.js';
import type { CacheableSession, SessionCache } from '../session-cache.js';

/**
 * Where sessions live: PostgreSQL (`PostgresSessionStore`, the default) or Redis
 * (`RedisSessionStore`, `session.store: { type: 'redis' }`). Users, identities and login states
 * stay in PostgreSQL whichever store holds the sessions. Keys are session-id hashes (never the
 * cookie value); tokens arrive and leave sealed (TokenCipher). Every method that ends or changes
 * sessions returns or reports their hashes so the caller can drop them from this replica's cache;
 * the store itself makes other replicas hear of it (triggers + NOTIFY, or Redis pub/sub).
 */
export const SessionStore = Symbol('nestflux:session-store');

export interface SessionStore {
  /** Stores a new session; `record.expiresAt` is its absolute end. */
  create(record: NewSessionRecord): Promise<void>;
  /** The session (not past its absolute end) joined with its user, or undefined. */
  find(idHash: string): Promise<StoredSessionView | undefined>;
  /** The sealed access token and its expiry, or undefined when the session has ended. */
  accessToken(idHash: string): Promise<Pick<SessionTokenState, 'accessTokenEnc' | 'accessTokenExpiresAt'> | undefined>;
  /**
   * Runs `work` holding the session's refresh lock, exclusive across every replica, so that one
   * refresh token is spent once. `lock.state` is read after the lock is taken.
   */
  withRefreshLock<T>(idHash: string, work: (lock: SessionRefreshLock) => Promise<T>): Promise<T>;
  /** Deletes the session, answering what RP-initiated logout needs (undefined: there was none). */
  end(idHash: string): Promise<EndedSession | undefined>;
  /** Deletes sessions by their hashes. */
  destroy(idHashes: string[]): Promise<void>;
  /**
   * Back-channel logout: deletes the sessions that `criteria` names at `issuer` (see
   * `SessionRevocationService.destroyForProvider`) and returns their hashes. `db` is the
   * transaction that records the logout token's `jti`; the PostgreSQL store deletes inside it.
   */
  destroyForProvider(issuer: string, criteria: { sid?: string; sub?: string }, db?: EntityManager): Promise<string[]>;
  /** The user's sessions not past their absolute end, newest first, at most `limit`. */
  listForUser(userId: string, limit: number): Promise<SessionListing[]>;
  /** Deletes the user's session with that public id; returns the hashes deleted (none or one). */
  destroyByPublicId(userId: string, publicId: string): Promise<string[]>;
  /** Deletes every session of the user but `exceptIdHash`; returns the hashes deleted. */
  destroyAllForUser(userId: string, exceptIdHash?: string): Promise<string[]>;
  /** Records last activity (epoch ms) of many sessions at once; never moves it backwards. */
  recordActivity(batch: ReadonlyArray<readonly [idHash: string, seenMs: number]>): Promise<void>;
  /** Removes sessions past their absolute end or idle longer than `idleTimeoutMs` (no-op where a TTL does it). */
  purgeExpired(idleTimeoutMs: number): Promise<void>;
  /**
   * A feed that drops sessions from `cache` when another replica ends or changes them, for a
   * store whose changes PostgreSQL cannot see. Undefined: PostgreSQL's notifications cover it.
   */
  invalidationFeed?(cache: SessionCache<CacheableSession>): SessionInvalidationFeed;
  /** Releases connections the store opened itself. */
  close?(): Promise<void>;
}

/** A session as a login writes it; tokens already sealed. */
export interface NewSessionRecord {
  idHash: string;
  userId: string;
  issuer: string;
  subject: string;
  providerSid: string | null;
  /** Roles at login, kept for audit: requests authorise with the user's current roles. */
  roles: string[];
  scopes: string[];
  idTokenEnc: string | null;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  accessTokenExpiresAt: Date | null;
  /** The login's authentication event (step-up). */
  authentication: SessionAuthentication | null;
  ip: string | null;
  userAgent: string | null;
  /** Absolute end of the session. */
  expiresAt: Date;
}

/** A stored session joined with its user's current record, as the guard needs it. */
export interface StoredSessionView {
  idHash: string;
  issuer: string;
  subject: string;
  scopes: string[];
  lastSeenAt: Date;
  expiresAt: Date;
  accessTokenExpiresAt: Date | null;
  /** A refresh token is stored. */
  refreshable: boolean;
  user: StoredUser;
  authentication: SessionAuthentication | null;
}

/** What ending a session returned. */
export interface EndedSession {
  idTokenEnc: string | null;
  userId: string;
  lastSeenAt: Date;
  /** Not past its absolute end when it was deleted. */
  live: boolean;
}

/** One line of a user's session list. */
export interface SessionListing {
  idHash: string;
  publicId: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** A session's tokens as the refresh sees them. */
export interface SessionTokenState {
  /** The issuer the session came from: its provider refreshes it. */
  issuer: string;
  subject: string;
  userId: string;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  accessTokenExpiresAt: Date | null;
}

/** Tokens a refresh stores; a null refresh or ID token keeps the stored one. */
export interface RefreshedTokenUpdate {
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  idTokenEnc: string | null;
  accessTokenExpiresAt: Date | null;
}

/** The refresh lock of one session, held while `withRefreshLock`'s work runs. */
export interface SessionRefreshLock {
  /** The session's tokens read under the lock; undefined when the session has ended. */
  readonly state: SessionTokenState | undefined;
  /** Stores refreshed tokens (refused when the lock was lost meanwhile). */
  save(update: RefreshedTokenUpdate): Promise<void>;
  /**
   * Where PostgreSQL writes of the refresh (the user's profile) go while the lock is held: the
   * lock's own transaction in the PostgreSQL store (one connection may be all there is).
   */
  readonly db: EntityManager;
}

/** A running source of cache invalidations. */
export interface SessionInvalidationFeed {
  /** Resolves once listening, or after the first failure (the cache then stays off and it retries). */
  start(): Promise<void>;
  stop(): Promise<void>;
}
