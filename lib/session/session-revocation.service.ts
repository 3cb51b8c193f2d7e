import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SessionActivity } from './session-activity.js';
import { SessionCacheService } from './session-cache.service.js';
import type { SessionSummary } from './session-views.js';
import { SessionStore } from './store/session-store.interface.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sessions listed at most per user (`GET /auth/sessions`). */
const LIST_LIMIT = 100;

/**
 * Listing and ending sessions other than through their cookie: the user's own session list,
 * revocation by public id, "everywhere else", a host's admin action, a refused refresh and
 * back-channel logout. This replica forgets an ended session at once; the store makes the
 * other replicas forget it within the second.
 */
@Injectable()
export class SessionRevocationService {
  constructor(
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly cache: SessionCacheService,
    private readonly activity: SessionActivity,
  ) {}

  /** The user's live sessions, newest first; `currentKey` marks the caller's own. */
  async listForUser(userId: string, currentKey?: string): Promise<SessionSummary[]> {
    const sessions = await this.store.listForUser(userId, LIST_LIMIT);
    return sessions
      .filter((session) => !this.activity.idledOut(session.idHash, session.lastSeenAt.getTime()))
      .map((session) => ({
        id: session.publicId,
        current: session.idHash === currentKey,
        createdAt: session.createdAt.toISOString(),
        lastSeenAt: new Date(this.activity.lastSeenMs(session.idHash, session.lastSeenAt.getTime())).toISOString(),
        ip: session.ip,
        userAgent: session.userAgent,
      }));
  }

  /** Ends one session of the user by its public id; false when the user has no such session. */
  async revokeForUser(userId: string, publicId: string): Promise<boolean> {
    if (!UUID.test(publicId)) return false;
    return this.ended(await this.store.destroyByPublicId(userId, publicId.toLowerCase())) > 0;
  }

  /**
   * Ends every session of a user (e.g. from an admin action of the host), except `exceptKey`
   * (the caller's own, for "sign out everywhere else"). Returns how many ended.
   */
  async revokeAllForUser(userId: string, exceptKey?: string): Promise<number> {
    return this.ended(await this.store.destroyAllForUser(userId, exceptKey));
  }

  /** Deletes a session by its stored key (e.g. a refused refresh). */
  async destroy(idHash: string): Promise<void> {
    this.activity.forget([idHash]);
    await this.store.destroy([idHash]);
    this.cache.dropSessions([idHash]);
  }

  /**
   * Back-channel logout. With a `sid`: the session of that provider session (and, when the token
   * also names the subject, that subject's sessions whose ID token carried no `sid`, which no
   * `sid` can identify). Without a `sid`: every session of the subject (Back-Channel Logout 1.0
   * §2.4: "all sessions at the RP for the End-User"). A `sid` never widens to the subject's other
   * sessions, which belong to other provider sessions. `db`: the transaction recording the `jti`.
   */
  async destroyForProvider(issuer: string, criteria: { sid?: string; sub?: string }, db?: EntityManager): Promise<number> {
    if (!criteria.sid && !criteria.sub) return 0;
    return this.ended(await this.store.destroyForProvider(issuer, criteria, db));
  }

  private ended(idHashes: string[]): number {
    this.activity.forget(idHashes);
    this.cache.dropSessions(idHashes);
    return idHashes.length;
  }
}
