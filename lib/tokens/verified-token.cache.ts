import type { JWTPayload } from 'jose';
import { ExpiringMap } from '../cache/expiring-map.js';

const MAX_ENTRIES = 10_000;
/** A verified token is trusted again without a signature check for at most this long. */
const MAX_TTL_MS = 30_000;

/**
 * API clients send the same bearer token many times; checking its RS256 signature each time is
 * the dearest part of a request. Only an exact token string that already passed every check is
 * remembered, never past its own `exp`, at most 30 s and at most the JWKS max age (so a key the
 * provider withdraws stops working as soon as the re-read key set no longer has it).
 */
export class VerifiedTokenCache {
  private readonly entries = new ExpiringMap<JWTPayload & { sub: string }>(MAX_ENTRIES);
  private readonly ttlMs: number;

  constructor(maxTtlMs: number = MAX_TTL_MS) {
    this.ttlMs = Math.min(maxTtlMs, MAX_TTL_MS);
  }

  get(token: string): (JWTPayload & { sub: string }) | undefined {
    return this.entries.get(token);
  }

  set(token: string, payload: JWTPayload & { sub: string }): void {
    const now = Date.now();
    const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : now;
    this.entries.set(token, payload, Math.min(expiresAt, now + this.ttlMs));
  }
}
