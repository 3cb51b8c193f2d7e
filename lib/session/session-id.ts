import { createHmac, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: what the cookie carries. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Garbage cookies are rejected here, before any database work. */
export function isWellFormedSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

/** Hashes of recently seen session ids, per secret: at most this many each. */
const RECENT_HASHES_MAX = 10_000;
const recentHashes = new Map<string, Map<string, string>>();

/**
 * Keyed hash stored in `auth_sessions.id_hash`: a leaked table gives no usable cookie.
 * Every cookie-authenticated request needs it, and the HMAC was the largest single item of the
 * session path's profile (bench/README.md), so the hashes of recently seen ids are remembered
 * (bounded; the oldest entry makes room). Only well-formed ids are remembered.
 */
export function hashSessionId(secret: string, sessionId: string): string {
  let recent = recentHashes.get(secret);
  const known = recent?.get(sessionId);
  if (known !== undefined) return known;
  const hash = createHmac('sha256', secret).update(sessionId).digest('hex');
  if (!SESSION_ID_PATTERN.test(sessionId)) return hash;
  if (!recent) recentHashes.set(secret, (recent = new Map<string, string>()));
  if (recent.size >= RECENT_HASHES_MAX) recent.delete(recent.keys().next().value!);
  recent.set(sessionId, hash);
  return hash;
}
