/** One counted request: how many hits the key has in its current window and when it resets. */
export interface RateLimitHit {
  totalHits: number;
  /** Milliseconds until the window of this key ends. */
  resetInMs: number;
}

/**
 * Where the login routes' hits are counted. The default counts in memory, per instance; a host
 * with many replicas can count in Redis or PostgreSQL by providing its own.
 */
export interface RateLimitStorage {
  increment(key: string, windowMs: number): Promise<RateLimitHit>;
}

/** Entries kept at most; past it, expired windows go first, then the oldest (an attacker's spray of addresses cannot grow memory without bound). */
const MAX_KEYS = 100_000;

/** Fixed windows in a Map: O(1) per hit, expired keys swept as the map grows. */
export class InMemoryRateLimitStorage implements RateLimitStorage {
  private readonly windows = new Map<string, { hits: number; resetAt: number }>();

  async increment(key: string, windowMs: number): Promise<RateLimitHit> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      if (this.windows.size >= MAX_KEYS) this.evict(now);
      window = { hits: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.hits += 1;
    return { totalHits: window.hits, resetInMs: window.resetAt - now };
  }

  private evict(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    // Still full: drop the oldest tenth (Map keeps insertion order).
    let excess = this.windows.size - MAX_KEYS + Math.ceil(MAX_KEYS / 10);
    for (const key of this.windows.keys()) {
      if (excess-- <= 0) break;
      this.windows.delete(key);
    }
  }
}
