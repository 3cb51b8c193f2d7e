import type { JWTPayload } from 'jose';
import { ExpiringMap } from '../cache/expiring-map.js';

const MAX_ENTRIES = 10_000;
/** A verified token is trusted again without a signature check for at most this long. */
const MAX_TTL_MS = 30_000;

/**
 * API clients send the same bearer token many times; checking its RS256 signature each time is
 * the dearest part of a request. Only an exact token string that already passed every check is
 * remembered, never past its own `exp` and at most 30 s (so a key the provider withdraws stops
 * working within that).
 */
export class VerifiedTokenCache {
  private readonly entries = new ExpiringMap<JWTPayload & { sub: string }>(MAX_ENTRIES);

  get(token: string): (JWTPayload & { sub: string }) | undefined {
    return this.entries.get(token);
  }

  set(token: string, payload: JWTPayload & { sub: string }): void {
    const now = Date.now();
    const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : now;
    this.entries.set(token, payload, Math.min(expiresAt, now + MAX_TTL_MS));
  }
}
