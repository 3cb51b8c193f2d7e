import type { JWTPayload } from 'jose';

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
  private readonly entries = new Map<string, { payload: JWTPayload & { sub: string }; until: number }>();

  get(token: string): (JWTPayload & { sub: string }) | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.until > Date.now()) return hit.payload;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, payload: JWTPayload & { sub: string }): void {
    const now = Date.now();
    const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : now;
    const until = Math.min(expiresAt, now + MAX_TTL_MS);
    if (until <= now) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { payload, until });
  }
}
