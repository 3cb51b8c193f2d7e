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

/** Keyed hash stored in `auth_sessions.id_hash`: a leaked table gives no usable cookie. */
export function hashSessionId(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(sessionId).digest('hex');
}
