import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The anti-CSRF token of a session (synchronizer token pattern, stateless form): an HMAC of the
 * session's stored key under the session secret. Only the session's holder can read it (through
 * `GET /auth/csrf`, same-origin); it changes with every login and dies with the session.
 */
export function csrfTokenFor(secret: string, sessionKey: string): string {
  return createHmac('sha256', secret).update(`csrf:${sessionKey}`).digest('base64url');
}

/** Constant-time comparison of a request's `x-csrf-token` with the session's token. */
export function isValidCsrfToken(secret: string, sessionKey: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== 43) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(csrfTokenFor(secret, sessionKey)));
}
