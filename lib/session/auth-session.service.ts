import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { SessionActivity } from './session-activity.js';
import { SessionCacheService } from './session-cache.service.js';
import { hashSessionId, isWellFormedSessionId, newSessionId } from './session-id.js';
import { SessionRevocationService } from './session-revocation.service.js';
import type { ActiveSession, KnownSession, NewSession, SessionSummary } from './session-views.js';
import { SessionStore, type StoredSessionView } from './store/session-store.interface.js';
import { TokenCipher } from './token-cipher.js';

export type { ActiveSession, NewSession, SessionSummary } from './session-views.js';

/** Text from the client, bounded before it is stored. */
function clip(value: string | null | undefined, max: number): string | null {
  // eslint-disable-next-line no-control-regex -- dropping control characters is the point
  return typeof value === 'string' && value !== '' ? value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max) : null;
}

/**
 * Server-side sessions: created at login, resolved from the cookie on every request, ended at
 * logout. They live in a SessionStore (PostgreSQL, or Redis); a known session is served from
 * this replica's SessionCacheService, which every replica empties of a session as soon as it
 * ends or changes anywhere. Activity for the idle timeout is batched (SessionActivity).
 * Listing and revocation (also the host's API: `revokeAllForUser`) are SessionRevocationService's.
 */
@Injectable()
export class AuthSessionService {
  private readonly cipher: TokenCipher;

  constructor(
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly cache: SessionCacheService,
    private readonly activity: SessionActivity,
    private readonly revocation: SessionRevocationService,
  ) {
    this.cipher = new TokenCipher(settings.secret);
  }

  /** Creates a session and returns the cookie value (the only place the raw id exists). */
  async create(session: NewSession): Promise<string> {
    const id = newSessionId();
    const seal = (value: string | null) => (value ? this.cipher.encrypt(value) : null);
    await this.store.create({
      idHash: hashSessionId(this.settings.secret, id),
      userId: session.userId,
      issuer: session.issuer,
      subject: session.subject,
      providerSid: session.providerSid,
      roles: session.roles,
      scopes: session.scopes,
      idTokenEnc: seal(session.idToken),
      accessTokenEnc: seal(session.accessToken),
      refreshTokenEnc: seal(session.refreshToken),
      accessTokenExpiresAt: session.accessTokenExpiresAt,
      authentication: session.authentication ?? null,
      ip: clip(session.ip, 64),
      userAgent: clip(session.userAgent, 512),
      expiresAt: new Date(Date.now() + this.settings.absoluteTimeoutMs),
    });
    return id;
  }

  /** The live session for a cookie value, or null (garbage, unknown, expired, idle, user inactive). */
  async resolve(cookieValue: unknown): Promise<ActiveSession | null> {
    if (!isWellFormedSessionId(cookieValue)) return null;
    const idHash = hashSessionId(this.settings.secret, cookieValue);
    let known = this.cache.get(idHash);
    if (!known) {
      const generation = this.cache.beginRead();
      const stored = await this.store.find(idHash);
      if (!stored) return null;
      known = toKnown(stored);
      this.cache.set(idHash, known, generation);
    }
    const now = Date.now();
    if (!known.session.user.active || known.expiresAtMs <= now || this.activity.idledOut(idHash, known.lastSeenMs)) return null;
    known.lastSeenMs = now;
    this.activity.touch(idHash, now);
    // Copies: what a request does with its user must not change the cached entry.
    const { session } = known;
    return {
      ...session,
      roles: [...session.roles],
      scopes: [...session.scopes],
      user: { ...session.user, roles: [...session.user.roles] },
    };
  }

  /**
   * Ends the session a cookie names. Returns what RP-initiated logout needs when that session
   * was still live, null otherwise (garbage, unknown, expired or idle).
   */
  async end(cookieValue: unknown): Promise<{ idToken: string | undefined; userId: string } | null> {
    if (!isWellFormedSessionId(cookieValue)) return null;
    const idHash = hashSessionId(this.settings.secret, cookieValue);
    const ended = await this.store.end(idHash);
    const idle = ended ? this.activity.idledOut(idHash, ended.lastSeenAt.getTime()) : true;
    this.activity.forget([idHash]);
    this.cache.dropSessions([idHash]);
    if (!ended || !ended.live || idle) return null;
    return { idToken: ended.idTokenEnc ? this.cipher.decrypt(ended.idTokenEnc) : undefined, userId: ended.userId };
  }

  /** Forgets what this instance cached of a session (it just changed here, e.g. a refresh). */
  forget(idHash: string): void {
    this.cache.dropSessions([idHash]);
  }

  /** Writes the activity collected on this instance now (it is otherwise written every few seconds). */
  flushActivity(): Promise<void> {
    return this.activity.flush();
  }

  // The host's API for listing and revoking: see SessionRevocationService.

  /** The user's live sessions, newest first; `currentKey` marks the caller's own. */
  listForUser(userId: string, currentKey?: string): Promise<SessionSummary[]> {
    return this.revocation.listForUser(userId, currentKey);
  }

  /** Ends one session of the user by its public id; false when the user has no such session. */
  revokeForUser(userId: string, publicId: string): Promise<boolean> {
    return this.revocation.revokeForUser(userId, publicId);
  }

  /** Ends every session of a user (e.g. an admin action), except `exceptKey`. Returns how many ended. */
  revokeAllForUser(userId: string, exceptKey?: string): Promise<number> {
    return this.revocation.revokeAllForUser(userId, exceptKey);
  }

  /** Deletes a session by its stored key. */
  destroy(idHash: string): Promise<void> {
    return this.revocation.destroy(idHash);
  }

  /** Back-channel logout: see SessionRevocationService.destroyForProvider. */
  destroyForProvider(issuer: string, criteria: { sid?: string; sub?: string }, db?: EntityManager): Promise<number> {
    return this.revocation.destroyForProvider(issuer, criteria, db);
  }
}

function toKnown(stored: StoredSessionView): KnownSession {
  const session: ActiveSession = {
    idHash: stored.idHash,
    issuer: stored.issuer,
    subject: stored.subject,
    roles: stored.user.roles,
    scopes: stored.scopes,
    user: stored.user,
    accessTokenExpiresAt: stored.accessTokenExpiresAt,
    refreshable: stored.refreshable,
    authentication: stored.authentication,
  };
  return { session, userId: stored.user.id, expiresAtMs: stored.expiresAt.getTime(), lastSeenMs: stored.lastSeenAt.getTime() };
}
