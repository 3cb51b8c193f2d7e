import { Injectable } from '@nestjs/common';
import { ExpiringMap } from '../cache/expiring-map.js';
import type { StoredUser } from './auth-user.js';

const TTL_MS = 15_000;
const MAX_ENTRIES = 10_000;

/**
 * Bearer requests need the local user (its id, its active flag) but should not pay a database
 * round trip each: lookups are cached for 15 s, so a deactivation takes effect within that.
 * Concurrent misses for one subject share a single lookup.
 */
@Injectable()
export class BearerUserCache {
  private readonly entries = new ExpiringMap<Promise<StoredUser>>(MAX_ENTRIES);

  get(issuer: string, subject: string, load: () => Promise<StoredUser>): Promise<StoredUser> {
    const key = `${issuer}\n${subject}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const user = load();
    this.entries.set(key, user, Date.now() + TTL_MS);
    user.catch(() => this.entries.delete(key));
    return user;
  }

  /** Drops one user's entry (this instance changed the row, e.g. at login). */
  forget(issuer: string, subject: string): void {
    this.entries.delete(`${issuer}\n${subject}`);
  }

  clear(): void {
    this.entries.clear();
  }
}
