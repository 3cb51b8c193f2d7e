/** What the cache needs to know about a cached session. */
export interface CacheableSession {
  userId: string;
  /** Absolute expiry (epoch ms): an entry never outlives its session. */
  expiresAtMs: number;
}

/** Reads that started before an invalidation must not refill the cache with what it dropped. */
const MAX_REMEMBERED_DROPS = 10_000;

/**
 * Sessions as last read from the database, keyed by the session-id hash, so a request with a
 * known cookie needs no round trip. Entries are dropped the moment the database says a session
 * or its user changed (see SessionInvalidationListener); the TTL is only a safety net.
 *
 * The cache serves nothing while it is not `live` (no invalidation feed): then every request reads
 * the database, as without a cache. A read that was in flight while an entry was dropped cannot
 * put its (possibly stale) result back: `beginRead()` takes a generation and `set` refuses
 * anything an invalidation touched since.
 */
export class SessionCache<T extends CacheableSession> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  private readonly byUser = new Map<string, Set<string>>();
  private generation = 0;
  /** Generation of the last drop per session hash / user id (bounded: see `remember`). */
  private readonly dropped = new Map<string, number>();
  /** Reads begun at or before this generation may not fill the cache. */
  private barrier = 0;
  private isLive = false;
  /** Each invalidation feed (PostgreSQL, Redis) and whether it flows: live only when all do. */
  private readonly feedStates = new Map<string, boolean>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get live(): boolean {
    return this.isLive;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A feed came up or went down. Either way everything is forgotten: notifications may have been
   * missed. With several feeds (sessions in Redis, users in PostgreSQL) the cache serves only
   * while every feed that ever reported flows; register them down first with `setLive(false, name)`.
   */
  setLive(live: boolean, feed = 'default'): void {
    this.clear();
    this.feedStates.set(feed, live);
    this.isLive = [...this.feedStates.values()].every(Boolean);
  }

  get(idHash: string): T | undefined {
    if (!this.isLive) return undefined;
    const hit = this.entries.get(idHash);
    if (!hit) return undefined;
    if (hit.until > Date.now()) return hit.value;
    this.remove(idHash);
    return undefined;
  }

  /** Call before reading a session from the database; hand the result to `set`. */
  beginRead(): number {
    return this.generation;
  }

  set(idHash: string, value: T, readGeneration: number): void {
    if (!this.isLive || readGeneration < this.barrier) return;
    if ((this.dropped.get(`s:${idHash}`) ?? -1) > readGeneration || (this.dropped.get(`u:${value.userId}`) ?? -1) > readGeneration) return;
    const until = Math.min(Date.now() + this.ttlMs, value.expiresAtMs);
    if (until <= Date.now()) return;
    this.remove(idHash);
    if (this.entries.size >= this.maxEntries) this.remove(this.entries.keys().next().value!);
    this.entries.set(idHash, { value, until });
    let sessions = this.byUser.get(value.userId);
    if (!sessions) this.byUser.set(value.userId, (sessions = new Set()));
    sessions.add(idHash);
  }

  dropSessions(idHashes: Iterable<string>): void {
    this.generation++;
    for (const idHash of idHashes) {
      this.remember(`s:${idHash}`);
      this.remove(idHash);
    }
  }

  dropUser(userId: string): void {
    this.generation++;
    this.remember(`u:${userId}`);
    for (const idHash of [...(this.byUser.get(userId) ?? [])]) this.remove(idHash);
  }

  clear(): void {
    this.generation++;
    this.barrier = this.generation;
    this.dropped.clear();
    this.entries.clear();
    this.byUser.clear();
  }

  private remember(key: string): void {
    if (this.dropped.size >= MAX_REMEMBERED_DROPS) {
      // Forgetting drops is safe only if no read begun before them may fill the cache.
      this.dropped.clear();
      this.barrier = this.generation;
    }
    this.dropped.set(key, this.generation);
  }

  private remove(idHash: string): void {
    const hit = this.entries.get(idHash);
    if (!hit) return;
    this.entries.delete(idHash);
    const sessions = this.byUser.get(hit.value.userId);
    sessions?.delete(idHash);
    if (sessions?.size === 0) this.byUser.delete(hit.value.userId);
  }
}
