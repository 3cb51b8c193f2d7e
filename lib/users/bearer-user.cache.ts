import { Injectable } from '@nestjs/common';
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
  private readonly entries = new Map<string, { user: Promise<StoredUser>; expiresAt: number }>();

  get(issuer: string, subject: string, load: () => Promise<StoredUser>): Promise<StoredUser> {
    const key = `${issuer}\n${subject}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.user;
    if (hit) this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const user = load();
    this.entries.set(key, { user, expiresAt: now + TTL_MS });
    user.catch(() => this.entries.delete(key));
    return user;
  }

  clear(): void {
    this.entries.clear();
  }
}
